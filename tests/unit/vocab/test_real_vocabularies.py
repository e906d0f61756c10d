"""The normalisers built from the real shared files (slow: about 15 s to build)."""

from __future__ import annotations

import pytest

from kg.config import SHARED_DATA
from kg.vocab.context import DocContext

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    if not (SHARED_DATA / "ontology" / "genes" / "hgnc_entries.tsv.gz").exists():
        pytest.skip(f"shared data {SHARED_DATA} is not present")
    from kg.vocab.normalizers import Normalizers

    return Normalizers.load(SHARED_DATA, tmp_path_factory.mktemp("cache"))


def _gene(real, text: str, mention: str) -> str | None:
    start = text.index(mention)
    ctx = real.context(text, gene_texts=[mention])
    return real.normalize("Gene", [(mention, start, start + len(mention))], ctx)[0][0]


def test_real_genes_follow_the_species(real):
    assert _gene(real, "p53 loss in patients with sarcoma.", "p53") == "NCBIGene:7157"
    assert _gene(real, "TP53 knockout mice were crossed with mice.", "TP53") == "NCBIGene:22059"
    assert _gene(real, "Insulin secretion by human islets.", "Insulin") == "NCBIGene:3630"
    assert _gene(real, "iNOS was induced in human macrophages.", "iNOS") == "NCBIGene:4843"  # NOS2, not ISYNA1
    assert _gene(real, "TNF-alpha was raised in patients.", "TNF-alpha") == "NCBIGene:7124"


def test_real_species_and_variants(real):
    assert real.species.normalize("mice") == ("NCBITaxon:10090", False)
    assert real.species.normalize("women") == ("NCBITaxon:9606", True)
    ctx = DocContext(text="The KRAS G12D mutation and a novel Q999H change.")
    # training annotated G12D with its rsID (tmVar looks them up in dbSNP); an unknown change stays a change
    assert real.normalize("Variant", [("G12D", 9, 13)], ctx)[0][0] == "dbSNP:rs121913529"
    assert real.normalize("Variant", [("Q999H", 0, 5)], ctx)[0][0] == "tmVar:p|SUB|Q|999|H"
