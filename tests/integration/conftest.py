import pytest

from kg.config import SHARED_DATA

from realdata import BASELINE

# What the integration tests' concept store is built from: the real shared files, minus the
# vocabularies their inputs do not need (the 323k MeSH supplementary records, HPO, DOID, MONDO,
# ICD-10-CM), so the suite never builds the full store (`medkg ontology build` does that).
ONTOLOGY_SUBSET = (
    "mesh/mesh2024_descriptor_terms.tsv.gz", "mesh/mesh_disease_terms.tsv.gz", "mesh/mesh_descriptors.csv.gz",
    "genes/hgnc_entries.tsv.gz", "genes/Mus_musculus.gene_info.gz", "genes/mgi_entries.tsv.gz",
    "genes/rgd_entries.tsv.gz",
)


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    """The concept store, linker index and lexicon are built once for the whole session."""
    return tmp_path_factory.mktemp("medkg-cache")


@pytest.fixture(scope="session")
def shared_subset(tmp_path_factory):
    """The shared data folder as links: corpora, PubMed, notes as they are; the ontology subset above."""
    root = tmp_path_factory.mktemp("shared")
    for entry in SHARED_DATA.iterdir():
        if entry.name != "ontology":
            (root / entry.name).symlink_to(entry)
    for rel in ONTOLOGY_SUBSET:
        target = root / "ontology" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(SHARED_DATA / "ontology" / rel)
    return root


@pytest.fixture
def medkg_env(tmp_path, cache_dir, shared_subset, monkeypatch):
    if not BASELINE.exists():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    monkeypatch.setenv("MEDKG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MEDKG_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("MEDKG_SHARED_DATA", str(shared_subset))
    return tmp_path
