"""The hand-written ontology fixtures and a two-abstract training corpus: a concept store built in
seconds (:func:`fixture_settings`); and a small shared-data folder for the normalisers
(:func:`fixture_shared`).

The second abstract of ``TRAINING`` uses MeSH ids that MeSH 2024 retired (C047426, C009250,
C471405: supplementary records promoted to descriptors since) and BioRED's NIL marker ``-``."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from kg.config import Settings

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ontology"
TRAINING = """\
1|t|Metformin and T2D.
1|a|Metformin lowers glucose in T2D patients.
1\t0\t9\tMetformin\tChemical\tD008687
1\t14\t17\tT2D\tDisease\tD003924
1\t38\t41\tT2D\tDisease\tD003924

2|t|Venlafaxine, sevoflurane, sorafenib.
2|a|DDR1-IN-1 was given.
2\t0\t11\tVenlafaxine\tChemical\tC047426
2\t13\t24\tsevoflurane\tChemical\tC009250
2\t26\t35\tsorafenib\tChemical\tC471405
2\t37\t46\tDDR1-IN-1\tChemical\t-

"""


def fixture_settings(tmp: Path) -> Settings:
    shared = tmp / "shared"
    corpus = shared / "corpora" / "bc5cdr" / "CDR_TrainingSet.PubTator.txt"
    corpus.parent.mkdir(parents=True)
    corpus.write_text(TRAINING)
    (shared / "ontology" / "mesh").mkdir(parents=True)
    for name in ("mesh_disease_terms.tsv", "mesh_descriptors.csv"):  # the lexicon's MeSH inputs, gzipped as shared
        with (FIXTURES / "mesh" / name).open("rb") as src, gzip.open(shared / "ontology" / "mesh" / f"{name}.gz", "wb") as dst:
            shutil.copyfileobj(src, dst)
    return Settings(data_dir=tmp / "data", shared_data=shared)


# Three training abstracts: a rat gene with its NCBI id, species names, a cell line, a variant
# whose rsID the text does not give; an official symbol annotated with another gene's id.
SHARED_TRAINING = """\
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
    corpus.write_text(SHARED_TRAINING)
    return root
