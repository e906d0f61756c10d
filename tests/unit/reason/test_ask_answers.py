"""What ``ask``, ``report`` and ``viz`` answer on the tiny graph: the answer type a summary is asked for,
which negative correlations are treatments, coordinated questions, names of several concepts, the hub."""

import logging

import pytest

from kg.errors import NotInGraphError
from kg.models import Concept, GraphBatch, MentionLink, Triple
from kg.reason.ask import ask, resolve_target
from kg.reason.question import Span
from kg.reason.ask import to_markdown as ask_markdown
from kg.reason.report import report_command
from kg.reason.viz import viz_command

INS = Concept(id="NCBIGene:3630", name="INS", type="Gene", synonyms=("insulin",), source="NCBIGene", release="2025")
RAT_INS = Concept(id="NCBIGene:24505", name="insulin", type="Gene", source="NCBIGene", release="2025")
ETOH = Concept(id="MESH:D000431", name="Ethanol", type="Chemical", source="MeSH", release="2025")
DILI = Concept(id="MESH:D056486", name="Chemical and Drug Induced Liver Injury", type="Disease",
               synonyms=("hepatitis",), source="MeSH", release="2025")
CHRONIC = Concept(id="MESH:D006521", name="Hepatitis, Chronic", type="Disease", synonyms=("hepatitis",),
                  source="MeSH", release="2025")


def mentions(concept: Concept, docs: int) -> tuple[MentionLink, ...]:
    return tuple(MentionLink(doc_id=f"PMID:{n}", concept_id=concept.id, count=1, texts=("x",), max_score=1.0,
                             affirmed=1, extractor="test", extractor_version="1") for n in range(1, docs + 1))


@pytest.fixture
def correlated(store, tiny):
    """Ethanol lowers INS cross-linking and metformin INS (negative correlations that are no treatment); metformin
    is associated with INS too. Metformin also causes leukopenia, and warfarin more strongly so."""
    neg = tiny.predicate(store.schema, "biolink:negatively_correlated_with")
    causes = tiny.predicate(store.schema, "biolink:causes")
    store.write(GraphBatch(concepts=(INS, ETOH), mentions=mentions(INS, 3) + mentions(ETOH, 1), evidence=(
        tiny.ev(Triple(subject=ETOH.id, predicate=neg, object=INS.id), "PMID:1",
                "Ethanol reduces the intermolecular cross-linking of insulin.", 0.7),
        tiny.ev(Triple(subject=tiny.MET.id, predicate=neg, object=INS.id), "PMID:2", "Metformin lowered insulin.", 0.6),
        tiny.ev(Triple(subject=tiny.MET.id, predicate=causes, object=tiny.LEUK.id), "PMID:3",
                "Metformin caused leukopenia.", 0.6),
        tiny.ev(Triple(subject=tiny.WARF.id, predicate=causes, object=tiny.LEUK.id), "PMID:5",
                "Warfarin caused leukopenia.", 0.8),
    )))
    store.refresh_statistics()
    return neg


def test_a_summary_asked_for_a_type_lists_only_that_type_and_says_when_nothing_is_left(store, tiny, correlated):
    genes = ask("metformin genes?", store)
    assert (genes.reading.intent, genes.reading.answer_types, genes.reading.answer_types_asked) == (
        "summary", ["Gene"], True)
    assert [i.concept.id for i in genes.items()] == [INS.id] and genes.status == "answered"
    assert all(s.title.endswith("(only Gene)") for s in genes.sections)
    assert "Only what relates it to a Gene, as the question asks." in genes.message
    drugs = ask("metformin drugs?", store)  # metformin's relations are with diseases and a gene only
    assert drugs.items() == [] and drugs.status == "no_evidence"
    assert drugs.message.endswith("The graph holds no relation or co-mention of it with a Chemical (it holds some "
                                  "with other kinds of concept: \"tell me about Metformin\" lists them).")


def test_a_negative_correlation_is_a_treatment_only_between_a_drug_and_a_disease_or_finding(store, tiny, correlated):
    summary = ask("Tell me about metformin", store)
    section = {s.title.split(" (")[0]: [i.concept.id for i in s.items] for s in summary.sections}
    assert section["treatment relations"] == [tiny.DM2.id]  # metformin and type 2 diabetes: a drug and a disease
    assert INS.id in section["other claimed relations"]  # metformin lowers insulin: a correlation
    ins = ask("Tell me about NCBIGene:3630", store)
    assert "treatment relations" not in {s.title.split(" (")[0] for s in ins.sections}
    assert {i.concept.id for i in ins.sections[0].items} == {ETOH.id, tiny.MET.id}
    treats = ask("What treats NCBIGene:3630?", store)  # nothing treats a gene
    assert treats.status != "answered" and not [i for i in treats.items() if i.claimed]
    assert "not read as treatment" in treats.message
    assert [i.concept.id for i in ask("What treats type 2 diabetes?", store).items()] == [tiny.MET.id]
    pair = ask("Does ethanol treat NCBIGene:3630?", store)
    assert not pair.message.startswith("Yes") and "but not as asked" in pair.message


def test_what_causes_two_concepts_answers_both_first_then_each(store, tiny, correlated):
    answer = ask("What causes lactic acidosis and leukopenia?", store)
    r = answer.reading
    assert not r.pair and [c.id for c in r.concepts] == [tiny.LA.id, tiny.LEUK.id] and r.intent == "causes"
    assert r.text.startswith("what causes Acidosis, Lactic (MESH:D000140) and Leukopenia (MESH:D007970), for both")
    assert answer.status == "answered"
    assert answer.message.startswith("1 concept(s) with a claimed relation of this kind to both Acidosis, Lactic and "
                                     "Leukopenia: Metformin.")
    both, la, leuk = answer.sections[:3]
    assert both.title.startswith("what causes both Acidosis, Lactic (MESH:D000140) and Leukopenia (MESH:D007970)")
    assert [(i.concept.id, i.about) for i in both.items] == [(tiny.MET.id, tiny.LA.id), (tiny.MET.id, tiny.LEUK.id)]
    assert [i.concept.id for i in la.items] == [tiny.MET.id]
    assert [i.concept.id for i in leuk.items] == [tiny.WARF.id, tiny.MET.id]  # 0.8 before 0.6
    md = ask_markdown(answer)
    assert "[for Leukopenia]" in md and "via subtype" not in md


def test_a_name_of_several_concepts_is_resolved_by_documents_and_not_silently(store, settings, tiny, caplog):
    store.write(GraphBatch(concepts=(INS, RAT_INS, DILI, CHRONIC), mentions=mentions(INS, 5) + mentions(RAT_INS, 1)
                           + mentions(DILI, 3) + mentions(CHRONIC, 2)))
    store.refresh_statistics()
    with caplog.at_level(logging.WARNING, logger="kg.reason.ask"):
        assert resolve_target(store, settings, "insulin") == INS.id  # more documents than the rat gene it names
        assert resolve_target(store, settings, "Hepatitis") == DILI.id  # a synonym of both: more documents
        assert resolve_target(store, settings, "MESH:D006521") == CHRONIC.id
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2 and all(w.startswith("E913: ") for w in warnings)
    assert RAT_INS.id in warnings[0] and f"e.g. {RAT_INS.id}" in warnings[0]
    assert "Hepatitis, Chronic (MESH:D006521, 2 document(s))" in warnings[1] and "e.g. MESH:D006521" in warnings[1]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="kg.reason.ask"):
        answer = ask("Tell me about hepatitis", store)  # ask says it too, in the reading and as a warning
    assert answer.reading.concepts[0].id == DILI.id and "also names Hepatitis, Chronic (MESH:D006521)" in \
        answer.reading.text
    assert [r.getMessage()[:6] for r in caplog.records] == ["E913: "]


def test_report_and_viz_refuse_the_human_hub_as_ask_does(store, settings, tiny, tmp_path):
    store.write(tiny.hub_and_comention_batch(store.schema))
    store.refresh_statistics()
    assert ask(f"Tell me about {tiny.HUMAN.id}", store).status == "no_concept"
    for target in ("patients", tiny.HUMAN.id):
        with pytest.raises(NotInGraphError, match="E914: .* a hub concept"):
            resolve_target(store, settings, target)
        with pytest.raises(NotInGraphError, match="E914"):
            report_command(target, settings)
        with pytest.raises(NotInGraphError, match="E914"):
            viz_command(target, settings, out=tmp_path / "hub.html")


def test_a_question_about_two_concepts_that_finds_one_says_what_became_of_the_other(store, tiny):
    """"How are metformin and humans connected?" answered what is associated with metformin, silently: the hub, the
    same concept twice (E912, as the path search raises) and words naming nothing are said."""
    store.write(tiny.hub_and_comention_batch(store.schema))
    store.refresh_statistics()
    hub = ask("How are metformin and NCBITaxon:9606 connected?", store)  # "humans", as the linker reads it
    assert hub.message.startswith("Only one of two concepts was found (E914: 'NCBITaxon:9606' is NCBITaxon:9606 "
                                  "(patients), "
                                  "a hub concept that ask, report and viz leave out), so this answers about Metformin "
                                  "alone.") and hub.status == "answered"
    same = ask("How are metformin and MESH:D008687 connected?", store)
    assert same.status == "no_concept" and same.paths == [] and same.sections == []
    assert same.message.startswith("E912: source and target are the same concept (MESH:D008687): \"metformin\" and "
                                   "\"MESH:D008687\" both name Metformin.")
    unknown = ask("How are metformin and zzqfoo connected?", store)
    assert unknown.message.startswith("Only one of two concepts was found (\"zzqfoo\" name(s) no concept of the graph)")
    plain = ask("What is associated with metformin?", store)
    assert not plain.message.startswith("Only one")  # one concept asked about: nothing lost

    def linker(text):  # medkg's linker reads "humans" as the human hub; a people word is never a concept
        i = text.index("humans")
        return [Span(i, i + 6, "humans", (("NCBITaxon:9606", 1.0, None),))]

    people = ask("How are metformin and humans connected?", store, linker)
    assert people.message.startswith("Only one of two concepts was found (E914: 'humans' is NCBITaxon:9606 (patients), "
                                     "a hub concept")


def test_a_summary_shares_the_limit_among_its_sections(store, tiny, correlated):
    """QA: `ask 'Tell me about diabetes' --limit 1` listed up to 5 answers in every section, whatever the limit."""
    def largest(limit: int) -> int:
        return max(len(s.items) for s in ask("Tell me about NCBIGene:3630", store, limit=limit).sections)

    assert largest(10) == 2  # ethanol and metformin lower INS: both fit in half of the default limit
    assert largest(2) == 1 and largest(1) == 1  # half the limit, at least one
