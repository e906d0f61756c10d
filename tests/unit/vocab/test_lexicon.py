import gzip

import pytest

from kg.errors import OntologyError
from kg.vocab.corpora import TRAIN_CORPORA, Corpus
from kg.vocab.lexicon import (
    MESH_DESCRIPTORS,
    MESH_DISEASE_TERMS,
    Lexicon,
    build_lexicon,
    load_lexicon,
    normalise,
    to_curie,
)


def _gz(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(text)


def _doc(pmid, title, anns):
    lines = [f"{pmid}|t|{title}", f"{pmid}|a|"]
    for form, type_, id_ in anns:
        start = title.index(form)
        lines.append(f"{pmid}\t{start}\t{start + len(form)}\t{form}\t{type_}\t{id_}")
    return "\n".join(lines) + "\n\n"


@pytest.fixture
def shared(tmp_path):
    _gz(
        tmp_path / MESH_DISEASE_TERMS,
        "term\tmesh_id\tpreferred_name\ttree_numbers\n"
        "brain tumor\tMESH:D001932\tBrain Neoplasms\tC04\n"
        "ab\tMESH:D000001\tShort Thing\tC04\n"
        "the\tMESH:D000002\tStop Thing\tC04\n",
    )
    _gz(
        tmp_path / MESH_DESCRIPTORS,
        "id,scheme,subject\n"
        "https://id.nlm.nih.gov/mesh/D009270,MeSH,Naloxone\n"
        "https://id.nlm.nih.gov/mesh/D001932,MeSH,Brain Neoplasms\n"
        "https://id.nlm.nih.gov/mesh/D000003,MeSH,Abattoirs\n"
        "https://id.nlm.nih.gov/mesh/D017311,MeSH,Amlodipine\n"
        "https://id.nlm.nih.gov/mesh/D014404,MeSH,Tubulin\n",
    )
    bc5 = "".join(
        [
            _doc("1", "naloxone and lead poisoning", [("naloxone", "Chemical", "D009270"), ("lead poisoning", "Disease", "D007855")]),
            _doc("2", "lead was given", [("lead", "Chemical", "D007854")]),
            _doc("3", "this will lead to lead to lead", []),
            _doc("4", "p53 and 12345 and nalozone", [("12345", "Chemical", "D1"), ("nalozone", "Chemical", "-1")]),
            *(_doc(str(p), "naloxone helps", [("naloxone", "Chemical", "D009270")]) for p in (10, 11, 12)),
        ]
    )
    ncbi = _doc("5", "brain tumor seen", [("brain tumor", "SpecificDisease", "D001932")])
    biored = "".join(
        [
            _doc("6", "BRCA1 in patients", [("BRCA1", "GeneOrGeneProduct", "672"), ("patients", "OrganismTaxon", "9606")]),
            _doc("7", "naloxone given", [("naloxone", "GeneOrGeneProduct", "999")]),
        ]
    )
    for rel, text in zip([c.path for c in TRAIN_CORPORA], [bc5, ncbi, biored], strict=True):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    return tmp_path


def test_normalise_ignores_case_punctuation_plural_and_order():
    assert normalise("Neoplasms, Brain") == normalise("brain neoplasm") == "brain neoplasm"
    assert normalise("Bodies of the Kidney") == normalise("kidney body")
    assert normalise("Abscess") == "abscess"  # -ss is not a plural
    assert normalise("Skin rashes") == normalise("Skin Rash") and normalise("abscesses") == "abscess"
    assert normalise("hot flushes") == normalise("Hot Flush") and normalise("reflexes") == "reflex"
    assert normalise("headaches") == "headache" and normalise("branches") == "branch"


@pytest.mark.parametrize(
    "raw, type_, curie",
    [
        ("D009270", "Chemical", "MESH:D009270"),
        ("OMIM:312080", "Disease", "OMIM:312080"),
        ("672", "Gene", "NCBIGene:672"),
        ("9606", "Species", "NCBITaxon:9606"),
        ("rs74805019", "Variant", "dbSNP:rs74805019"),
        ("c|DEL|657|5", "Variant", "tmVar:c|DEL|657|5"),
        ("CVCL_1452", "CellLine", "Cellosaurus:CVCL_1452"),
        ("-1", "Chemical", None),
    ],
)
def test_to_curie(raw, type_, curie):
    assert to_curie(raw, type_) == curie


def test_build_types_filters_and_names(shared):
    lex = build_lexicon(shared)
    assert [(e.concept_id, e.type) for e in lex.lookup("Brain Tumor")] == [("MESH:D001932", "Disease")] * 2
    assert lex.lookup("brca1")[0].concept_id == "NCBIGene:672"
    assert lex.lookup("patients")[0].concept_id == "NCBITaxon:9606"
    assert lex.lookup("nalozone")[0].concept_id is None  # typed but id-less
    # preferred names join only when the concept's type is known from another source
    assert [e.source for e in lex.lookup("brain neoplasms")] == ["mesh"]
    assert lex.lookup("abattoirs") == ()
    # untyped one-word descriptors with a drug-name ending are typed Chemical; proteins are not
    assert [(e.concept_id, e.type, e.source) for e in lex.lookup("amlodipine")] == [
        ("MESH:D017311", "Chemical", "mesh-suffix")
    ]
    assert lex.lookup("tubulin") == ()
    assert lex.names["MESH:D000003"] == "Abattoirs"
    # noise: too short, stopword, number
    assert lex.lookup("ab") == lex.lookup("the") == lex.lookup("12345") == ()
    # "lead" is annotated once in 4 occurrences of corpora that annotate chemicals: dropped
    assert lex.lookup("lead") == ()
    # "naloxone" is mostly a Chemical: the single Gene reading is dropped
    assert {e.type for e in lex.lookup("naloxone")} == {"Chemical"}


def test_refuses_development_split(shared, monkeypatch):
    import kg.vocab.lexicon as lexicon

    dev = shared / "corpora/bc5cdr/CDR_DevelopmentSet.PubTator.txt"
    dev.write_text("", encoding="utf-8")
    monkeypatch.setattr(lexicon, "TRAIN_CORPORA", (Corpus("bc5cdr", str(dev.relative_to(shared)), frozenset()),))
    with pytest.raises(OntologyError, match="evaluation split"):
        build_lexicon(shared)


def test_missing_input_names_the_file(tmp_path):
    with pytest.raises(OntologyError, match="mesh_disease_terms"):
        build_lexicon(tmp_path)


def test_a_missing_training_corpus_is_left_out_as_the_concept_store_leaves_it(shared):
    (shared / TRAIN_CORPORA[2].path).unlink()  # no BioRED training split
    lex = build_lexicon(shared)
    assert lex.lookup("brca1") == ()  # a name only BioRED taught
    assert {e.type for e in lex.lookup("naloxone")} == {"Chemical"} and lex.lookup("brain tumor")


def test_cache_is_reused_and_invalidated_by_input_change(shared, tmp_path):
    cache = tmp_path / "cache"
    first = load_lexicon(shared, cache_dir=cache)
    files = list(cache.glob("lexicon-*.pkl"))
    assert len(files) == 1
    again = load_lexicon(shared, cache_dir=cache)
    assert again.entries == first.entries and again.hash == first.hash
    with (shared / TRAIN_CORPORA[1].path).open("a", encoding="utf-8") as fh:
        fh.write(_doc("8", "glioma seen", [("glioma", "DiseaseClass", "D005910")]))
    changed = load_lexicon(shared, cache_dir=cache)
    assert changed.hash != first.hash and changed.lookup("glioma")
    assert len(list(cache.glob("lexicon-*.pkl"))) == 2


def test_corrupt_cache_is_rebuilt(shared, tmp_path):
    cache = tmp_path / "cache"
    load_lexicon(shared, cache_dir=cache)
    (path,) = cache.glob("lexicon-*.pkl")
    path.write_bytes(b"not a pickle")
    assert load_lexicon(shared, cache_dir=cache).lookup("brca1")


def test_from_entries_ranks_by_support():
    lex = Lexicon.from_entries([("x1", "A:1", "Gene", "s"), ("X1", "A:2", "Gene", "s"), ("x1", "A:2", "Gene", "s")])
    assert [e.concept_id for e in lex.lookup("x1")] == ["A:2", "A:1"]
    assert [e.concept_id for e in lex.lookup_normalised("X-1")] == []  # "x 1" != "x1"
