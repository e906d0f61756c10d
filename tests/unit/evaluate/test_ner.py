import pytest

from kg.config import SHARED_DATA
from kg.evaluate.ner import annotate_pubtator, corpus_id, evaluate_ner
from kg.extract.dictionary import DictionaryExtractor
from kg.link.dictionary import DictionaryLinker
from kg.link.lexicon import Lexicon
from kg.sources.pubtator import PubtatorAnnotation, PubtatorDocument, PubtatorRelation, read_pubtator


def _doc(pmid, *anns, title="Naloxone reverses hypertension in rats.", abstract=""):
    return PubtatorDocument(
        pmid=pmid,
        title=title,
        abstract=abstract,
        annotations=tuple(PubtatorAnnotation(start=s, end=e, text="x", type=t, ids=ids) for s, e, t, ids in anns),
    )


def test_exact_span_and_type_scores():
    gold = [_doc("1", (0, 8, "Chemical", ("D1",)), (18, 30, "Disease", ("D2",))), _doc("2", (0, 8, "Chemical", ("D1",)))]
    pred = [
        _doc("1", (0, 8, "Chemical", ("D1",)), (18, 30, "Chemical", ("D2",)), (34, 38, "Disease", ("-1",))),
        _doc("2", (0, 7, "Chemical", ("D1",))),
    ]
    r = evaluate_ner(gold, pred, concepts=True)
    assert r.documents == 2
    c, d = r.entities["Chemical"], r.entities["Disease"]
    assert (c.tp, c.fp, c.fn) == (1, 2, 1)
    assert (d.tp, d.fp, d.fn) == (0, 1, 1)
    assert (r.overall.tp, r.overall.fp, r.overall.fn) == (1, 3, 2)
    assert r.overall.precision == pytest.approx(0.25) and r.overall.recall == pytest.approx(1 / 3)
    assert r.overall.f1 == pytest.approx(2 * 0.25 * (1 / 3) / (0.25 + 1 / 3))
    # concept level: per document sets of (type, id); NIL is ignored
    assert (r.concepts["Chemical"].tp, r.concepts["Chemical"].fp, r.concepts["Chemical"].fn) == (2, 1, 0)
    assert (r.concepts["Disease"].tp, r.concepts["Disease"].fp, r.concepts["Disease"].fn) == (0, 0, 1)
    assert "overall" in r.table()


def test_corpus_types_are_mapped_and_restricted():
    gold = [_doc("1", (0, 8, "SpecificDisease", ()), (18, 30, "GeneOrGeneProduct", ()))]
    pred = [_doc("1", (0, 8, "Disease", ()), (18, 30, "Gene", ()))]
    r = evaluate_ner(gold, pred, types=["Disease"])
    assert set(r.entities) == {"Disease"} and r.overall.f1 == 1.0


def test_missing_prediction_document_counts_as_misses():
    r = evaluate_ner([_doc("1", (0, 8, "Chemical", ()))], [])
    assert (r.overall.tp, r.overall.fn) == (0, 1) and r.overall.f1 == 0.0


def test_corpus_id():
    assert corpus_id("MESH:D009270") == "D009270"
    assert corpus_id("NCBIGene:672") == "672"
    assert corpus_id("OMIM:312080") == "OMIM:312080"
    assert corpus_id("Cellosaurus:CVCL_0031") == "CVCL_0031"  # BioRED writes cell lines bare
    assert corpus_id("tmVar:p|SUB|R|215|W") == "p|SUB|R|215|W"
    assert corpus_id(None) == "-1"


def test_annotate_pubtator_replaces_gold_with_predictions():
    lex = Lexicon.from_entries([("naloxone", "MESH:D009270", "Chemical", "t"), ("hypertension", None, "Disease", "t")])
    gold = _doc("1", (0, 3, "Chemical", ("D0",)))
    gold = gold.model_copy(update={"relations": (PubtatorRelation(type="CID", id1="a", id2="b"),)})
    (out,) = annotate_pubtator([gold], DictionaryExtractor(lex), DictionaryLinker(lex))
    assert out.relations == () and out.text == gold.text
    assert [(a.start, a.end, a.text, a.type, a.ids) for a in out.annotations] == [
        (0, 8, "Naloxone", "Chemical", ("D009270",)),
        (18, 30, "hypertension", "Disease", ("-1",)),
    ]


@pytest.mark.slow
def test_full_dictionary_baseline_on_bc5cdr_dev(tmp_path):
    dev = SHARED_DATA / "corpora/bc5cdr/CDR_DevelopmentSet.PubTator.txt"
    if not dev.exists():
        pytest.skip(f"shared corpus {dev} not available")
    from kg.config import load_settings
    from kg.link.lexicon import load_lexicon

    lex = load_lexicon(cache_dir=load_settings().data_dir / "cache")
    gold = list(read_pubtator(dev))[:100]
    pred = list(annotate_pubtator(gold, DictionaryExtractor(lex), DictionaryLinker(lex)))
    report = evaluate_ner(gold, pred, types=["Chemical", "Disease"])
    # Full-dev figure is ~0.81; a broken lexicon, matcher or offset bug drops far below this.
    assert report.overall.f1 > 0.7
