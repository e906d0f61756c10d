import pytest

from kg.config import SHARED_DATA
from kg.evaluate.re import _trained_on_note, corpus_task, evaluate_re, predict_relations, reliability, score_reliability
from kg.models import Relation
from kg.sources.pubtator import PubtatorDocument, PubtatorRelation, read_pubtator


def _doc(pmid, *rels):
    return PubtatorDocument(
        pmid=pmid, title="t", abstract="a", relations=tuple(PubtatorRelation(type=t, id1=a, id2=b, novelty=n) for t, a, b, n in rels)
    )


def test_pairs_are_unordered_and_types_are_scored_separately():
    gold = [_doc("1", ("Association", "672", "D001", "Novel"), ("Bind", "7157", "D002", "No")), _doc("2", ("Association", "1", "D3", "No"))]
    pred = [_doc("1", ("Association", "D001", "672", "No"), ("Association", "7157", "D002", "No"), ("Association", "9", "D9", "No"))]
    r = evaluate_re(gold, pred, corpus="x")
    assert (r.pair.tp, r.pair.fp, r.pair.fn) == (2, 1, 1)  # PMID 2 missing from predictions: one FN
    assert (r.pair_type.tp, r.pair_type.fp, r.pair_type.fn) == (1, 2, 2)
    assert r.novelty is not None and r.novelty.tp == 0
    assert r.per_type["Bind"].fn == 1 and r.per_type["Association"].tp == 1
    assert r.pair.precision == pytest.approx(2 / 3) and r.pair.recall == pytest.approx(2 / 3)
    assert "pair+type+novelty" in r.table()


def test_cid_has_no_novelty_and_pair_equals_pair_type():
    gold = [_doc("1", ("CID", "D1", "D2", None))]
    r = evaluate_re(gold, [_doc("1", ("CID", "D1", "D2", None))])
    assert r.novelty is None and r.pair.f1 == r.pair_type.f1 == 1.0
    assert corpus_task(gold) == "cid" and corpus_task([_doc("1", ("Bind", "1", "2", "No"))]) == "biored"


def test_reliability_bins_scores_and_counts_the_right_ones():
    rows = reliability([0.05, 0.92, 0.95, 0.97, 0.55], [False, True, True, False, True])
    assert [(r.bin, r.count) for r in rows] == [("0.0-0.1", 1), ("0.5-0.6", 1), ("0.9-1.0", 3)]
    top = rows[-1]
    assert top.mean_score == pytest.approx(0.947, abs=1e-3) and top.observed == pytest.approx(2 / 3, abs=1e-3)
    assert reliability([1.0], [True])[0].bin == "0.9-1.0"


def test_score_reliability_needs_pair_and_type_right():
    gold = [_doc("1", ("Association", "672", "D001", "No"))]
    scored = [("1", Relation(subject="MESH:D001", object="NCBIGene:672", type="Association", score=0.8)),
              ("1", Relation(subject="MESH:D001", object="NCBIGene:672", type="Bind", score=0.85)),
              ("2", Relation(subject="MESH:D001", object="NCBIGene:672", type="Association", score=0.3))]
    rows = score_reliability(gold, scored)
    assert [(r.bin, r.observed, r.count) for r in rows] == [("0.3-0.4", 0.0, 1), ("0.8-0.9", 0.5, 2)]
    report = evaluate_re(gold, gold).model_copy(update={"reliability": rows})
    assert "reliability" in report.table() and "0.8-0.9" in report.table()


def test_the_table_gives_the_scores_against_resolved_gold_ids_below_the_written_ones():
    gold = [_doc("1", ("CID", "C084178", "D2", None))]
    found = [_doc("1", ("CID", "D000077333", "D2", None))]
    resolved = evaluate_re([_doc("1", ("CID", "D000077333", "D2", None))], found)
    report = evaluate_re(gold, found).model_copy(update={"resolved": resolved})
    assert report.pair.tp == 0 and report.resolved.pair.tp == 1
    lines = report.table().splitlines()
    at = lines.index(next(x for x in lines if x.startswith("gold ids resolved by the store")))
    assert lines[at + 1].split()[:4] == ["pair", "1.000", "1.000", "1.000"]
    assert '"resolved"' in report.model_dump_json()


@pytest.mark.slow
def test_shipped_model_on_bc5cdr_dev_with_gold_entities():
    from pathlib import Path

    from kg.pipeline import Annotator
    from kg.relate.model import RelationExtractor, RelationModel
    from kg.text.analyzer import TextAnalyzer

    from fakes import WordExtractor

    model_dir = Path(__file__).resolve().parents[3] / "models" / "re-cpu"
    dev = SHARED_DATA / "corpora/bc5cdr/CDR_DevelopmentSet.PubTator.txt"
    if not dev.exists() or not (model_dir / "model.joblib").exists():
        pytest.skip(f"needs {dev} and the shipped model in {model_dir}")
    gold = list(read_pubtator(dev))[:60]
    model = RelationModel.load(model_dir)
    chain = Annotator(TextAnalyzer(), [WordExtractor(), RelationExtractor(model, ("cid",))])
    pred = list(predict_relations(gold, chain, gold_entities=True))
    assert all(r.type == "CID" for d in pred for r in d.relations)
    assert [a.start for a in pred[0].annotations] == [a.start for a in gold[0].annotations]  # gold entities kept
    # the shipped model learned from these abstracts (`medkg train re --with-dev`): a smoke check that it loads and
    # predicts, not a measure (that is `medkg evaluate re --cross-fitted`), and the report must say so
    assert evaluate_re(gold, pred).pair.f1 > 0.45
    assert "trained on 60 of these 60 documents" in _trained_on_note(model, gold)
