import pytest

from kg.errors import ModelError
from kg.evaluate.gold import GoldExtractor, corpus_task, described, left_out_line, predicted, resolved_gold, run_corpus
from kg.evaluate.ner import Score
from kg.evaluate.re import ReReport
from kg.pipeline import Annotator
from kg.sources.pubtator import read_pubtator
from kg.text.analyzer import TextAnalyzer

TITLE = "Lithium and cocaine toxicity."
ABSTRACT = "Tremor and seizure disorders occurred."
CORPUS = (
    f"9|t|{TITLE}\n9|a|{ABSTRACT}\n"
    "9\t0\t7\tLithium\tChemical\tD008094\n"
    "9\t30\t36\tTremor\tDisease\tD014202\n"
    "9\t41\t58\tseizure disorders\tDisease\tD012640|D004827\n"
    "9\tCID\tD008094\tD014202\n\n"
)


def _docs(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text(CORPUS, encoding="utf-8")
    return list(read_pubtator(path))


def test_linked_gold_mentions_split_composite_ids_and_take_the_analysers_sentences(tmp_path):
    docs = _docs(tmp_path)
    ((pdoc, doc),) = list(run_corpus(Annotator(TextAnalyzer(), [GoldExtractor(docs, linked=True)]), docs))
    assert pdoc.pmid == "9"
    assert [m.concept_id for m in doc.mentions] == ["MESH:D008094", "MESH:D014202", "MESH:D012640", "MESH:D004827"]
    assert doc.mentions[0].sentence_end == len(TITLE)
    assert doc.mentions[1].sentence_start == len(TITLE) + 1
    # written back as the corpus writes a composite mention: one span, its ids joined
    assert [(a.text, a.ids) for a in predicted(pdoc, doc).annotations] == [
        ("Lithium", ("D008094",)), ("Tremor", ("D014202",)), ("seizure disorders", ("D012640", "D004827"))]


def test_unlinked_gold_mentions_and_predictions_in_corpus_notation(tmp_path):
    docs = _docs(tmp_path)
    ((pdoc, doc),) = list(run_corpus(Annotator(TextAnalyzer(), [GoldExtractor(docs, linked=False)]), docs))
    assert [m.text for m in doc.mentions] == ["Lithium", "Tremor", "seizure disorders"]
    assert all(not m.candidates for m in doc.mentions)
    out = predicted(pdoc, doc)
    assert [a.ids for a in out.annotations] == [("-1",)] * 3 and out.relations == ()
    assert corpus_task(docs) == "cid"


def test_a_document_the_corpus_holds_twice_comes_back_twice(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text(CORPUS + CORPUS, encoding="utf-8")
    docs = list(read_pubtator(path))
    out = list(run_corpus(Annotator(TextAnalyzer(), [GoldExtractor(docs, linked=True)]), docs))
    assert [(pdoc.pmid, len(doc.mentions)) for pdoc, doc in out] == [("9", 4), ("9", 4)]



class _FailsOn:
    """A component that breaks on the documents whose text holds ``word``."""

    name, version, settings = "fails-on", "1", {}

    def __init__(self, word: str) -> None:
        self.word = word

    def pipe(self, docs, batch_size=256):
        for doc in docs:
            if self.word in doc.text:
                raise RuntimeError(f"cannot read {self.word}")
            yield doc


def test_a_document_that_fails_in_the_pipeline_is_accounted_for_not_lost(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text(CORPUS + CORPUS.replace("9|", "10|").replace("9\t", "10\t").replace("Tremor", "Tremxr"),
                    encoding="utf-8")
    docs = list(read_pubtator(path))
    chain = Annotator(TextAnalyzer(), [GoldExtractor(docs, linked=True), _FailsOn("Tremxr")])
    left_out: list = []
    assert [p.pmid for p, _ in run_corpus(chain, docs, left_out=left_out)] == ["9"]
    assert [q.record for q in left_out] == ["PMID:10"] and "cannot read Tremxr" in described(left_out)[0]
    # without a list to account for it (training), the failure is raised, naming the document
    with pytest.raises(ModelError, match=r"E415: 1 of 2 documents of c.txt failed in the pipeline; the first, PMID:10: E340"):
        list(run_corpus(chain, docs, corpus="c.txt"))
    # and when every document fails there is nothing to score: raised even with a list
    with pytest.raises(ModelError, match="E415: 2 of 2"):
        list(run_corpus(Annotator(TextAnalyzer(), [_FailsOn("and")]), docs, left_out=[]))
    # a report says so above its scores
    report = ReReport(documents=2, pair=Score(), pair_type=Score(), per_type={}, left_out=described(left_out))
    assert report.table().splitlines()[1] == left_out_line(described(left_out))
    assert left_out_line(["PMID:10: E340: x"]).startswith("left out: 1 document(s) failed in the pipeline and count as finding nothing")


RETIRED = (
    "5|t|Imatinib (Gleevec) for rheumatoid arthritis; qqzzxv too.\n5|a|\n"
    "5\t0\t8\tImatinib\tChemical\tC000001\n"
    "5\t10\t17\tGleevec\tChemical\tC000002\n"
    "5\t23\t43\trheumatoid arthritis\tDisease\tD001172\n"
    "5\t45\t51\tqqzzxv\tChemical\tC000003\n"
    "5\tCID\tC000001\tD001172\n"
    "5\tCID\tC000001\tC000002\n"
    "5\tCID\tC000003\tD001172\n\n"
)


def test_resolved_gold_names_a_retired_mesh_id_by_the_record_its_mentions_name(tmp_path, store):
    path = tmp_path / "r.txt"
    path.write_text(RETIRED, encoding="utf-8")
    (doc,) = resolved_gold(list(read_pubtator(path)), store)
    # C000001 and C000002 are unknown to MeSH 2024; "Imatinib" and "Gleevec" name D000068877 there
    assert [a.ids for a in doc.annotations] == [("D000068877",), ("D000068877",), ("D001172",), ("C000003",)]
    # a relation follows its ids; one between two ids of the same record is no relation; an id no
    # current record is named by ("qqzzxv") stays as written
    assert [(r.id1, r.id2) for r in doc.relations] == [("D000068877", "D001172"), ("C000003", "D001172")]


def test_a_record_that_cannot_be_read_is_left_out_and_said_and_an_unreadable_file_is_an_error(tmp_path):
    from kg.errors import SourceError
    from kg.evaluate.gold import not_read_line, read_gold

    broken = CORPUS.replace("9\t", "8\t").replace("9|", "8|")
    broken = broken.replace("8\t30\t36\tTremor", "8\t30\t99999\tTremor")  # offsets outside the text
    path = tmp_path / "c.txt"
    path.write_text(broken + CORPUS, encoding="utf-8")
    docs, not_read = read_gold(path)
    assert [d.pmid for d in docs] == ["9"] and len(not_read) == 1
    assert not_read[0].startswith("E351: ") and "record PMID 8 at line 1: mention 'Tremor' offsets" in not_read[0]
    assert not_read_line(not_read).startswith("not read: 1 record(s) could not be read and are left out")
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(SourceError, match="E222: .* holds no PubTator document that could be read .1 record"):
        read_gold(path)


def test_predictions_that_lack_corpus_documents_are_said_and_none_shared_is_an_error(tmp_path):
    from kg.errors import SourceError
    from kg.evaluate.ner import evaluate_ner_corpus

    corpus = tmp_path / "c.txt"
    corpus.write_text(CORPUS + CORPUS.replace("9|", "10|").replace("9\t", "10\t"), encoding="utf-8")
    half = tmp_path / "p.txt"
    half.write_text(CORPUS, encoding="utf-8")
    report = evaluate_ner_corpus(None, corpus, half)
    assert report["no_predictions"] == [{"documents": 1, "first PMIDs": "10"}]
    other = tmp_path / "o.txt"
    other.write_text(CORPUS.replace("9|", "11|").replace("9\t", "11\t"), encoding="utf-8")
    with pytest.raises(SourceError, match="E223: the predictions .*o.txt share no document with the corpus"):
        evaluate_ner_corpus(None, corpus, other)


def test_scores_carry_precision_recall_and_f1_in_json():
    assert Score(tp=1, fp=1, fn=3).model_dump() == {"tp": 1, "fp": 1, "fn": 3, "precision": 0.5, "recall": 0.25,
                                                    "f1": 1 / 3}


def test_predicted_keeps_only_the_relations_of_the_task_asked_for(tmp_path):
    from kg.models import Relation

    docs = _docs(tmp_path)
    ((pdoc, doc),) = list(run_corpus(Annotator(TextAnalyzer(), [GoldExtractor(docs, linked=True)]), docs))
    doc.relations = (Relation(subject="MESH:D008094", object="MESH:D014202", type="CID", score=0.9, task="cid"),
                     Relation(subject="MESH:D008094", object="MESH:D014202", type="Association", score=0.5,
                              task="biored"))
    assert [r.type for r in predicted(pdoc, doc, task="cid").relations] == ["CID"]
    assert [r.type for r in predicted(pdoc, doc, task="biored").relations] == ["Association"]
    assert len(predicted(pdoc, doc).relations) == 2
