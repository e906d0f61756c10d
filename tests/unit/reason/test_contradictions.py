import networkx as nx
import pytest

from kg.reason.contradictions import contradictions


def add(g, u, v, pred, affirmed, negated, key):
    g.add_edge(u, v, key=pred)
    g.edges[u, v, pred].update(predicate=pred, affirmed=affirmed, negated=negated, key=key)


def test_ranked_by_smaller_side_then_total():
    g = nx.MultiDiGraph()
    add(g, "A", "B", "INDUCES", 50, 1, "k1")
    add(g, "A", "C", "INDUCES", 5, 4, "k2")
    add(g, "C", "D", "ASSOCIATED_WITH", 4, 4, "k3")
    add(g, "D", "E", "INDUCES", 7, 0, "k4")
    add(g, "A", "B", "ASSOCIATED_WITH", 2, 4, "k5")
    found = contradictions(g)
    assert [c.key for c in found] == ["k2", "k3", "k5", "k1"]
    assert found[1].balance == pytest.approx(0.5)
    assert [c.key for c in contradictions(g, min_each=4)] == ["k2", "k3"]
    assert len(contradictions(g, top=2)) == 2


def test_a_comention_is_never_contradicted_and_the_ends_are_named():
    """A co-mention asserts nothing: a negated sentence naming both ends contradicts no claim."""
    g = nx.MultiDiGraph()
    g.add_node("A", name="Dopamine")
    g.add_node("B", name="DBH")
    add(g, "A", "B", "CO_OCCURS_WITH", 5, 5, "k1")
    add(g, "A", "B", "INDUCES", 3, 1, "k2")
    [found] = contradictions(g)
    assert (found.key, found.subject_name, found.object_name) == ("k2", "Dopamine", "DBH")
    assert [c.key for c in contradictions(g, comentions=())] == ["k1", "k2"]


def test_no_contradictions_and_bad_threshold():
    g = nx.MultiDiGraph()
    add(g, "A", "B", "INDUCES", 3, 0, "k")
    assert contradictions(g) == []
    with pytest.raises(ValueError):
        contradictions(g, min_each=0)
