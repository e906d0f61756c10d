"""evaluate_link on a two-document PubTator file linked by the fixture-store linker."""

from __future__ import annotations

import pytest

from kg.evaluate.link import evaluate_link
from kg.link.tfidf import TfidfLinker
from kg.pipeline import Annotator
from kg.text.analyzer import TextAnalyzer
from kg.vocab.conceptstore import ConceptStore

from fakes import Tagger, WordExtractor

CORPUS = """\
1|t|NIDDM and metformin.
1|a|Asthma too.
1\t0\t5\tNIDDM\tDisease\tD003924
1\t10\t19\tmetformin\tChemical\tD008687
1\t21\t27\tAsthma\tDisease\tD009999

2|t|Seizures after qqzzxv.
2|a|Nothing else.
2\t0\t8\tSeizures\tSpecificDisease\tD012640
2\t15\t21\tqqzzxv\tChemical\tD000001
2\t22\t26\tNoth\tDisease\t-1

"""


def test_accuracy_and_document_level_scores(built, tmp_path):
    path = tmp_path / "gold.PubTator"
    path.write_text(CORPUS)
    chain = Annotator(TextAnalyzer(), [WordExtractor(), TfidfLinker(ConceptStore.open(built[0]))])
    report = evaluate_link(path, chain, end_to_end=False)
    assert report.documents == 2 and report.concepts_end_to_end == {}
    disease, chemical = report.accuracy["Disease"], report.accuracy["Chemical"]
    # NIDDM, Seizures right; Asthma linked to D001249, gold says D009999; "Noth" has no gold id
    assert (disease.mentions, disease.correct, disease.gold_nil) == (3, 2, 1)
    assert disease.accuracy == pytest.approx(2 / 3)
    # metformin right; qqzzxv is NIL
    assert (chemical.mentions, chemical.correct, chemical.nil_predicted) == (2, 1, 1)
    doc = report.concepts_gold_mentions
    assert (doc["Disease"].tp, doc["Disease"].fn) == (2, 1)
    assert (doc["Chemical"].tp, doc["Chemical"].fp, doc["Chemical"].fn) == (1, 0, 1)
    out = report.as_dict()
    assert out["accuracy_at_1"]["Disease"]["accuracy"] == pytest.approx(0.6667, abs=1e-4)
    assert "Disease" in report.table()


def test_end_to_end_runs_the_chains_extractor(built, tmp_path):
    path = tmp_path / "gold.PubTator"
    path.write_text("3|t|Aspirin for fever.\n3|a|None.\n3\t0\t7\tAspirin\tChemical\tD001241\n\n")
    chain = Annotator(TextAnalyzer(), [WordExtractor(), TfidfLinker(ConceptStore.open(built[0]))])
    report = evaluate_link(path, chain)
    # the word extractor finds "aspirin" (a chemical) and "fever"; fever is not scored: the gold has no disease
    assert set(report.concepts_end_to_end) == {"Chemical", "overall"}
    assert report.mentions_per_second > 0


def test_gold_ids_resolved_through_the_store_count_the_same_concept(built, tmp_path):
    path = tmp_path / "omim.PubTator"
    path.write_text("3|t|NIDDM runs in families.\n3|a|\n3\t0\t5\tNIDDM\tDisease\tOMIM:125853\n\n")
    chain = Annotator(TextAnalyzer(), [WordExtractor(), TfidfLinker(ConceptStore.open(built[0]))])
    report = evaluate_link(path, chain, end_to_end=False)
    # the corpus wrote the OMIM id, the linker the MeSH concept MONDO maps it to
    assert report.concepts_gold_mentions["Disease"].tp == 0
    assert report.concepts_gold_mentions_resolved["Disease"].tp == 1


def test_a_retired_gold_id_counts_end_to_end_once_resolved(built, tmp_path):
    path = tmp_path / "old.PubTator"
    path.write_text("4|t|Venlafaxine overdose.\n4|a|\n4\t0\t11\tVenlafaxine\tChemical\tC047426\n\n")
    chain = Annotator(TextAnalyzer(), [Tagger({"Venlafaxine": "Chemical"}), TfidfLinker(ConceptStore.open(built[0]))])
    report = evaluate_link(path, chain)
    # the corpus wrote the id MeSH 2024 retired; the linker names the record that replaced it
    assert report.concepts_end_to_end["Chemical"].tp == 0
    resolved = report.concepts_end_to_end_resolved["Chemical"]
    assert (resolved.tp, resolved.fp, resolved.fn) == (1, 0, 0)
    assert report.as_dict()["document_level_end_to_end_resolved_ids"]["Chemical"]["f1"] == 1.0
