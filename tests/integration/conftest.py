import pytest

from kg.config import SHARED_DATA

from realdata import BASELINE


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    """Built lexicons are shared by every test of the session (building one takes ~15 s)."""
    return tmp_path_factory.mktemp("medkg-cache")


@pytest.fixture
def medkg_env(tmp_path, cache_dir, monkeypatch):
    if not BASELINE.exists():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    monkeypatch.setenv("MEDKG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MEDKG_CACHE_DIR", str(cache_dir))
    return tmp_path
