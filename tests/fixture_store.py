"""The hand-written ontology fixtures and a two-abstract training corpus: a concept store built in seconds.

The second abstract uses MeSH ids that MeSH 2024 retired (C047426, C009250, C471405: supplementary
records promoted to descriptors since) and BioRED's NIL marker ``-``."""

from __future__ import annotations

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
    return Settings(data_dir=tmp / "data", shared_data=shared)
