import networkx as nx
import pytest

from kg.errors import ArgumentError, NotInGraphError
from kg.reason.discovery import swanson_abc


def graph() -> nx.Graph:
    # A (fish oil) -> B1 (blood viscosity), B2 (platelet aggregation) -> C (Raynaud); D via B1 only.
    g = nx.Graph()
    g.add_edge("A", "B1", combined_score=0.9, key="a-b1")
    g.add_edge("A", "B2", combined_score=0.5, key="a-b2")
    g.add_edge("B1", "C", combined_score=0.8, key="b1-c")
    g.add_edge("B2", "C", combined_score=0.6, key="b2-c")
    g.add_edge("B1", "D", combined_score=0.9, key="b1-d")
    g.add_edge("B2", "E", combined_score=0.2, key="b2-e")
    g.add_edge("A", "E", combined_score=0.3, key="a-e")  # direct: never proposed
    for n, label in (("C", "Disease"), ("D", "Chemical"), ("E", "Disease")):
        g.nodes[n]["labels"] = [label]
    return g


def test_ranking_is_the_sum_of_bridge_products():
    found = swanson_abc(graph(), "A")
    assert [d.concept for d in found] == ["C", "D"]
    c, d = found
    assert c.score == pytest.approx(0.9 * 0.8 + 0.5 * 0.6)
    assert d.score == pytest.approx(0.81)
    assert [b.concept for b in c.bridges] == ["B1", "B2"]
    assert (c.bridges[0].key_ab, c.bridges[0].key_bc) == ("a-b1", "b1-c")


def test_direct_neighbours_and_excluded_are_not_proposed_nor_bridges():
    found = swanson_abc(graph(), "A", exclude={"C"})
    assert [d.concept for d in found] == ["D"]
    found = swanson_abc(graph(), "A", exclude={"B1"})
    assert [(d.concept, d.score) for d in found] == [("C", pytest.approx(0.3))]


def test_a_kind_of_the_source_or_what_it_is_a_kind_of_is_no_discovery():
    isa = nx.DiGraph([("C", "A"), ("A", "Z"), ("Z", "D")])  # child -> parent: C is an A, A is (via Z) a D
    assert swanson_abc(graph(), "A", isa=isa) == []
    assert [d.concept for d in swanson_abc(graph(), "A", isa=nx.DiGraph([("X", "Y")]))] == ["C", "D"]


def test_filters_min_score_labels_top():
    assert [d.concept for d in swanson_abc(graph(), "A", target_labels={"Chemical"})] == ["D"]
    found = swanson_abc(graph(), "A", min_score=0.7)
    assert [(d.concept, len(d.bridges)) for d in found] == [("D", 1), ("C", 1)]
    assert len(swanson_abc(graph(), "A", top=1)) == 1


def test_bad_input():
    with pytest.raises(NotInGraphError, match="E911: nope is not in the graph"):
        swanson_abc(graph(), "nope")
    with pytest.raises(ArgumentError, match="E010: top must be at least 1, got 0"):
        swanson_abc(graph(), "A", top=0)


def test_hubs_and_species_neither_bridge_nor_are_proposed_unless_asked():
    """"Fish oil - patients - everything" and "fish oil - mice - dopamine": the hub and a species share a study's
    subjects, not a mechanism; the rules of paths, answers, reports and pictures hold here too."""
    g = graph()
    g.add_node("Mice", labels=["Species"])
    g.add_edge("A", "NCBITaxon:9606", combined_score=1.0, key="a-h")
    g.add_edge("NCBITaxon:9606", "H", combined_score=1.0, key="h-h")
    g.add_edge("A", "Mice", combined_score=1.0, key="a-m")
    g.add_edge("Mice", "M", combined_score=1.0, key="m-m")
    g.add_edge("B1", "Rats", combined_score=1.0, key="b1-r")
    g.nodes["Rats"]["type"] = "Species"
    assert [d.concept for d in swanson_abc(g, "A")] == ["C", "D"]
    assert [d.concept for d in swanson_abc(g, "A", target_labels={"Species"})] == ["Rats"]  # asked for: proposed
    assert {d.concept for d in swanson_abc(g, "A", hubs=())} == {"C", "D", "H"}  # the hub let in; species still not
