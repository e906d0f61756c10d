import gzip
import io

import pytest

from kg.config import SHARED_DATA
from kg.errors import RecordError
from kg.models import Quarantine
from kg.sources.pubtator import PubtatorDocument, read_pubtator, write_pubtator

CORPORA = SHARED_DATA / "corpora"

SAMPLE = (
    "1|t|Naloxone and clonidine.\n"
    "1|a|Ocular and auditory toxicity in rats.\n"
    "1\t0\t8\tNaloxone\tChemical\tD009270\n"
    "1\t24\t52\tOcular and auditory toxicity\tDisease\tD014786|D006311\tOcular toxicity|auditory toxicity\n"
    "1\t13\t22\tclonidine\tChemical\t-1\n"
    "1\tCID\tD009270\tD014786\n"
    "\n"
    "2|t|BRCA1 c|DEL|657|5 in HeLa.\n"
    "2|a|\n"
    "2\t0\t5\tBRCA1\tGeneOrGeneProduct\t672,673\n"
    "2\t6\t18\tc|DEL|657|5\tSequenceVariant\tc|DEL|657|5\n"
    "2\t22\t26\tHeLa\tCellLine\tCVCL_0030\n"
    "2\tAssociation\t672\tc|DEL|657|5\tNovel\n"
    "\n"
)


def _write(tmp_path, text, name="x.txt"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_reads_composite_ids_extra_columns_and_relations(tmp_path):
    d1, d2 = read_pubtator(_write(tmp_path, SAMPLE))
    assert d1.text == "Naloxone and clonidine. Ocular and auditory toxicity in rats."
    comp = d1.annotations[1]
    assert comp.ids == ("D014786", "D006311")
    assert comp.extra == ("Ocular toxicity|auditory toxicity",)
    assert d1.text[comp.start : comp.end] == comp.text
    assert d1.annotations[2].ids == ("-1",) and d1.annotations[2].concept_ids == ()
    assert d1.relations[0].novelty is None
    assert d2.annotations[0].ids == ("672", "673") and d2.annotations[0].id_sep == ","
    assert d2.annotations[1].ids == ("c|DEL|657|5",)  # variant ids are never split
    assert d2.annotations[2].ids == ("CVCL_0030",)
    assert d2.relations[0].novelty == "Novel"
    assert d1.to_document().id == "PMID:1" and d1.to_document().source == "pubtator"


def test_write_round_trips_bytes(tmp_path):
    buf = io.StringIO()
    write_pubtator(read_pubtator(_write(tmp_path, SAMPLE)), buf)
    assert buf.getvalue() == SAMPLE


def test_gzip_read_and_write(tmp_path):
    p = tmp_path / "x.txt.gz"
    with gzip.open(p, "wt", encoding="utf-8") as fh:
        fh.write(SAMPLE)
    docs = list(read_pubtator(p))
    out = tmp_path / "y.txt.gz"
    assert write_pubtator(docs, out) == 2
    assert list(read_pubtator(out)) == docs


def test_a_byte_order_mark_and_a_gzip_not_named_gz_are_read(tmp_path):
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbf" + SAMPLE.encode())
    upper = tmp_path / "x.PubTator.GZ"
    upper.write_bytes(gzip.compress(SAMPLE.encode()))
    assert list(read_pubtator(bom)) == list(read_pubtator(upper)) == list(read_pubtator(_write(tmp_path, SAMPLE)))


def test_ids_are_stripped_of_stray_spaces(tmp_path):
    text = "1|t|HeLa.\n1|a|\n1\t0\t4\tHeLa\tCellLine\t CVCL_0030\n\n"
    (doc,) = read_pubtator(_write(tmp_path, text))
    assert doc.annotations[0].ids == ("CVCL_0030",)


def test_documents_without_blank_separator(tmp_path):
    text = "1|t|A.\n1|a|B.\n2|t|C.\n2|a|D.\n"
    assert [d.pmid for d in read_pubtator(_write(tmp_path, text))] == ["1", "2"]


@pytest.mark.parametrize(
    "bad, needle",
    [
        ("1|t|T.\n1|a|A.\n1\t0\t99\tT\tChemical\tD1\n\n", "outside the text"),
        ("1|t|T.\n1|a|A.\n1\tonly-two\n\n", "line 3"),
        ("1|t|T.\n1|a|A.\n7\t0\t1\tT\tChemical\tD1\n\n", "belongs to PMID '7'"),
        ("1|a|A.\n\n", "no title line"),
    ],
)
def test_malformed_documents_raise_with_file_and_line(tmp_path, bad, needle):
    p = _write(tmp_path, bad)
    with pytest.raises(RecordError) as err:
        list(read_pubtator(p))
    assert str(p) in str(err.value) and needle in str(err.value)


def test_quarantine_skips_bad_document_and_keeps_going(tmp_path):
    bad = "1|t|T.\n1|a|A.\n1\t0\t99\tT\tChemical\tD1\n\n"
    good = "2|t|T.\n2|a|A.\n2\t0\t1\tT\tChemical\tD1\n\n"
    q: list[Quarantine] = []
    docs = list(read_pubtator(_write(tmp_path, bad + good), quarantine=q))
    assert [d.pmid for d in docs] == ["2"]
    assert len(q) == 1 and q[0].id == "PMID:1" and "outside the text" in q[0].reason


@pytest.mark.parametrize(
    "rel",
    ["bc5cdr/CDR_DevelopmentSet.PubTator.txt", "ncbi-disease/NCBIdevelopset_corpus.txt", "biored/Dev.PubTator"],
)
def test_real_corpus_round_trip(tmp_path, rel):
    src = CORPORA / rel
    if not src.exists():
        pytest.skip(f"shared corpus {src} not available")
    docs = list(read_pubtator(src))
    assert docs and all(isinstance(d, PubtatorDocument) for d in docs)
    out = tmp_path / "out.txt"
    write_pubtator(docs, out)
    assert list(read_pubtator(out)) == docs
    if rel.startswith("bc5cdr"):
        assert out.read_bytes() == src.read_bytes()


def test_biored_nil_marker_names_no_concept():
    from kg.sources.pubtator import PubtatorAnnotation

    a = PubtatorAnnotation(start=0, end=6, text="lectin", type="GeneOrGeneProduct", ids=("-",))
    assert a.ids == ("-",) and a.concept_ids == ()
