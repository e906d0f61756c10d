"""evaluate_link on a two-document PubTator file linked by the fixture-store linker."""

from __future__ import annotations

import pytest

from kg.evaluate.link import evaluate_link
from kg.link.conceptstore import ConceptStore
from kg.link.tfidf import TfidfLinker

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
    report = evaluate_link(path, TfidfLinker(ConceptStore.open(built[0])))
    assert report.documents == 2
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


class _NoVariants:
    """An extractor that finds one chemical and no variants (as the statistical NER mostly does)."""

    name, version = "stub", "1"

    def extract(self, docs, batch_size=256):
        from kg.models import DocumentMentions, Mention

        for doc in docs:
            s = doc.text.index("metformin")
            yield DocumentMentions(document=doc, mentions=(
                Mention(doc_id=doc.id, start=s, end=s + 9, text="metformin", label="Chemical",
                        extractor="stub", extractor_version="1"),
                Mention(doc_id=doc.id, start=0, end=3, text="The", label="Variant", extractor="stub",
                        extractor_version="1"),
            ))


def test_end_to_end_variants_come_from_the_rules(tmp_path):
    from kg.evaluate.link import WithVariants

    text = "The R215W change and metformin."
    doc = tmp_path / "d.PubTator"
    doc.write_text(f"7|t|{text}\n7|a|\n7\t4\t9\tR215W\tSequenceVariant\tp|SUB|R|215|W\n\n")
    from kg.sources.pubtator import read_pubtator

    (document,) = [d.to_document() for d in read_pubtator(doc)]
    (item,) = WithVariants(_NoVariants()).extract([document])
    assert [(m.text, m.label) for m in item.mentions] == [("R215W", "Variant"), ("metformin", "Chemical")]


def test_gold_ids_resolved_through_the_store_count_the_same_concept(built, tmp_path):
    path = tmp_path / "omim.PubTator"
    path.write_text("3|t|NIDDM runs in families.\n3|a|\n3\t0\t5\tNIDDM\tDisease\tOMIM:125853\n\n")
    report = evaluate_link(path, TfidfLinker(ConceptStore.open(built[0])))
    # the corpus wrote the OMIM id, the linker the MeSH concept MONDO maps it to
    assert report.concepts_gold_mentions["Disease"].tp == 0
    assert report.concepts_gold_mentions_resolved["Disease"].tp == 1
