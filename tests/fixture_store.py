"""The hand-written ontology fixtures and a three-line training corpus: a concept store built in seconds."""

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

"""


def fixture_settings(tmp: Path) -> Settings:
    shared = tmp / "shared"
    corpus = shared / "corpora" / "bc5cdr" / "CDR_TrainingSet.PubTator.txt"
    corpus.parent.mkdir(parents=True)
    corpus.write_text(TRAINING)
    return Settings(data_dir=tmp / "data", shared_data=shared)
