"""A tiny shared-data folder: the gene and MeSH fixtures under their real names, and a training corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ontology"
# Three training abstracts: a rat gene with its NCBI id, species names, a cell line, a variant
# whose rsID the text does not give; an official symbol annotated with another gene's id.
TRAINING = """\
11|t|Bdnf in rats.
11|a|Bdnf rose in Sprague-Dawley rats and in MCF-7 cells carrying Val66Met.
11\t0\t4\tBdnf\tGeneOrGeneProduct\t24225
11\t14\t18\tBdnf\tGeneOrGeneProduct\t24225
11\t42\t46\trats\tOrganismTaxon\t10116
11\t54\t59\tMCF-7\tCellLine\tCVCL_0031
11\t75\t83\tVal66Met\tSequenceVariant\trs6265

12|t|HBV in patients.
12|a|HBV DNA was measured.
12\t0\t3\tHBV\tOrganismTaxon\t10407
12\t7\t15\tpatients\tOrganismTaxon\t9606

13|t|INS in patients.
13|a|An annotator's slip: INS written with the id of TP53.
13\t0\t3\tINS\tGeneOrGeneProduct\t7157

"""


def fixture_shared(root: Path) -> Path:
    """Files under the names the normalisers look for (gzip is sniffed, so plain text will do)."""
    for src, dst in (
        ("genes/hgnc_entries.tsv", "ontology/genes/hgnc_entries.tsv.gz"),
        ("genes/Mus_musculus.gene_info", "ontology/genes/Mus_musculus.gene_info.gz"),
        ("genes/rgd_entries.tsv", "ontology/genes/rgd_entries.tsv.gz"),
        ("mesh/mesh2024_descriptor_terms.tsv", "ontology/mesh/mesh2024_descriptor_terms.tsv.gz"),
        ("mesh/mesh2024_supplementary_terms.tsv", "ontology/mesh/mesh2024_supplementary_terms.tsv.gz"),
    ):
        (root / dst).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / src, root / dst)
    corpus = root / "corpora" / "biored" / "Train.PubTator"
    corpus.parent.mkdir(parents=True)
    corpus.write_text(TRAINING)
    return root


@pytest.fixture(scope="session")
def shared(tmp_path_factory) -> Path:
    return fixture_shared(tmp_path_factory.mktemp("shared"))


@pytest.fixture(scope="session")
def normalizers(shared, tmp_path_factory):
    from kg.vocab.normalizers import Normalizers

    return Normalizers.load(shared, tmp_path_factory.mktemp("cache"))
