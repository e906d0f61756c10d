import pytest

from kg.vocab.conceptstore import XREF_PREFIXES
from kg.vocab.curie import canonical_curie, corpus_id, to_curie
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


@pytest.mark.parametrize(("typed", "canonical"), [
    ("mesh:d014196", "MESH:D014196"), ("Mesh:D014196", "MESH:D014196"), ("MESH:c000001", "MESH:C000001"),
    ("ncbigene:7157", "NCBIGene:7157"), ("NCBITAXON:9606", "NCBITaxon:9606"), ("hp:0001945", "HP:0001945"),
    ("doid:9352", "DOID:9352"), ("mondo:0005148", "MONDO:0005148"), ("cellosaurus:CVCL_0031", "Cellosaurus:CVCL_0031"),
    ("DBSNP:rs12345", "dbSNP:rs12345"), ("snomedct_us:22298006", "SNOMEDCT_US:22298006"),
    ("icd10cm:r11.0", "ICD10CM:r11.0"),  # only a MeSH local id changes case
])
def test_canonical_curie_spells_a_known_prefix_as_the_concept_store_does(typed, canonical):
    assert canonical_curie(typed) == canonical
    assert canonical_curie(canonical) == canonical


@pytest.mark.parametrize("as_typed", ["tmVar:p|SUB|R|215|W", "chebi:15365", "pmid:123", "NIL", "-1", "", "mesh"])
def test_canonical_curie_leaves_unknown_prefixes_and_non_curies_as_typed(as_typed):
    assert canonical_curie(as_typed) == as_typed


def test_canonical_curie_knows_every_cross_reference_prefix_of_the_concept_store():
    assert all(canonical_curie(f"{p.lower()}:1") == f"{p}:1" for p in XREF_PREFIXES)
