from kg.link import Linker
from kg.link.dictionary import NORMALISED_PENALTY, DictionaryLinker
from kg.link.lexicon import Lexicon
from kg.models import Candidate, Document, DocumentMentions, Mention

LEX = Lexicon.from_entries(
    [
        ("brain tumor", "MESH:D001932", "Disease", "t"),
        ("brain tumor", "MESH:D001932", "Disease", "t"),
        ("brain tumor", "MESH:D009369", "Disease", "t"),
        ("insulin", "NCBIGene:3630", "Gene", "t"),
        ("insulin", "MESH:D007328", "Chemical", "t"),
        ("xq", None, "Chemical", "t"),
    ],
    names={"MESH:D001932": "Brain Neoplasms"},
)
DOC = Document(id="PMID:1", source="text", text="x" * 100)


def _mention(text, label, **kw):
    return Mention(doc_id="PMID:1", start=0, end=len(text), text=text, label=label, extractor="t", extractor_version="1", **kw)


def _link(*mentions):
    (item,) = DictionaryLinker(LEX).link([DocumentMentions(document=DOC, mentions=mentions)])
    return item.mentions


def test_is_a_linker():
    assert isinstance(DictionaryLinker(LEX), Linker)


def test_exact_match_ranks_by_support_with_names():
    (m,) = _link(_mention("Brain Tumor", "Disease"))
    assert [c.concept_id for c in m.candidates] == ["MESH:D001932", "MESH:D009369"]
    assert m.candidates[0].name == "Brain Neoplasms"
    assert m.candidates[0].score > m.candidates[1].score


def test_normalised_match_handles_word_order_plural_punctuation():
    (m,) = _link(_mention("Tumors, Brain", "Disease"))
    assert m.concept_id == "MESH:D001932"
    assert m.candidates[0].score <= NORMALISED_PENALTY


def test_type_aware():
    gene, chem = _link(_mention("insulin", "Gene"), _mention("insulin", "Chemical"))
    assert [c.concept_id for c in gene.candidates] == ["NCBIGene:3630"]
    assert [c.concept_id for c in chem.candidates] == ["MESH:D007328"]


def test_nil_when_nothing_or_only_id_less_forms_match():
    a, b, c = _link(_mention("unknownoma", "Disease"), _mention("xq", "Chemical"), _mention("insulin", "Disease"))
    assert a.candidates == b.candidates == c.candidates == ()
    assert a.concept_id is None


def test_upstream_candidates_are_kept():
    pre = (Candidate(concept_id="MESH:D000001", score=0.5),)
    (m,) = _link(_mention("brain tumor", "Disease", candidates=pre))
    assert m.candidates == pre


def test_concepts_named_typed_with_synonyms_unknown_left_out():
    linker = DictionaryLinker(LEX)
    c1, c2 = linker.concepts(["MESH:D001932", "NCBIGene:3630", "MESH:D000404", "MESH:D001932"])
    assert (c1.id, c1.name, c1.type, c1.synonyms) == ("MESH:D001932", "Brain Neoplasms", "Disease", ("brain tumor",))
    assert (c2.name, c2.type, c2.source) == ("insulin", "Gene", "NCBIGene")
