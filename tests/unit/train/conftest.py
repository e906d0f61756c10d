"""Tiny hand-made PubTator corpora laid out like the shared data folder."""

from pathlib import Path

import pytest

from kg.train.ner import DEV_CORPORA, TRAIN_CORPORA

# Offsets count characters of "title abstract"; each text is built so they are easy to check.
BIORED = [
    ("101", "Naloxone in rats.", "Naloxone reversed hypertension in rats with BRCA1 loss.",
     [(0, 8, "ChemicalEntity"), (12, 16, "OrganismTaxon"), (18, 26, "ChemicalEntity"),
      (36, 48, "DiseaseOrPhenotypicFeature"), (52, 56, "OrganismTaxon"), (62, 67, "GeneOrGeneProduct")]),
    ("102", "Lithium and BRCA1.", "Lithium caused hypertension in mice.",
     [(0, 7, "ChemicalEntity"), (12, 17, "GeneOrGeneProduct"), (19, 26, "ChemicalEntity"),
      (34, 46, "DiseaseOrPhenotypicFeature"), (50, 54, "OrganismTaxon")]),
]
BC5CDR = [
    # PMID 102 is also in BioRED: kept once, from BioRED.
    ("102", "Lithium and BRCA1.", "Lithium caused hypertension in mice.",
     [(0, 7, "Chemical"), (19, 26, "Chemical"), (34, 46, "Disease")]),
    ("201", "Naloxone and seizures.", "Naloxone-induced seizures in rats.",
     [(0, 8, "Chemical"), (13, 21, "Disease"), (23, 31, "Chemical"), (40, 48, "Disease")]),
    ("999", "Lithium toxicity.", "Lithium toxicity in rats.",  # also in dev: dropped
     [(0, 7, "Chemical"), (18, 25, "Chemical")]),
]
NCBI = [
    ("301", "Hypertension in rats.", "Hypertension and seizures were seen in rats.",
     [(0, 12, "Disease"), (22, 34, "SpecificDisease"), (39, 47, "SpecificDisease")]),
]
DEV = [
    ("999", "Lithium toxicity.", "Lithium toxicity in rats.", [(0, 7, "Chemical"), (18, 25, "Chemical")]),
]


def pubtator(docs) -> str:
    out = []
    for pmid, title, abstract, anns in docs:
        text = f"{title} {abstract}"
        lines = [f"{pmid}|t|{title}", f"{pmid}|a|{abstract}"]
        lines += [f"{pmid}\t{s}\t{e}\t{text[s:e]}\t{t}\t-1" for s, e, t in anns]
        out.append("\n".join(lines) + "\n\n")
    return "".join(out)


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    root = tmp_path / "shared"
    contents = {"biored": BIORED, "bc5cdr": BC5CDR, "ncbi-disease": NCBI}
    for corpus in TRAIN_CORPORA:
        (root / corpus.path).parent.mkdir(parents=True, exist_ok=True)
        (root / corpus.path).write_text(pubtator(contents[corpus.name]), encoding="utf-8")
    for corpus in DEV_CORPORA:
        (root / corpus.path).write_text(pubtator(DEV if corpus.name == "bc5cdr" else []), encoding="utf-8")
    return root
