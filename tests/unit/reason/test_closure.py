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


def test_narrower_terms_are_hpo_terms_matched_by_a_mesh_entry_term():
    import sqlite3
    from types import SimpleNamespace

    from kg.reason.closure import isa_graph, narrower_terms

    db = sqlite3.connect(":memory:")
    db.executescript("""
        CREATE TABLE concepts (id TEXT, name TEXT, primary_id TEXT);
        CREATE TABLE names (concept_id TEXT, name TEXT, lower TEXT, norm TEXT, kind TEXT, source TEXT);
        CREATE TABLE parents (concept_id TEXT, parent TEXT, source TEXT);
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
    store = SimpleNamespace(db=db)
    assert narrower_terms(store) == {"HP:0030725"}  # lactic acidosis is MeSH's preferred name: the same concept
    g = isa_graph(store)
    assert not g.has_edge("MESH:D009436", "MESH:D_CYST") and g.has_edge("MESH:D000140", "MESH:D_CYST")
