"""ask / report / viz / extraction / write-back against the embedded FalkorDB store and the tiny graph."""

import json

import pytest
from pydantic import SecretStr
from kg.errors import QueryError, ReportError, SchemaError, SubgraphTooLargeError
from kg.models import Concept, Document, GraphBatch, MentionLink, Triple
from kg.reason.ask import AskAnswer, ask, ask_command, resolve_target
from kg.reason.ask import to_markdown as ask_markdown
from kg.reason.contradictions import contradictions, contradictions_in_store
from kg.reason.discovery import swanson_abc
from kg.reason.inferred import from_discoveries, write_inferred
from kg.reason.paths import best_paths, with_evidence
from kg.reason.report import concept_report, patient_pseudonym, patient_report, report_command, to_html, to_markdown
from kg.reason.subgraph import extract_subgraph
from kg.reason.viz import edge_style, neighbourhood, viz_command


def test_extract_by_hops_predicates_scores_and_guard(store, tiny):
    one = extract_subgraph(store, [tiny.MET.id], hops=1)
    assert set(one.nodes) == {tiny.MET.id, tiny.LA.id, tiny.LAC.id, tiny.DM2.id}
    assert one.nodes[tiny.MET.id]["name"] == "Metformin" and "Chemical" in one.nodes[tiny.MET.id]["labels"]
    two = extract_subgraph(store, [tiny.MET.id], hops=2)
    assert two.has_edge(tiny.LAC.id, tiny.LA.id)
    causes = tiny.predicate(store.schema, "biolink:causes")
    only = extract_subgraph(store, [tiny.MET.id], hops=2, predicates=[causes])
    assert [(u, v, k) for u, v, k in only.edges(keys=True)] == [(tiny.MET.id, tiny.LA.id, causes)]
    edge = only.edges[tiny.MET.id, tiny.LA.id, causes]
    assert (edge["affirmed"], edge["negated"], edge["evidence_count"]) == (1, 1, 2)
    assert edge["combined_score"] == pytest.approx(0.9)  # PMID:2 (0.8) negates it: counted, never scored
    strong = extract_subgraph(store, [tiny.MET.id], hops=1, min_score=0.95)
    assert set(strong.nodes) == {tiny.MET.id, tiny.LAC.id}  # the INDUCES edge scores 0.9, not noisy-OR 0.98
    assert extract_subgraph(store, [tiny.MET.id], hops=1, min_evidence=2).number_of_edges() == 1
    whole = extract_subgraph(store, None)
    assert whole.number_of_edges() == 6
    with pytest.raises(SubgraphTooLargeError, match="more than 2 edges"):
        extract_subgraph(store, [tiny.MET.id], hops=2, max_edges=2)
    with pytest.raises(SchemaError):
        extract_subgraph(store, [tiny.MET.id], predicates=["MENTIONS"])


def test_paths_abc_contradictions_on_the_store_graph(store, tiny):
    g = extract_subgraph(store, [tiny.MET.id, tiny.LA.id], hops=2)
    paths = with_evidence(store, best_paths(g, tiny.MET.id, tiny.LA.id, k=2))
    # two co-mention hops scored 1.0 beat the direct edge (0.9: the negated sentence is not scored)
    assert [p.nodes for p in paths] == [(tiny.MET.id, tiny.LAC.id, tiny.LA.id), (tiny.MET.id, tiny.LA.id)]
    assert paths[1].score == pytest.approx(0.9)
    assert {c.doc_id for c in paths[1].hops[0].evidence} == {"PMID:1", "PMID:2"}
    found = swanson_abc(extract_subgraph(store, [tiny.LAC.id], hops=2), tiny.LAC.id)
    assert [d.concept for d in found] == [tiny.DM2.id]  # Metformin and lactic acidosis are direct neighbours
    [c] = contradictions(g)
    assert (c.subject, c.object, c.affirmed, c.negated) == (tiny.MET.id, tiny.LA.id, 1, 1)
    assert [(x.subject, x.object) for x in contradictions_in_store(store)] == [(tiny.MET.id, tiny.LA.id)]


def test_ask_intents_with_citations(store, tiny):
    causes = ask("Which drugs are reported to cause lactic acidosis, and where?", store)
    assert causes.status == "answered" and causes.reading.intent == "causes"
    assert causes.reading.answer_types == ["Chemical"]
    assert [i.concept.id for i in causes.items()] == [tiny.MET.id] and causes.items()[0].claimed
    assert {c.doc_id for c in causes.items()[0].citations} == {"PMID:1", "PMID:2"}
    md = ask_markdown(causes)
    assert "PMID:1" in md and "**Read as:** what causes Acidosis, Lactic (MESH:D000140)" in md

    effects = ask("What are the side effects of metformin?", store)
    assert effects.reading.intent == "effects" and [i.concept.id for i in effects.items()] == [tiny.LA.id]
    assert effects.items()[0].outgoing

    treats = ask("Which agents are used in the treatment of type 2 diabetes?", store)
    assert [i.concept.id for i in treats.items()] == [tiny.MET.id]
    used_for = ask("What is metformin used for?", store)
    assert used_for.reading.direction == "out" and [i.concept.id for i in used_for.items()] == [tiny.DM2.id]

    interacts = ask("what interacts with warfarin", store)
    assert [i.concept.id for i in interacts.items()] == [tiny.ASP.id]

    suggests = ask("What does a low white cell count point to?", store)
    assert [i.concept.id for i in suggests.items()] == [tiny.INF.id]
    assert suggests.status == "co_mentions_only" and not suggests.items()[0].claimed
    assert "not a claim" in suggests.message and "(same sentence, not a claimed relation)" in ask_markdown(suggests)


def test_ask_summary_and_pairs(store, tiny):
    summary = ask("Tell me about metformin", store)
    assert summary.reading.intent == "summary" and summary.status == "answered"
    titles = [s.title for s in summary.sections]
    assert titles[:2] == ["reported to cause (effects)",
                          "treatment relations (treats, or a drug negatively correlated with a disease or finding)"]
    assert "mentioned in 4 document(s)" in summary.message

    links = ask("How are lactic acid and type 2 diabetes connected?", store)
    assert links.reading.intent == "links" and links.sections == []  # no direct edge
    assert [c.id for c in links.paths[0].nodes] == [tiny.LAC.id, tiny.MET.id, tiny.DM2.id]
    assert all(h.citations for h in links.paths[0].hops) and links.status == "answered"

    yes = ask("Does warfarin interact with aspirin?", store)
    assert yes.message.startswith("Yes") and yes.sections[0].items[0].citations[0].doc_id == "PMID:5"
    cause = ask("Can metformin cause lactic acidosis?", store)
    assert cause.message.startswith("Yes") and cause.reading.pair
    reverse = ask("Can lactic acidosis cause metformin?", store)
    assert reverse.message.startswith("Papers report the reverse direction")
    none = ask("Does warfarin interact with metformin?", store)
    assert none.status == "no_evidence" and none.sections == [] and none.paths == []
    assert "no edge between Warfarin and Metformin (which is not evidence that they do not interact)" in none.message


def test_claims_scored_one_half_or_below_are_marked_weak_in_answers_and_reports(store, tiny):
    causes = tiny.predicate(store.schema, "biolink:causes")
    weak = Triple(subject=tiny.WARF.id, predicate=causes, object=tiny.LA.id)
    store.write(GraphBatch(evidence=(tiny.ev(weak, "PMID:6", "Warfarin and lactic acidosis were both seen.", 0.3),)))
    answered = ask("What causes lactic acidosis?", store)
    assert answered.message.endswith("strongest first (citing 3 document(s)). 1 of them weak (score 0.5 or below: "
                                     "no more likely right than wrong).")
    answer = ask_markdown(answered)
    lines = {line.split(" (")[0]: line for line in answer.splitlines() if line[:2] in ("1.", "2.")}
    assert "score 0.300 (weak: score 0.5 or below, no more likely right than wrong)" in lines["2. Warfarin"]
    assert "weak" not in lines["1. Metformin"]  # 0.9: the paper that affirms it (the other one negates it)
    pair = ask("Does warfarin cause lactic acidosis?", store).message
    assert pair.startswith("Yes, the graph has evidence") and "(score 0.300; weak: score 0.5 or below" in pair
    assert "weak" not in ask("Can metformin cause lactic acidosis?", store).message
    report = concept_report(store, tiny.LA.id)
    md, page = to_markdown(report), to_html(report)
    assert md.count("no more likely right than wrong") == 2  # the note that explains it, and the warfarin line
    assert page.count('class="badge weak"') == 1


def test_ask_unknown_concepts_and_no_evidence(store, settings, tiny):
    unknown = ask("what causes dragon pox?", store)
    assert unknown.status == "no_concept" and unknown.sections == [] and '"dragon", "pox"' in unknown.message
    missing_partner = ask("Does warfarin interact with MESH:D999999?", store)  # an id the graph lacks
    assert missing_partner.status == "no_concept" or missing_partner.reading.missing
    nothing = ask("Which genes are linked to lactic acidosis?", store)
    assert nothing.status == "no_evidence" and nothing.sections == []
    assert "no evidence is not a no" in nothing.message
    assert not nothing.message.lower().startswith("no,")
    text, code = ask_command("Is this a question?", settings)
    assert code == 2 and "I found no concept of the graph" in text
    text, code = ask_command("what is associated with MESH:D007970", settings)
    assert code == 0 and "Infections" in text
    text, code = ask_command(["Tell me about warfarin", "what causes dragon pox"], settings, as_json=True)
    lines = text.splitlines()
    assert code == 2 and [AskAnswer.model_validate_json(x).status for x in lines] == ["answered", "no_concept"]
    assert resolve_target(store, settings, "glucophage") == tiny.MET.id


class OneConceptOntology:
    """The concept store as ``ask`` reads it, holding one concept the tiny graph does not."""

    def get(self, concept_id):
        return {"MESH:D006073": Concept(id="MESH:D006073", name="Gout", type="Disease")}.get(concept_id)


def test_an_unknown_id_is_not_said_to_be_in_the_ontology(store, settings):
    for ontology in (None, OneConceptOntology()):
        unknown = ask("Tell me about MESH:D999999", store, ontology=ontology)
        assert unknown.status == "no_concept" and "in the ontology" not in unknown.message
        assert "(no concept with the id MESH:D999999 is in the graph)" in unknown.message
        assert unknown.reading.missing[0].ontology_id is None
    known = ask("Tell me about MESH:D006073", store, ontology=OneConceptOntology())
    assert known.status == "no_evidence" and known.message.startswith(
        "\"MESH:D006073\" is Gout (MESH:D006073) in the ontology, but no document of the graph mentions it")
    text, code = ask_command("Tell me about MESH:D999999", settings)
    assert code == 2 and "in the ontology" not in text


def test_a_cross_reference_of_a_graph_concept_names_it(store, tiny):
    answer = ask("Tell me about HP:0003128", store)  # Lactic Acidosis lists the HPO id in its xrefs
    assert answer.status != "no_concept" and [c.id for c in answer.reading.concepts] == [tiny.LA.id]
    assert not answer.reading.missing


def test_a_concept_named_but_not_in_the_graph_is_said_and_gives_exit_status_2(store, settings):
    text, code = ask_command("Which drugs cause lactic acidosis in MESH:D999999?", settings, as_json=True)
    answer = AskAnswer.model_validate_json(text)
    assert answer.status == "answered" and [m.phrase for m in answer.reading.missing] == ["MESH:D999999"]
    assert answer.reading.text.endswith("; not in the graph, not used: MESH:D999999") and code == 2
    assert "not in the graph, not used: MESH:D999999" in ask_markdown(answer)


def test_report_markdown_html_and_patient(store, settings, tmp_path, tiny):
    rep = concept_report(store, tiny.MET.id)
    md = to_markdown(rep)
    assert "Glucophage" in md and "CHEBI:6801" in md and "mentioned in 4 document(s)" in md
    assert "PMID:1" in md and "did not cause lactic acidosis" in md
    assert "## Negated evidence" in md and md.index("PMID:2", md.index("## Negated evidence")) > 0
    page = to_html(rep)
    assert page.startswith("<!doctype html>") and "Metformin" in page and "<script" not in page
    assert [p["id"] for p in rep.papers] == ["PMID:4", "PMID:3", "PMID:2", "PMID:1"]  # newest first
    with pytest.raises(ReportError):
        concept_report(store, "MESH:D000000")
    out = report_command("Metformin", settings, out=tmp_path / "met.html")
    assert (tmp_path / "met.html").read_text(encoding="utf-8").count("PMID:") >= 2 and out.endswith("met.html")


def test_report_puts_claims_first_leaves_hubs_out_and_marks_retracted(store, tiny):
    store.write(tiny.hub_and_comention_batch(store.schema))
    store.refresh_statistics()
    store.query("MATCH (d:Document {id: 'PMID:1'}) SET d.retracted = true", write=True)
    rep = concept_report(store, tiny.MET.id)
    # claimed relations only, by score then papers; co-mentions apart, by NPMI; never the human hub
    assert [(r.predicate, r.other) for r in rep.relations] == [
        (tiny.predicate(store.schema, "biolink:causes"), tiny.LA.id),
        (tiny.predicate(store.schema, "biolink:negatively_correlated_with"), tiny.DM2.id)]
    assert [r.other for r in rep.comentions] == [tiny.LAC.id, tiny.WARF.id]  # lactic acid: rarer, higher NPMI
    assert rep.comentions[0].npmi >= rep.comentions[1].npmi and rep.comention_min_docs == 2
    assert tiny.HUMAN.id not in {r.other for r in rep.relations + rep.comentions}
    # evidence from the retracted paper is marked where cited and listed on its own
    assert rep.relations[0].retracted == 1 and rep.relations[0].citations[-1].retracted
    assert [(r["doc_id"], r["other"]) for r in rep.retracted] == [("PMID:1", tiny.LA.id)]
    md = to_markdown(rep)
    assert "PMID:1 (2001) [RETRACTED]" in md and "## Evidence from retracted papers" in md
    assert md.index("## Claimed relations") < md.index("## Co-mentions") and "patients" not in md
    assert "CO_OCCURS_WITH" not in md[md.index("## Claimed relations"):md.index("## Co-mentions")]
    page = to_html(rep)
    for section in ("relations", "co-mentions", "unscored", "negated", "retracted", "contradictions", "papers"):
        assert f'<section id="{section}">' in page
    assert 'class="badge retracted"' in page and 'class="badge neg"' in page


def test_report_leaves_rejected_evidence_and_the_hub_out_of_retracted_and_contradicted(store, tiny):
    store.write(tiny.hub_and_comention_batch(store.schema))
    assoc = tiny.predicate(store.schema, "biolink:associated_with")
    store.write(GraphBatch(evidence=(tiny.ev(Triple(subject=tiny.HUMAN.id, predicate=assoc, object=tiny.MET.id),
                                             "PMID:4", "Patients were not on metformin.", 0.9, "negated"),)))
    store.refresh_statistics()
    store.query("MATCH (d:Document {id: 'PMID:1'}) SET d.retracted = true", write=True)
    rep = concept_report(store, tiny.MET.id)
    assert tiny.HUMAN.id in {x.subject for x in contradictions_in_store(store, concept=tiny.MET.id)}
    assert [(x.subject, x.object) for x in rep.contradictions] == [(tiny.MET.id, tiny.LA.id)]
    assert [r["other"] for r in rep.retracted] == [tiny.LA.id]
    # a curator rejects the retracted paper's evidence: it is no longer cited, not even as retracted
    store.query("MATCH (e:Evidence {doc_id: $doc}) SET e.rejected = true", {"doc": "PMID:1"}, write=True)
    rep = concept_report(store, tiny.MET.id)
    md = to_markdown(rep)
    assert rep.retracted == [] and "PMID:1" not in md[md.index("## Evidence from retracted papers"):md.index(
        "## Contradicted edges")]


def test_contradicted_edges_are_claims_named_as_everywhere_in_the_report(store, tiny):
    """A co-mention asserts nothing, so a negated sentence naming both ends contradicts nothing; a contradicted
    claim is listed with the names of its ends, in Markdown and HTML."""
    cooc = tiny.predicate(store.schema, "biolink:occurs_together_in_literature_with")
    causes = tiny.predicate(store.schema, "biolink:causes")
    comention = Triple(subject=tiny.MET.id, predicate=cooc, object=tiny.LAC.id)  # affirmed in PMID:3 already
    store.write(GraphBatch(evidence=(
        tiny.ev(comention, "PMID:4", "Metformin and lactic acid.", 1.0),
        tiny.ev(comention, "PMID:5", "Metformin did not raise lactic acid.", 1.0, "negated"),
        tiny.ev(comention, "PMID:6", "Lactic acid was not raised by metformin.", 1.0, "negated"))))
    store.refresh_statistics()
    # the co-mention (2 affirmed, 2 negated) outranks the claim (1 and 1) in the store's ranking: still left out
    [only] = contradictions_in_store(store, top=1)
    assert (only.subject, only.predicate, only.object) == (tiny.MET.id, causes, tiny.LA.id)
    assert (only.subject_name, only.object_name) == ("Metformin", "Acidosis, Lactic")
    assert [x.predicate for x in contradictions_in_store(store, concept=tiny.MET.id)] == [causes]
    rep = concept_report(store, tiny.MET.id)
    md = to_markdown(rep)
    section = md[md.index("## Contradicted edges"):md.index("## Recent papers")]
    assert f"- Metformin (MESH:D008687) **{causes}** Acidosis, Lactic (MESH:D000140): affirmed 1, negated 1" in section
    assert cooc not in section and "Lactic Acid" not in section
    page = to_html(rep)
    section = page[page.index('<section id="contradictions">'):page.index('<section id="papers">')]
    assert (f'<b>Metformin</b> (MESH:D008687) <span class="pred">{causes}</span> <b>Acidosis, Lactic</b> '
            "(MESH:D000140): affirmed 1, negated 1") in section
    assert section.count('class="contradiction"') == 1 and cooc not in section


ANIMALS = Concept(id="NCBITaxon:33208", name="Animals", type="Species", source="NCBITaxon", release="2025")
MICE = Concept(id="NCBITaxon:10090", name="Mice", type="Species", source="NCBITaxon", release="2025")


def test_generic_taxa_are_hubs_and_a_species_links_nothing(store, settings, tmp_path, tiny):
    """"Animals" says only that a study used animals: never listed or drawn, like the human hub. Mice is a
    concept (listed, drawn) but links nothing: aspirin, mentioned with mice only, is not drawn two hops from
    metformin, and no path "Metformin - Mice - Aspirin" answers how metformin and aspirin connect."""
    cooc = tiny.predicate(store.schema, "biolink:occurs_together_in_literature_with")
    docs = tuple(Document(id=f"PMID:{n}", source="pubmed", text="x", title=f"Paper {n}",
                          metadata={"journal": "J Test", "year": 2000 + n}) for n in (7, 8))
    pairs = ((tiny.MET.id, ANIMALS.id, "PMID:7"), (tiny.MET.id, ANIMALS.id, "PMID:8"), (tiny.MET.id, MICE.id, "PMID:7"),
             (tiny.MET.id, MICE.id, "PMID:8"), (MICE.id, tiny.ASP.id, "PMID:8"), (ANIMALS.id, tiny.ASP.id, "PMID:8"))
    evidence = tuple(tiny.ev(Triple(subject=a, predicate=cooc, object=b), doc, "Metformin in mice.", 1.0)
                     for a, b, doc in pairs)
    mentions = tuple({(doc, c): MentionLink(doc_id=doc, concept_id=c, count=1, texts=("x",), max_score=1.0,
                                            affirmed=1, extractor="test", extractor_version="1")
                      for a, b, doc in pairs for c in (a, b)}.values())
    store.write(GraphBatch(documents=docs, concepts=(ANIMALS, MICE), mentions=mentions, evidence=evidence))
    store.refresh_statistics()
    listed = {r.other for r in concept_report(store, tiny.MET.id).comentions}
    assert MICE.id in listed and ANIMALS.id not in listed
    g = neighbourhood(store, tiny.MET.id, hops=2)
    assert MICE.id in g and ANIMALS.id not in g and tiny.ASP.id not in g
    assert tiny.LA.id in g and tiny.LAC.id in g  # what is reached through a concept that links stays
    page = viz_command(tiny.MET.id, settings, out=tmp_path / "m.html", hops=2).read_text(encoding="utf-8")
    assert "Mice" in page and "Animals" not in page and "Aspirin" not in page
    answer = ask("How are metformin and aspirin connected?", store)
    assert answer.paths == [] and answer.status == "no_evidence"


def test_patient_report_by_assertion_status_with_note_ids(store, settings, tiny):
    store.write(tiny.second_note_batch())
    store.refresh_findings([tiny.PATIENT])
    rep = patient_report(store, tiny.PATIENT)
    assert [n["id"] for n in rep.notes] == ["NOTE:n1", "NOTE:n2"]
    present = {f.id: f for f in rep.sections["affirmed"]}
    absent = {f.id: f for f in rep.sections["negated"]}
    assert present[tiny.LEUK.id].notes == [("NOTE:n1", 2021)] and present[tiny.LEUK.id].also == {
        "negated": ["NOTE:n2"]}
    assert set(absent) == {tiny.DM2.id, tiny.LEUK.id} and absent[tiny.DM2.id].notes == [("NOTE:n1", 2021)]
    assert [f.id for f in rep.sections["family"]] == [tiny.INF.id]
    assert tiny.HUMAN.id not in {f.id for fs in rep.sections.values() for f in fs}
    md = to_markdown(rep)
    assert md.index("## Present (affirmed): 1") < md.index("## Absent (negated: pertinent negatives): 2")
    assert "| Leukopenia (MESH:D007970) | Disease | NOTE:n1 (2021) | negated in NOTE:n2 |" in md
    page = to_html(rep)
    assert '<section id="affirmed" class="status">' in page and page.count('class="finding"') == 4
    with pytest.raises(ReportError):
        patient_report(store, "pt_ffffffffffffffff")
    # a source patient id is pseudonymised with the key, as ingestion does
    assert patient_pseudonym("pt_abc", settings) == "pt_abc"
    keyed = settings.model_copy(update={"pseudonym_key": SecretStr("test-key-0123456789abcdef")})
    assert patient_pseudonym("1234", keyed).startswith("pt_") and patient_pseudonym("1234", keyed) != "pt_1234"


def test_a_patient_s_genes_and_species_are_no_findings_in_the_graph_or_the_report(store, tiny):
    """"CBC, U&Es, coagulation, and CRP are all normal." links CRP to its gene, "Tobacco Use: Non-smoker." tobacco
    to Nicotiana: neither is a finding of the patient; a disease and a drug of the same note are."""
    crp = Concept(id="NCBIGene:1401", name="CRP", type="Gene", source="NCBIGene", release="2025")
    tobacco = Concept(id="NCBITaxon:4097", name="Nicotiana", type="Species", source="NCBITaxon", release="2025")
    note = Document(id="NOTE:n3", source="note", text="x", title="Clinic note", metadata={"patient": tiny.PATIENT,
                                                                                           "year": 2023})
    mentions = tuple(MentionLink(doc_id="NOTE:n3", concept_id=c.id, count=1, texts=("x",), max_score=1.0, affirmed=1,
                                 extractor="test", extractor_version="1") for c in (crp, tobacco, tiny.INF, tiny.WARF))
    store.write(GraphBatch(documents=(note,), concepts=(crp, tobacco), mentions=mentions))
    store.refresh_findings([tiny.PATIENT])
    has = {r["id"] for r in store.query("MATCH (:Patient {id: $p})-[:HAS_FINDING]->(c) RETURN c.id AS id",
                                        {"p": tiny.PATIENT})}
    assert has == {tiny.LEUK.id, tiny.DM2.id, tiny.INF.id, tiny.WARF.id}
    rep = patient_report(store, tiny.PATIENT)
    listed = {f.id for fs in rep.sections.values() for f in fs}
    assert listed == has  # the report lists what HAS_FINDING holds
    assert [f.id for f in rep.sections["affirmed"]] == [tiny.INF.id, tiny.LEUK.id, tiny.WARF.id]  # diseases first
    md = to_markdown(rep)
    assert "CRP" not in md and "Nicotiana" not in md and "| Warfarin (MESH:D014859) | Chemical |" in md


def _page_data(page: str) -> dict:
    return json.loads(page.split("const data = ", 1)[1].split(";\n", 1)[0].replace("<\\/", "</"))


def test_viz_draws_claims_over_comentions_without_hubs(store, settings, tmp_path, tiny):
    store.write(tiny.hub_and_comention_batch(store.schema))
    store.refresh_statistics()
    g = neighbourhood(store, tiny.MET.id, hops=2, max_nodes=3)
    assert g.number_of_nodes() == 3 and tiny.MET.id in g and tiny.HUMAN.id not in g
    assert list(g.nodes) == sorted(g.nodes) and list(g.edges) == sorted(tuple(sorted(e)) for e in g.edges)
    assert tiny.LA.id in g  # the claimed relation beats the co-mentions at the same distance
    full = neighbourhood(store, tiny.MET.id, hops=1)
    causes = tiny.predicate(store.schema, "biolink:causes")
    edge = full.edges[tiny.MET.id, tiny.LA.id]
    assert edge["claimed"] and edge["shown"]["predicate"] == causes  # not the co-mention
    page = viz_command(tiny.MET.id, settings, out=tmp_path / "m.html").read_text(encoding="utf-8")
    assert "new vis.Network" in page and "<script src" not in page and "Lactic Acid" in page
    data = _page_data(page)
    claimed = [e["claimed"] for e in data["edges"]]
    assert claimed == sorted(claimed) and any(claimed) and not all(claimed)  # co-mentions first, drawn under
    induces = next(e for e in data["edges"] if e["predicate"] == causes)
    assert (induces["from"], induces["to"], induces["arrows"]) == (tiny.MET.id, tiny.LA.id, "to")
    assert induces["color"]["color"] == edge_style(causes)[0] and induces["dashes"] is False
    cooc = next(e for e in data["edges"] if not e["claimed"])
    assert cooc["dashes"] and cooc["arrows"] == ""
    assert f'class="legend-edge" data-type="{causes}"' in page and 'data-type="CO_OCCURS_WITH"' in page
    assert 'class="legend-node" data-label="Chemical"' in page and "patients" not in page
    # vis-network's own stylesheet is inlined (its tooltip is a positioned box), no CDN, and line breaks stay
    assert "div.vis-tooltip{" in page and "position:absolute" in page and "<link" not in page
    assert "div.vis-tooltip{white-space:pre-line}" in page


def test_viz_walks_no_hub_nor_a_hop_that_cannot_add_to_the_picture_says_its_steps_and_what_it_left_out(
        store, settings, tmp_path, tiny, monkeypatch, caplog):
    """QA: `viz --hops 3` on the demo graph read every hop, through the human hub (so the whole graph), to draw
    the nearest 40 concepts, with nothing on stderr while it did, nor of the concepts it left out."""
    import logging

    from kg.graph.cypher import REASON_FRONTIER_EDGES

    store.write(tiny.hub_and_comention_batch(store.schema))
    store.refresh_statistics()
    walked: list[list[str]] = []
    query = type(store).query

    def spy(self, statement, params=None, **kw):
        if statement == REASON_FRONTIER_EDGES:
            walked.append(sorted(params["ids"]))
        return query(self, statement, params, **kw)

    monkeypatch.setattr(type(store), "query", spy)  # viz_command opens a store of its own
    steps: list[str] = []
    with caplog.at_level(logging.WARNING, logger="kg.reason.viz"):
        page = viz_command(tiny.MET.id, settings, out=tmp_path / "m.html", hops=3, max_nodes=3, progress=steps.append)
    ring = sorted([tiny.LA.id, tiny.LAC.id, tiny.DM2.id, tiny.WARF.id])
    assert walked == [[tiny.MET.id], ring]  # never the hub, and no third hop: its concepts are farther than the 3
    assert steps == [f"finding {tiny.MET.id}", "hop 1 of 3: the relations of 1 concept(s)",
                     "hop 2 of 3: the relations of 4 concept(s)", "the relations among the 3 concepts drawn",
                     "drawing m.html"]
    [warning] = [r.getMessage() for r in caplog.records]
    assert warning.startswith(f"E933: the picture of Metformin ({tiny.MET.id}) draws the 3 nearest of the 6 concepts "
                              "within 2 hop(s) of it; hop 3 was not walked: it could add only farther ones\n")
    assert "--max-nodes 3 sets how many are drawn: raise it to draw more" in warning
    assert len(_page_data(page.read_text(encoding="utf-8"))["nodes"]) == 3


@pytest.mark.slow  # matplotlib import and drawing: about 3 s
def test_viz_png(store, settings, tmp_path, tiny):
    png = viz_command("Metformin", settings, out=tmp_path / "m.png", hops=2)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_write_back_only_on_request_marked_and_idempotent(store, tiny):
    assert store.counts()["relationships"]["INFERRED"] == 0
    g = extract_subgraph(store, [tiny.LAC.id], hops=2)
    edges = from_discoveries(swanson_abc(g, tiny.LAC.id))
    assert write_inferred(store, edges) == 1
    assert write_inferred(store, edges, replace_rules=True) == 1
    [row] = store.query("MATCH (a:Concept)-[t:INFERRED]->(b:Concept) RETURN a.id AS a, b.id AS b, properties(t) AS t")
    assert (row["a"], row["b"]) == (tiny.LAC.id, tiny.DM2.id)
    t = row["t"]
    assert t["inferred"] is True and t["rule"] == "swanson_abc/v1" and t["via"] == [tiny.MET.id]
    assert len(t["inputs"]) == 2 and "s(A,B)*s(B,C)" in t["explanation"]
    # inferred edges never join the extracted ones
    assert extract_subgraph(store, None).number_of_edges() == 6
    # a refresh that finds nothing leaves nothing of the rule behind
    assert write_inferred(store, [], replace_rules=["swanson_abc/v1"]) == 0
    assert store.counts()["relationships"]["INFERRED"] == 0
    with pytest.raises(SchemaError):
        write_inferred(store, edges, rel_type=tiny.predicate(store.schema, "biolink:causes"))
    with pytest.raises(QueryError):
        store.query("MATCH ()-[t:INFERRED]->() DELETE t")  # read-only unless asked
    assert {tiny.WARF.id, tiny.ASP.id} <= set(extract_subgraph(store, None).nodes)


def test_ask_with_subtypes_covers_them_and_says_so(store, tiny):
    from kg.reason.closure import isa_graph_from_parents

    isa = isa_graph_from_parents([(tiny.LA.id, "MESH:D000138", "mesh")])  # lactic acidosis is_a acidosis
    store.query("MERGE (c:Concept {id: 'MESH:D000138'}) SET c.name = 'Acidosis'", write=True)
    plain = ask("what causes acidosis?", store)
    assert plain.items() == []
    wide = ask("what causes acidosis?", store, isa=isa, include_subtypes=True)
    assert [(i.concept.id, i.about) for i in wide.items()] == [(tiny.MET.id, tiny.LA.id)]
    assert "via subtype MESH:D000140" in ask_markdown(wide)
    with pytest.raises(ValueError):
        ask("what causes acidosis?", store, include_subtypes=True)


def test_a_path_hop_is_the_claim_and_shows_the_pair_s_other_edges(store, tiny):
    """Metformin and lactic acid are co-mentioned (1.0) and, here, also claimed to interact (0.8): the path from
    lactic acid through metformin to type 2 diabetes takes the claim, and the co-mention is listed beside it."""
    interacts = tiny.predicate(store.schema, "biolink:chemically_interacts_with")
    store.write(GraphBatch(evidence=(tiny.ev(Triple(subject=tiny.MET.id, predicate=interacts, object=tiny.LAC.id),
                                             "PMID:3", "Metformin raises lactic acid.", 0.8),)))
    store.refresh_statistics()
    links = ask("How are lactic acid and type 2 diabetes connected?", store)
    [via] = [p for p in links.paths if [c.id for c in p.nodes] == [tiny.LAC.id, tiny.MET.id, tiny.DM2.id]]
    hop = via.hops[0]
    assert (hop.predicate, hop.claimed) == (interacts, True)
    assert [(x.predicate, x.claimed, x.combined_score) for x in hop.alternatives] == [("CO_OCCURS_WITH", False, 1.0)]
    assert via.score == pytest.approx(0.8 * 0.85)
    assert "also between them: MESH:D008687 -[CO_OCCURS_WITH]-> MESH:D019344 (same sentence, not a claim) score " \
           "1.000" in ask_markdown(links)


def test_a_path_search_cut_by_the_size_guard_says_how_far_it_looked_never_that_no_chain_exists(store, tiny,
                                                                                                monkeypatch):
    import kg.reason.ask as ask_module

    question = "How are lactic acid and type 2 diabetes connected?"
    monkeypatch.setattr(ask_module, "PATH_MAX_EDGES", 3)  # two hops around both: more; one hop: 3 edges
    short = ask(question, store)
    assert "only chains of at most 2 edges were looked for; a longer one (up to 3 edges) may connect them" in \
        short.message
    assert {len(p.hops) for p in short.paths} == {2} and "Paths through other concepts (up to 2 hops)" in short.message
    monkeypatch.setattr(ask_module, "PATH_MAX_EDGES", 1)
    none = ask(question, store)
    assert none.paths == [] and "no chain through other concepts was looked for" in none.message
    assert "No chain" not in none.message


def test_a_limit_past_what_falkordb_reads_lists_everything_instead_of_nothing(store, tiny):
    """FalkorDB reads LIMIT modulo 2**32: 4294967296 (times ask's 5, report's 3, contradictions' 4 per retry)
    returned no row, and "report hypertension --limit 4294967296" said the graph claims nothing."""
    from kg.graph import cypher as q

    huge = 2**32
    assert store.query(q.REASON_RECENT_PAPERS, {"id": tiny.MET.id, "limit": huge}) == []  # the wraparound
    report = concept_report(store, tiny.MET.id, limit=huge, per_relation=huge)
    assert report.relations and report.papers and report.comentions and len(report.contradictions) == 1
    assert all(r.citations for r in report.relations)
    assert ask("What does metformin cause?", store, limit=huge).status == "answered"
    assert [(c.subject, c.object) for c in contradictions_in_store(store, top=huge)] == [(tiny.MET.id, tiny.LA.id)]


def test_the_answer_says_how_paths_are_ordered_when_a_shorter_path_outranks_a_higher_score(store, tiny):
    """The order is the path score with a small cost per hop (paths.TIE): the answer says so, not "product" only
    (test_paths has a shorter path ranked above a higher score)."""
    links = ask("How are lactic acid and type 2 diabetes connected?", store)
    assert "ranked with each hop 1% to 2% weaker (so of near-equal paths the shorter, then the one read in more " \
        "documents, comes first, even above a slightly higher score)" in links.message
    scores = [p.score for p in links.paths]
    assert scores == sorted(scores, reverse=True)  # here the two orders agree


def test_a_source_patient_id_under_another_key_than_the_notes_is_refused_with_e803(store, settings, tiny, tmp_path):
    """With another MEDKG_PSEUDONYM_KEY the pseudonym differs, and "no note of patient pt_…" (E921) sent the reader
    after a missing patient instead of the key; the ledger pins the key the notes were written with."""
    from kg.errors import LedgerError
    from kg.ledger import Ledger
    from kg.privacy import key_fingerprint

    keyed = settings.model_copy(update={"pseudonym_key": SecretStr("the-notes-key-0123456789")})
    other = settings.model_copy(update={"pseudonym_key": SecretStr("another-key-0123456789ab")})
    with pytest.raises(ReportError, match="E921"):  # no ledger: nothing to tell the key by
        report_command(None, other, patient="1234")
    ledger_path = settings.ledger_path
    try:
        with Ledger(ledger_path) as ledger:
            ledger.pin_pseudonym_key(key_fingerprint(b"the-notes-key-0123456789"))
        with pytest.raises(LedgerError, match="E803"):
            report_command(None, other, patient="1234")
        with pytest.raises(ReportError, match="E921"):  # the right key: the patient really has no note
            report_command(None, keyed, patient="1234")
        with pytest.raises(ReportError, match="E921"):  # a pseudonym is no key's: not found is not found
            report_command(None, other, patient="pt_ffffffffffffffff")
    finally:
        for suffix in ("", "-wal", "-shm"):
            ledger_path.with_name(ledger_path.name + suffix).unlink(missing_ok=True)
