import pytest

from kg.vocab.curie import corpus_id, to_curie
from kg.vocab.types import entity_type, medkg_type


def test_corpus_id():
    assert corpus_id("MESH:D009270") == "D009270"
    assert corpus_id("NCBIGene:672") == "672"
    assert corpus_id("OMIM:312080") == "OMIM:312080"
    assert corpus_id("Cellosaurus:CVCL_0031") == "CVCL_0031"  # BioRED writes cell lines bare
    assert corpus_id("tmVar:p|SUB|R|215|W") == "p|SUB|R|215|W"
    assert corpus_id(None) == "-1"


@pytest.mark.parametrize(("raw", "type_", "curie"), [
    ("D009270", "Chemical", "MESH:D009270"), ("OMIM:312080", "Disease", "OMIM:312080"), ("7157", "Gene", "NCBIGene:7157"),
    ("9606", "Species", "NCBITaxon:9606"), ("rs12345", "Variant", "dbSNP:rs12345"),
    ("p|SUB|R|215|W", "Variant", "tmVar:p|SUB|R|215|W"), ("CVCL_0224", "CellLine", "Cellosaurus:CVCL_0224"),
    ("-1", "Chemical", None), ("-", "Gene", None), ("", "Gene", None), ("x", "Unknown", None),
])
def test_to_curie_and_back(raw, type_, curie):
    assert to_curie(raw, type_) == curie
    if curie is not None and not raw.startswith("OMIM"):
        assert corpus_id(curie) == raw


def test_type_names_of_corpora_and_models():
    assert entity_type("SpecificDisease") == "Disease" and entity_type("Nope") is None
    assert medkg_type("B-ChemicalEntity") == "Chemical" and medkg_type("gene") == "Gene" and medkg_type("X") is None
