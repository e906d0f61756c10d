import networkx as nx
import pytest

pytest.importorskip("prefect")

from flows.reason import discover, load_isa, pick_sources  # noqa: E402


def graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for u, v, docs in (("A", "B", 5), ("B", "C", 4), ("A", "H", 9), ("H", "D", 9)):
        g.add_edge(u, v, key="CO_OCCURS_WITH")
        g.edges[u, v, "CO_OCCURS_WITH"].update(predicate="CO_OCCURS_WITH", key=f"{u}{v}", combined_score=0.9,
                                               doc_count=docs, affirmed=docs, negated=0, evidence_count=docs)
    for n, label in (("A", "Chemical"), ("B", "Disease"), ("C", "Disease"), ("D", "Disease"), ("H", "Species")):
        g.nodes[n]["labels"] = [label]
    return g


@pytest.mark.prefect
def test_sources_and_discovery_tasks():
    g = graph()
    assert pick_sources(g, 2) == ["A", "B"]  # H (a species hub) is never a source
    edges = discover.fn(g, ["A"], 10, ["H"])
    assert [(e.subject, e.object, e.rule) for e in edges] == [("A", "C", "swanson_abc/v1")]
    assert set(edges[0].inputs) == {"AB", "BC"} and edges[0].via == ("B",)


def test_the_flow_loads_the_is_a_graph_as_medkg_discover_does(monkeypatch):
    from kg.reason import closure

    isa = nx.DiGraph([("C", "A")])
    monkeypatch.setattr(closure, "load_isa", lambda settings: isa)
    assert load_isa.fn(object()) is isa
