"""A concept store built once from the hand-written ontology fixtures and a three-line training corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.config import Settings
from kg.link.conceptstore import BuildStats, ConceptStore, build_concept_store

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ontology"
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


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> tuple[Settings, BuildStats]:
    settings = fixture_settings(tmp_path_factory.mktemp("store"))
    return settings, build_concept_store(settings, ontology_dir=FIXTURES)


@pytest.fixture
def store(built) -> ConceptStore:
    store = ConceptStore.open(built[0])
    yield store
    store.close()
