import pytest

from kg.reason.closure import expand, isa_graph_from_parents, subtypes, supertypes

ROWS = [
    ("MESH:D_DM", "MESHTREE:C18.452.394.750", "mesh"),
    ("MESH:D_DM", "MESHTREE:C19.246", "mesh"),
    ("MESH:D_T2", "MESHTREE:C18.452.394.750.149", "mesh"),
    ("MESH:D_T2", "MESHTREE:C19.246.300", "mesh"),
    ("MESH:D_T1", "MESHTREE:C19.246.267", "mesh"),
    ("MESH:D_LADA", "MESHTREE:C19.246.267.500", "mesh"),
    ("MESH:D_GLUCOSE", "MESHTREE:C18.452.394", "mesh"),  # the parent of C18.452.394.750
    ("HP:0000819", "HP:0000818", "hpo"),
    ("HP:0005978", "HP:0000819", "hpo"),
    ("DOID:9352", "label:diabetes mellitus", "doid"),
    ("DOID:9351", "label:glucose metabolism disease", "doid"),
]
PRIMARY = {"HP:0000819": "MESH:D_DM", "DOID:9351": "MESH:D_DM", "DOID:9352": "MESH:D_T2", "HP:0005978": "MESH:D_T2"}
NAMES = {"diabetes mellitus": "DOID:9351"}


def test_mesh_tree_numbers_give_the_hierarchy():
    g = isa_graph_from_parents(ROWS[:7])
    assert subtypes(g, "MESH:D_DM") == {"MESH:D_T2", "MESH:D_T1", "MESH:D_LADA"}
    assert subtypes(g, "MESH:D_T1") == {"MESH:D_LADA"}
    assert supertypes(g, "MESH:D_LADA") == {"MESH:D_T1", "MESH:D_DM", "MESH:D_GLUCOSE"}
    assert subtypes(g, "MESH:D_DM", max_depth=1) == {"MESH:D_T2", "MESH:D_T1"}


def test_hpo_and_doid_meet_mesh_through_primary_ids():
    # Without its MeSH tree numbers, diabetes still finds type 2 through DOID and HPO.
    g = isa_graph_from_parents(ROWS[7:], primary=PRIMARY, names=NAMES)
    assert "MESH:D_T2" in subtypes(g, "MESH:D_DM")
    assert "HP:0000818" in supertypes(g, "MESH:D_DM")
    assert not any(u == v for u, v in g.edges)
    assert g.edges["MESH:D_T2", "MESH:D_DM"]["source"] in ("doid", "hpo")


def test_unresolved_doid_label_is_dropped_and_unknown_concept_has_no_subtypes():
    g = isa_graph_from_parents([("DOID:1", "label:no such disease", "doid")])
    assert g.number_of_edges() == 0
    assert subtypes(g, "MESH:nothing") == set()


def test_expand_is_opt_in_and_ordered():
    g = isa_graph_from_parents(ROWS[:7])
    assert expand(g, ["MESH:D_DM"]) == ["MESH:D_DM"]
    assert expand(g, ["MESH:D_DM"], include_subtypes=True) == ["MESH:D_DM", "MESH:D_LADA", "MESH:D_T1", "MESH:D_T2"]
    with pytest.raises(ValueError):
        subtypes(g, "MESH:D_DM", max_depth=0)


def test_a_narrower_term_keeps_its_parents_to_itself():
    """HP:0030725 Neurenteric cyst resolves to MeSH Neural Tube Defects (an entry term of it) and is_a CNS
    cyst (HP:0030724, a CNS neoplasm here): neural tube defects must not become CNS neoplasms."""
    rows = [("HP:0030725", "HP:0030724", "hpo"), ("HP:0030726", "HP:0030725", "hpo"),
            ("MESH:D_NTD", "MESHTREE:C10.500.680", "mesh"), ("MESH:D_SB", "MESHTREE:C10.500.680.800", "mesh"),
            ("MESH:D_CNSCYST", "MESHTREE:C04.588.614", "mesh"), ("MESH:D_NEO", "MESHTREE:C04.588", "mesh")]
    primary = {"HP:0030725": "MESH:D_NTD", "HP:0030724": "MESH:D_CNSCYST", "HP:0030726": "MESH:D_SPINAL"}
    lifted = isa_graph_from_parents(rows, primary=primary)
    assert "MESH:D_SB" in subtypes(lifted, "MESH:D_NEO")  # the defect: spina bifida answers for neoplasms
    g = isa_graph_from_parents(rows, primary=primary, narrower={"HP:0030725"})
    assert subtypes(g, "MESH:D_NEO") == {"MESH:D_CNSCYST"}
    assert supertypes(g, "MESH:D_NTD") == set()
    # as a parent it still lifts: a subtype of the narrower term is a subtype of its broader primary
    assert "MESH:D_SPINAL" in subtypes(g, "MESH:D_NTD")


def _concept_tables(inserts: str):
    """An in-memory stand-in for the concept store: the three tables the closure reads, filled by ``inserts``."""
    import sqlite3
    from types import SimpleNamespace

    db = sqlite3.connect(":memory:")
    db.executescript("""
        CREATE TABLE concepts (id TEXT, name TEXT, primary_id TEXT);
        CREATE TABLE names (concept_id TEXT, name TEXT, lower TEXT, norm TEXT, kind TEXT, source TEXT);
        CREATE TABLE parents (concept_id TEXT, parent TEXT, source TEXT);
    """ + inserts)
    return SimpleNamespace(db=db)


def test_narrower_terms_are_hpo_terms_matched_by_a_mesh_entry_term():
    from kg.reason.closure import isa_graph, narrower_terms

    store = _concept_tables("""
        INSERT INTO concepts VALUES ('MESH:D009436', 'Neural Tube Defects', 'MESH:D009436'),
            ('MESH:D000140', 'Acidosis, Lactic', 'MESH:D000140'), ('MESH:D_CYST', 'CNS Cysts', 'MESH:D_CYST'),
            ('HP:0030725', 'Neurenteric cyst', 'MESH:D009436'), ('HP:0003128', 'Lactic acidosis', 'MESH:D000140'),
            ('HP:0030724', 'CNS cyst', 'MESH:D_CYST');
        INSERT INTO names VALUES
            ('MESH:D009436', 'Neural Tube Defects', '', 'defects neural tube', 'preferred', 'mesh'),
            ('MESH:D009436', 'Neurenteric Cyst', '', 'cyst neurenteric', 'entry', 'mesh'),
            ('HP:0030725', 'Neurenteric cyst', '', 'cyst neurenteric', 'preferred', 'hpo'),
            ('MESH:D000140', 'Acidosis, Lactic', '', 'acidosis lactic', 'preferred', 'mesh'),
            ('HP:0003128', 'Lactic acidosis', '', 'acidosis lactic', 'preferred', 'hpo'),
            ('MESH:D_CYST', 'CNS Cysts', '', 'cns cyst', 'preferred', 'mesh'),
            ('HP:0030724', 'CNS cyst', '', 'cns cyst', 'preferred', 'hpo');
        INSERT INTO parents VALUES ('HP:0030725', 'HP:0030724', 'hpo'), ('HP:0003128', 'HP:0030724', 'hpo');
    """)
    assert narrower_terms(store) == {"HP:0030725"}  # lactic acidosis is MeSH's preferred name: the same concept
    g = isa_graph(store)
    assert not g.has_edge("MESH:D009436", "MESH:D_CYST") and g.has_edge("MESH:D000140", "MESH:D_CYST")


def test_a_doid_term_mapped_to_a_broader_descriptor_keeps_its_parents_to_itself():
    """DOID:7305 astroblastoma resolves (by cross-reference) to MeSH Neoplasms, Neuroepithelial, an entry
    term of it, and is_a malignant astrocytoma: the neuroepithelial neoplasms (neuroblastoma among them)
    must not become subtypes of astrocytoma, and so of glioma."""
    from kg.reason.closure import isa_graph, narrower_terms

    store = _concept_tables("""
        INSERT INTO concepts VALUES ('MESH:D018302', 'Neoplasms, Neuroepithelial', 'MESH:D018302'),
            ('MESH:D001254', 'Astrocytoma', 'MESH:D001254'), ('MESH:D005910', 'Glioma', 'MESH:D005910'),
            ('MESH:D009447', 'Neuroblastoma', 'MESH:D009447'),
            ('DOID:7305', 'astroblastoma', 'MESH:D018302'), ('DOID:3069', 'malignant astrocytoma', 'MESH:D001254');
        INSERT INTO names VALUES
            ('MESH:D018302', 'Neoplasms, Neuroepithelial', '', 'neoplasm neuroepithelial', 'preferred', 'mesh'),
            ('MESH:D018302', 'astroblastoma', '', 'astroblastoma', 'entry', 'mesh'),
            ('MESH:D001254', 'Astrocytoma', '', 'astrocytoma', 'preferred', 'mesh'),
            ('DOID:7305', 'astroblastoma', '', 'astroblastoma', 'preferred', 'doid'),
            ('DOID:3069', 'malignant astrocytoma', '', 'astrocytoma malignant', 'preferred', 'doid');
        INSERT INTO parents VALUES ('DOID:7305', 'label:malignant astrocytoma', 'doid'),
            ('MESH:D018302', 'MESHTREE:C04.557.465.625', 'mesh'), ('MESH:D009447', 'MESHTREE:C04.557.465.625.600', 'mesh'),
            ('MESH:D005910', 'MESHTREE:C04.557.465.625.600.380', 'mesh'),
            ('MESH:D001254', 'MESHTREE:C04.557.465.625.600.380.080', 'mesh');
    """)
    assert "DOID:7305" in narrower_terms(store)
    g = isa_graph(store)
    assert not g.has_edge("MESH:D018302", "MESH:D001254")
    assert subtypes(g, "MESH:D005910") == {"MESH:D001254"}


def test_cycles_between_hierarchies_are_broken_in_a_fixed_order():
    """DOID's pheochromocytoma-above-paraganglioma against MeSH's below: MeSH wins, whatever the row order."""
    import networkx as nx

    rows = [("MESH:D_PARA", "MESH:D_PHEO", "doid"), ("MESH:D_PHEO", "MESHTREE:C04.1.2", "mesh"),
            ("MESH:D_PARA", "MESHTREE:C04.1", "mesh"), ("MESH:D_A", "MESH:D_B", "hpo"), ("MESH:D_B", "MESH:D_C", "doid"),
            ("MESH:D_C", "MESH:D_A", "doid")]
    for order in (rows, rows[::-1]):
        g = isa_graph_from_parents(order)
        assert nx.is_directed_acyclic_graph(g)
        assert g.has_edge("MESH:D_PHEO", "MESH:D_PARA") and not g.has_edge("MESH:D_PARA", "MESH:D_PHEO")
        # all DOID or HPO: HPO's edge first, then DOID's by id; the last one would close the cycle
        assert sorted(g.edges) == [("MESH:D_A", "MESH:D_B"), ("MESH:D_B", "MESH:D_C"), ("MESH:D_PHEO", "MESH:D_PARA")]


@pytest.mark.slow
def test_the_is_a_graph_of_the_shared_ontologies_is_acyclic_and_glioma_has_no_broader_subtype(tmp_path):
    """The graph ``ask --subtypes`` expands with, from a concept store of the shared MeSH, HPO and DOID files
    (built here from those alone: the suite never builds the full store)."""
    import networkx as nx

    from kg.config import SHARED_DATA, Settings
    from kg.reason.closure import isa_graph
    from kg.vocab.conceptstore import ConceptStore, build_concept_store, store_path

    onto = SHARED_DATA / "ontology"
    if not (onto / "doid" / "HumanDO.tsv").exists():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    for rel in ("mesh/mesh2024_descriptor_terms.tsv.gz", "mesh/mesh_disease_terms.tsv.gz", "hpo/hp.obo.gz",
                "doid/HumanDO.tsv", "doid/MESHinDO.tsv", "doid/OMIMinDO.tsv", "doid/ICD10inDO.tsv"):
        (tmp_path / "ontology" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "ontology" / rel).symlink_to(onto / rel)
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", shared_data=SHARED_DATA)
    build_concept_store(settings, ontology_dir=tmp_path / "ontology")
    path = store_path(settings)
    g = isa_graph(ConceptStore(path))
    assert nx.is_directed_acyclic_graph(g)
    glioma = subtypes(g, "MESH:D005910")
    assert "MESH:D001254" in glioma  # astrocytoma
    assert not glioma & {"MESH:D009447", "MESH:D018302"}  # neuroblastoma, neuroepithelial neoplasms
    assert "MESH:D003924" in subtypes(g, "MESH:D003920")  # type 2 diabetes is still a diabetes
