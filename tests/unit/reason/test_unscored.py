"""Edges without scored evidence (only negated, hypothetical or family-history sentences, or only retracted
papers) are no claims in ask, report and viz; counts say papers or notes; the Markdown report escapes HTML."""

import pytest

from kg.models import Concept, Document, GraphBatch, MentionLink, Triple
from kg.reason.ask import ask
from kg.reason.ask import to_markdown as ask_markdown
from kg.reason.report import concept_report, to_html, to_markdown
from kg.reason.subgraph import extract_subgraph
from kg.reason.viz import neighbourhood


@pytest.fixture
def unscored(store, tiny):
    """Aspirin 'did not cause' leukopenia (PMID:7, the only evidence, with its co-mention); warfarin
    causes infections only in a retracted paper (PMID:8)."""
    causes = tiny.predicate(store.schema, "biolink:causes")
    cooc = tiny.predicate(store.schema, "biolink:occurs_together_in_literature_with")
    denied = "Aspirin did not cause leukopenia in this trial."
    retracted = tiny.ev(Triple(subject=tiny.WARF.id, predicate=causes, object=tiny.INF.id), "PMID:8",
                        "Warfarin caused infections.", 0.95).model_copy(update={"retracted": True})
    store.write(GraphBatch(
        documents=(Document(id="PMID:7", source="pubmed", text="x", title="Paper 7", metadata={"year": 2007}),
                   Document(id="PMID:8", source="pubmed", text="x", title="Paper 8", metadata={"year": 2008})),
        evidence=(tiny.ev(Triple(subject=tiny.ASP.id, predicate=causes, object=tiny.LEUK.id), "PMID:7", denied, 0.9,
                          "negated"),
                  tiny.ev(Triple(subject=tiny.ASP.id, predicate=cooc, object=tiny.LEUK.id), "PMID:7", denied, 1.0,
                          "negated"),
                  retracted)))
    store.refresh_statistics()
    return causes


def test_ask_never_answers_yes_from_negated_evidence_alone(store, tiny, unscored):
    answer = ask("Does aspirin cause leukopenia?", store)
    assert answer.reading.pair and not answer.message.startswith("Yes")
    assert answer.status == "no_evidence" and "What the graph has is negated evidence" in answer.message
    assert "1 negated of 1 sentence(s)" in answer.message
    [section] = answer.sections
    assert "no scored evidence" in section.title and section.kind == "edges"
    assert {i.predicate for i in section.items} == {unscored, "CO_OCCURS_WITH"}
    assert not any(i.claimed for i in section.items)
    assert section.items[0].citations[0].assertion == "negated"
    assert "(no scored evidence, not a claim)" in ask_markdown(answer)


def test_ask_lists_edges_without_scored_evidence_apart_from_claims(store, tiny, unscored):
    effects = ask("What are the side effects of aspirin?", store)
    assert effects.status == "no_evidence" and "listed apart, not as claims" in effects.message
    assert [s.kind for s in effects.sections] == ["edges"]
    assert [(i.concept.id, i.claimed) for i in effects.items()] == [(tiny.LEUK.id, False)]
    causes = ask("What causes infections?", store)  # only the retracted paper says so
    assert causes.status != "answered" and all(not i.claimed for i in causes.items())
    summary = ask("Tell me about aspirin", store)
    claimed = [i.concept.id for s in summary.sections if s.kind == "relations" for i in s.items]
    assert tiny.LEUK.id not in claimed and tiny.WARF.id in claimed
    assert any(i.concept.id == tiny.LEUK.id and not i.claimed for i in summary.items())


def test_report_and_viz_present_no_edge_without_scored_evidence_as_a_claim(store, tiny, unscored):
    rep = concept_report(store, tiny.ASP.id)
    assert tiny.LEUK.id not in {r.other for r in rep.relations + rep.comentions}
    assert [(r.predicate, r.other) for r in rep.unscored] == [(unscored, tiny.LEUK.id)]
    md = to_markdown(rep)
    claims = md[md.index("## Claimed relations"):md.index("## Co-mentions")]
    assert "Leukopenia" not in claims and "score 0.000" not in md
    apart = md[md.index("## Relations without scored evidence (not claims)"):md.index("## Negated evidence")]
    assert "Leukopenia" in apart and "1 negated of 1 sentence(s)" in apart and "did not cause leukopenia" in apart
    assert 'class="unscored"' in to_html(rep)

    warfarin = concept_report(store, tiny.WARF.id)
    assert tiny.INF.id not in {r.other for r in warfarin.relations}
    assert "1 from retracted papers of 1 sentence(s)" in to_markdown(warfarin)

    assert not extract_subgraph(store, [tiny.ASP.id], hops=1).has_edge(tiny.ASP.id, tiny.LEUK.id)
    assert tiny.LEUK.id not in neighbourhood(store, tiny.ASP.id, hops=1)
    assert tiny.INF.id not in neighbourhood(store, tiny.WARF.id, hops=1)


def test_report_counts_papers_and_notes_apart(store, tiny):
    treats = tiny.predicate(store.schema, "biolink:negatively_correlated_with")
    cooc = tiny.predicate(store.schema, "biolink:occurs_together_in_literature_with")
    store.write(GraphBatch(evidence=(
        tiny.ev(Triple(subject=tiny.MET.id, predicate=treats, object=tiny.DM2.id), "NOTE:n1", "", 0.8),
        tiny.ev(Triple(subject=tiny.MET.id, predicate=cooc, object=tiny.LAC.id), "NOTE:n1", "", 1.0))))
    rep = concept_report(store, tiny.MET.id)
    md = to_markdown(rep)
    line = next(x for x in md.splitlines() if "Diabetes Mellitus, Type 2 (MESH:D003924" in x and "**" in x)
    assert "1 paper(s) and 1 note(s)" in line and "2 paper(s)" not in line
    lactic = next(r for r in rep.comentions if r.other == tiny.LAC.id)
    assert lactic.documents == "1 paper(s) and 1 note(s)"
    assert "Relations claimed in papers" not in md and "1 paper(s) and 1 note(s)" in to_html(rep)


def test_a_pair_answer_says_papers_or_notes_as_the_evidence_is(store, tiny):
    """What relates two concepts is said to be papers, notes or both, as the documents behind the edges are."""
    causes = tiny.predicate(store.schema, "biolink:causes")
    assoc = tiny.predicate(store.schema, "biolink:associated_with")
    store.write(GraphBatch(evidence=(
        tiny.ev(Triple(subject=tiny.WARF.id, predicate=assoc, object=tiny.LEUK.id), "NOTE:n1", "", 0.8),
        tiny.ev(Triple(subject=tiny.LEUK.id, predicate=causes, object=tiny.WARF.id), "NOTE:n1", "", 0.8))))
    related = ask("Does warfarin interact with leukopenia?", store)
    assert related.message.startswith("Notes relate Warfarin and Leukopenia, but not as asked: ")
    reverse = ask("Can warfarin cause leukopenia?", store)
    assert reverse.message.startswith("Notes report the reverse direction: Leukopenia -[")
    store.write(GraphBatch(evidence=(
        tiny.ev(Triple(subject=tiny.WARF.id, predicate=assoc, object=tiny.LEUK.id), "PMID:6", "Warfarin, leukopenia.",
                0.8),)))
    assert ask("Does warfarin interact with leukopenia?", store).message.startswith("Papers and notes relate ")
    assert ask("Can warfarin cause leukopenia?", store).message.startswith("Notes report the reverse direction")


def test_the_negated_and_retracted_sections_say_when_note_text_is_not_stored(store, tiny):
    causes = tiny.predicate(store.schema, "biolink:causes")
    store.write(GraphBatch(evidence=(
        tiny.ev(Triple(subject=tiny.MET.id, predicate=causes, object=tiny.LEUK.id), "NOTE:n1", "", 0.8, "negated"),)))
    rep = concept_report(store, tiny.MET.id)
    md, page = to_markdown(rep), to_html(rep)
    negated = md[md.index("## Negated evidence"):md.index("## Evidence from retracted papers")]
    assert "NOTE:n1: (note text not stored)" in negated and '""' not in negated
    assert "did not cause lactic acidosis" in negated  # a paper's sentence is quoted as before
    assert "NOTE:n1: (note text not stored)</li>" in page
    assert "&ldquo;&rdquo;" not in page and "\u201c\u201d" not in page


def test_markdown_report_escapes_html_from_the_data(store, tiny):
    evil = Concept(id="MESH:D000001", name="Calcimycin <script>alert(1)</script>", type="Chemical")
    causes = tiny.predicate(store.schema, "biolink:causes")
    store.write(GraphBatch(
        documents=(Document(id="PMID:9", source="pubmed", text="x", title="A <b>bold</b> & odd title",
                            metadata={"journal": "J <script>alert(2)</script>", "year": 2009}),),
        concepts=(evil,),
        mentions=(MentionLink(doc_id="PMID:9", concept_id=evil.id, count=1, texts=("x",), max_score=1.0, affirmed=1,
                              extractor="test", extractor_version="1"),),
        evidence=(tiny.ev(Triple(subject=evil.id, predicate=causes, object=tiny.LA.id), "PMID:9",
                          "Calcimycin <img src=x onerror=alert(3)> caused lactic acidosis.", 0.9),)))
    md = to_markdown(concept_report(store, evil.id))
    assert "<script" not in md and "<img" not in md and "<b>" not in md
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md and "&lt;img src=x onerror=alert(3)&gt;" in md
    assert "A &lt;b&gt;bold&lt;/b&gt; &amp; odd title" in md


def test_markdown_makes_no_link_of_data_and_a_terminal_shows_the_text_as_written():
    """QA: a name "[x](javascript:...)" became a link in rendered Markdown, and the terminal showed "&lt;"."""
    from kg.reason.report import _md, plain

    text = "p < 0.01 & [x](javascript:alert(1)) <b>"
    md = _md(text)
    assert "<" not in md and "](" not in md and plain(md) == text


def test_a_coin_flip_is_weak():
    """QA: the relation heads' scores come in steps; 0.500 was not marked weak, 0.499 was."""
    from kg.reason.evidence import is_weak

    assert is_weak(0.5) and is_weak(0.3) and not is_weak(0.501)
