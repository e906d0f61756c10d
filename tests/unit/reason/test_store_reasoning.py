"""ask / report / viz / extraction / write-back against the embedded FalkorDB store and the tiny graph."""

import pytest
from kg.errors import QueryError, ReportError, SchemaError, SubgraphTooLargeError
from kg.reason.ask import answer, ask_command, graph_resolver
from kg.reason.contradictions import contradictions, contradictions_in_store
from kg.reason.discovery import swanson_abc
from kg.reason.inferred import from_discoveries, write_inferred
from kg.reason.paths import best_paths, with_evidence
from kg.reason.report import concept_report, patient_report, report_command, to_html, to_markdown
from kg.reason.subgraph import extract_subgraph
from kg.reason.viz import neighbourhood, viz_command


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
    assert edge["combined_score"] == pytest.approx(1 - 0.1 * 0.2)
    strong = extract_subgraph(store, [tiny.MET.id], hops=1, min_score=0.95)
    assert set(strong.nodes) == {tiny.MET.id, tiny.LA.id, tiny.LAC.id}
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
    # two co-mention hops scored 1.0 beat the direct edge (noisy-OR 0.98) by less than a hop's tie cost
    assert [p.nodes for p in paths] == [(tiny.MET.id, tiny.LAC.id, tiny.LA.id), (tiny.MET.id, tiny.LA.id)]
    assert paths[1].score == pytest.approx(0.98)
    assert {c.doc_id for c in paths[1].hops[0].evidence} == {"PMID:1", "PMID:2"}
    found = swanson_abc(extract_subgraph(store, [tiny.LAC.id], hops=2), tiny.LAC.id)
    assert [d.concept for d in found] == [tiny.DM2.id]  # Metformin and lactic acidosis are direct neighbours
    [c] = contradictions(g)
    assert (c.subject, c.object, c.affirmed, c.negated) == (tiny.MET.id, tiny.LA.id, 1, 1)
    assert [(x.subject, x.object) for x in contradictions_in_store(store)] == [(tiny.MET.id, tiny.LA.id)]


def test_ask_three_templates_with_citations(store, tiny):
    resolve = graph_resolver(store)
    causes = answer("Which drugs are reported to cause lactic acidosis, and where?", store, resolve)
    assert causes.supported and causes.template == "causes"
    assert [i.concept for i in causes.items] == [tiny.MET.id] and causes.items[0].claimed
    assert {c.doc_id for c in causes.items[0].citations} == {"PMID:1", "PMID:2"}
    assert "PMID:1" in causes.to_markdown()

    treats = answer("what treats type 2 diabetes?", store, resolve)
    assert [i.concept for i in treats.items] == [tiny.MET.id]

    suggests = answer("What does a low white cell count point to?", store, resolve)
    assert [i.concept for i in suggests.items] == [tiny.INF.id]
    assert not suggests.items[0].claimed and "not a claim" in suggests.message

    links = answer("What could link lactic acid to type 2 diabetes?", store, resolve)
    assert [p.nodes for p in links.paths][0] == (tiny.LAC.id, tiny.MET.id, tiny.DM2.id)
    assert all(h.evidence for h in links.paths[0].hops)

    yes = answer("Does warfarin interact with aspirin?", store, resolve)
    assert yes.message.startswith("Yes") and yes.items[0].citations[0].doc_id == "PMID:5"
    no = answer("Does warfarin interact with metformin?", store, resolve)
    assert no.items == [] and "no edge" in no.message


def test_ask_refuses_unknown_concepts_and_shapes(store, settings, tiny):
    unknown = answer("what causes dragon pox?", store, graph_resolver(store))
    assert not unknown.supported and "dragon pox" in unknown.message and unknown.items == []
    text, code = ask_command("Is this a question?", settings)
    assert code == 2 and "I can only answer" in text
    text, code = ask_command("what is associated with MESH:D007970", settings)
    assert code == 0 and "Infections" in text


def test_report_markdown_html_and_patient(store, settings, tmp_path, tiny):
    rep = concept_report(store, tiny.MET.id)
    md = to_markdown(rep)
    assert "Glucophage" in md and "CHEBI:6801" in md
    assert "PMID:1" in md and "did not cause lactic acidosis" in md
    assert "## Negated evidence" in md and md.index("PMID:2", md.index("## Negated evidence")) > 0
    page = to_html(rep)
    assert page.startswith("<!doctype html>") and "Metformin" in page and "<script" not in page
    assert [p["id"] for p in rep.papers] == ["PMID:4", "PMID:3", "PMID:2", "PMID:1"]  # newest first
    patient = to_markdown(patient_report(store, tiny.PATIENT))
    assert "| Leukopenia (MESH:D007970) | Disease | **affirmed** | affirmed 1 | 1 | 2021 |" in patient
    assert "| Diabetes Mellitus, Type 2 (MESH:D003924) | Disease | **negated** | negated 1 | 1 | 2021 |" in patient
    assert "<td class=\"neg\">negated</td>" in to_html(patient_report(store, tiny.PATIENT))
    with pytest.raises(ReportError):
        concept_report(store, "MESH:D000000")
    out = report_command("Metformin", settings, out=tmp_path / "met.html")
    assert (tmp_path / "met.html").read_text(encoding="utf-8").count("PMID:") >= 2 and out.endswith("met.html")


@pytest.mark.slow  # matplotlib import and drawing: about 3 s
def test_viz_png_and_self_contained_html(store, settings, tmp_path, tiny):
    g = neighbourhood(store, tiny.MET.id, hops=2, max_nodes=3)
    assert g.number_of_nodes() == 3 and tiny.MET.id in g
    png = viz_command("Metformin", settings, out=tmp_path / "m.png", hops=2)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = viz_command(tiny.MET.id, settings, out=tmp_path / "m.html").read_text(encoding="utf-8")
    assert "new vis.Network" in page and "<script src" not in page and "Lactic Acid" in page


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
    with pytest.raises(SchemaError):
        write_inferred(store, edges, rel_type=tiny.predicate(store.schema, "biolink:causes"))
    with pytest.raises(QueryError):
        store.query("MATCH ()-[t:INFERRED]->() DELETE t")  # read-only unless asked
    assert {tiny.WARF.id, tiny.ASP.id} <= set(extract_subgraph(store, None).nodes)


def test_ask_with_subtypes_covers_them_and_says_so(store, tiny):
    from kg.reason.closure import isa_graph_from_parents

    isa = isa_graph_from_parents([(tiny.LA.id, "MESH:D000138", "mesh")])  # lactic acidosis is_a acidosis
    store.query("MERGE (c:Concept {id: 'MESH:D000138'}) SET c.name = 'Acidosis'", write=True)
    plain = answer("what causes acidosis?", store, graph_resolver(store))
    assert plain.items == []
    wide = answer("what causes acidosis?", store, graph_resolver(store), isa=isa, include_subtypes=True)
    assert [(i.concept, i.about) for i in wide.items] == [(tiny.MET.id, tiny.LA.id)]
    assert "via subtype MESH:D000140" in wide.to_markdown()
    with pytest.raises(ValueError):
        answer("what causes acidosis?", store, graph_resolver(store), include_subtypes=True)
