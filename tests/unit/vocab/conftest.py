"""A tiny shared-data folder: the gene and MeSH fixtures under their real names, and a training corpus
(:func:`fixture_store.fixture_shared`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixture_store import fixture_shared


@pytest.fixture(scope="session")
def shared(tmp_path_factory) -> Path:
    return fixture_shared(tmp_path_factory.mktemp("shared"))


@pytest.fixture(scope="session")
def normalizers(shared, tmp_path_factory):
    from kg.vocab.normalizers import Normalizers

    return Normalizers.load(shared, tmp_path_factory.mktemp("cache"))
