import math

import networkx as nx
import pytest

from kg.errors import ArgumentError, NotInGraphError
from kg.reason.paths import best_paths
from kg.reason.subgraph import best_edges


def graph() -> nx.Graph:
    g = nx.Graph()
    g.add_edge("A", "B", combined_score=0.9, predicate="INDUCES", key="ab", doc_count=3)
    g.add_edge("B", "C", combined_score=0.9, predicate="CO_OCCURS_WITH", key="bc", doc_count=2)
    g.add_edge("A", "C", combined_score=0.5, predicate="ASSOCIATED_WITH", key="ac", doc_count=1)
    g.add_edge("C", "D", combined_score=0.8, key="cd")
    g.add_edge("A", "E", combined_score=0.99, key="ae")
    g.add_edge("E", "F", combined_score=0.99, key="ef")
    g.add_edge("F", "C", combined_score=0.99, key="fc")
    return g


def test_paths_rank_by_product_of_scores():
    paths = best_paths(graph(), "A", "C", k=3)
    assert [p.nodes for p in paths] == [("A", "E", "F", "C"), ("A", "B", "C"), ("A", "C")]
    assert paths[0].score == pytest.approx(0.99**3)
    assert paths[1].score == pytest.approx(0.81)
    assert [h.key for h in paths[1].hops] == ["ab", "bc"]
    assert paths[1].hops[0].predicate == "INDUCES"


def test_max_hops_drops_longer_paths():
    paths = best_paths(graph(), "A", "C", k=3, max_hops=2)
    assert [p.nodes for p in paths] == [("A", "B", "C"), ("A", "C")]


def test_saturated_scores_prefer_fewer_hops_then_more_papers():
    g = nx.Graph()
    g.add_edge("A", "B", combined_score=1.0, doc_count=1)
    g.add_edge("B", "C", combined_score=1.0, doc_count=1)
    g.add_edge("A", "C", combined_score=1.0, doc_count=1)
    g.add_edge("A", "D", combined_score=1.0, doc_count=9)
    g.add_edge("D", "C", combined_score=1.0, doc_count=9)
    assert [p.nodes for p in best_paths(g, "A", "C", k=3)] == [("A", "C"), ("A", "D", "C"), ("A", "B", "C")]


def test_no_path_and_bad_input():
    g = graph()
    g.add_node("Z")
    assert best_paths(g, "A", "Z") == []
    with pytest.raises(NotInGraphError, match="E911"):
        best_paths(g, "A", "missing")
    with pytest.raises(ArgumentError, match="E912"):
        best_paths(g, "A", "A")
    with pytest.raises(ValueError, match="E010: k must be"):  # ArgumentError is a ValueError
        best_paths(g, "A", "C", k=0)


def test_multidigraph_uses_strongest_parallel_edge_either_direction():
    g = nx.MultiDiGraph()
    g.add_edge("B", "A", key="CO_OCCURS_WITH")
    g.edges["B", "A", "CO_OCCURS_WITH"].update(predicate="CO_OCCURS_WITH", key="k1", combined_score=0.6,
                                                evidence_count=2, doc_count=2)
    g.add_edge("A", "B", key="INDUCES")
    g.edges["A", "B", "INDUCES"].update(predicate="INDUCES", key="k2", combined_score=0.95, evidence_count=1,
                                        doc_count=1)
    simple = best_edges(g)
    assert simple.number_of_edges() == 1
    [p] = best_paths(g, "B", "A", k=1)
    hop = p.hops[0]
    assert (hop.subject, hop.predicate, hop.object, hop.key) == ("A", "INDUCES", "B", "k2")
    assert [(a.predicate, a.key, a.combined_score) for a in hop.alternatives] == [("CO_OCCURS_WITH", "k1", 0.6)]
    assert p.describe() == "B <-[INDUCES]- A"
    assert math.isclose(p.score, 0.95)


def test_a_species_never_links_a_path_but_may_end_one():
    """"Dopamine - Mice - Norepinephrine": two concepts studied in mice share an organism, not a mechanism."""
    g = nx.Graph()
    g.add_node("Mice", type="Species", labels=["Species"])
    g.add_node("Rats", labels=["Species"])  # the label alone decides, as extract_subgraph gives it
    g.add_edge("A", "Mice", combined_score=1.0, key="am")
    g.add_edge("Mice", "C", combined_score=1.0, key="mc")
    g.add_edge("A", "Rats", combined_score=1.0, key="ar")
    g.add_edge("Rats", "B", combined_score=1.0, key="rb")
    g.add_edge("A", "B", combined_score=0.5, key="ab")
    g.add_edge("B", "C", combined_score=0.5, key="bc")
    assert [p.nodes for p in best_paths(g, "A", "C", k=5)] == [("A", "B", "C")]
    assert [p.nodes for p in best_paths(g, "Mice", "B", k=5)] == [("Mice", "A", "B"), ("Mice", "C", "B")]


def test_a_hop_takes_the_claim_over_a_stronger_co_mention_and_lists_the_other_edges():
    """Hypertension - aldosterone: a co-mention saturated at 0.99934 and a claim at 0.99902 between one pair; the
    hop is the claim (its score is the path's), and the co-mention and the weaker claim are its alternatives."""
    g = nx.MultiDiGraph()
    for u, v, predicate, score in (("A", "B", "CO_OCCURS_WITH", 0.99934), ("B", "A", "ASSOCIATED_WITH", 0.99902),
                                   ("A", "B", "POSITIVELY_CORRELATED_WITH", 0.7), ("B", "C", "CO_OCCURS_WITH", 0.9)):
        g.add_edge(u, v, key=predicate)
        g.edges[u, v, predicate].update(predicate=predicate, key=f"{u}{v}{predicate}", combined_score=score,
                                        evidence_count=1, doc_count=1)
    [p] = best_paths(g, "A", "C", k=1)
    hop = p.hops[0]
    assert (hop.subject, hop.predicate, hop.object) == ("B", "ASSOCIATED_WITH", "A")
    assert [a.predicate for a in hop.alternatives] == ["POSITIVELY_CORRELATED_WITH", "CO_OCCURS_WITH"]
    assert p.hops[1].predicate == "CO_OCCURS_WITH" and p.hops[1].alternatives == ()  # nothing claimed: the co-mention
    assert p.score == pytest.approx(0.99902 * 0.9)


def test_a_shorter_path_may_rank_above_a_slightly_higher_path_score():
    """What the answer says of the order: the product of the scores, each hop ranked 1 to 2% weaker."""
    g = nx.Graph()
    g.add_edge("A", "C", combined_score=0.995, doc_count=1)
    g.add_edge("A", "B", combined_score=1.0, doc_count=9)
    g.add_edge("B", "C", combined_score=1.0, doc_count=9)
    paths = best_paths(g, "A", "C", k=2)
    assert [p.nodes for p in paths] == [("A", "C"), ("A", "B", "C")]
    assert paths[0].score < paths[1].score
