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
