"""Pull the part of the graph a question needs into networkx, where the algorithms live.

The store keeps the data; reasoning runs on a ``networkx.MultiDiGraph`` with one edge per
triple (key = predicate) carrying the triple's aggregates. Extraction streams: hop by hop for
seeds (frontiers sent in chunks), page by page by key for the whole graph, and stops with
``SubgraphTooLargeError`` as soon as the edge budget is passed, before memory is spent on a
graph nobody asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import networkx as nx

from kg.errors import ArgumentError, Errors, SubgraphTooLargeError
from kg.graph.base import GraphStore
from kg.graph import cypher as q

# Sent per query: a frontier of thousands of concepts is split so no statement grows unbounded.
FRONTIER_CHUNK = 500
PAGE_SIZE = 5000
DEFAULT_MAX_EDGES = 200_000
EDGE_FIELDS = ("key", "combined_score", "max_score", "evidence_count", "doc_count", "affirmed", "negated")
COMENTION = "CO_OCCURS_WITH"  # the schema's co-occurrence type: two concepts in one sentence, not a claim
# FalkorDB reads a LIMIT modulo 2**32 (LIMIT 4294967296 returns no row), so no number sent as a limit
# may reach it: every one passes through cypher_limit after the caller's multiplier (ask asks for five
# times its limit, report three times, contradictions four times more per retry). Far more rows than
# any graph here holds.
MAX_LIMIT = 2**31 - 1


def cypher_limit(n: int) -> int:
    """``n`` as a Cypher LIMIT (or slice bound): at most ``MAX_LIMIT``, so a very large one lists everything
    instead of wrapping round to a small number or none.

    >>> cypher_limit(10 * 5), cypher_limit(4294967296 * 5) == MAX_LIMIT
    (50, True)
    """
    return min(int(n), MAX_LIMIT)


def triple_predicates(store: GraphStore, predicates: Iterable[str] | None = None) -> list[str]:
    """The schema's triple types, or ``predicates`` after each passed the whitelist.

    Read at run time so relation types added to ``ontology/schema.yaml`` take part without a
    code change.

    Raises
    ------
    SchemaError
        When a named predicate is not a triple type of the schema.
    """
    if predicates is None:
        return list(store.schema.triple_types)
    return [store.schema.predicate(p) for p in predicates]


def add_edge(g: nx.MultiDiGraph, row: dict) -> None:
    """One triple row (as the REASON_* queries return it) into ``g``, keyed by predicate."""
    attrs = {f: row.get(f) for f in EDGE_FIELDS}
    for f in ("combined_score", "max_score"):
        attrs[f] = float(attrs[f] or 0.0)
    for f in ("evidence_count", "doc_count", "affirmed", "negated"):
        attrs[f] = int(attrs[f] or 0)
    # "key" is the triple's key, not networkx's multi-edge key (the predicate), hence update().
    g.add_edge(row["subject"], row["object"], key=row["predicate"])
    g.edges[row["subject"], row["object"], row["predicate"]].update(attrs, predicate=row["predicate"])


def extract_subgraph(
    store: GraphStore,
    seeds: Sequence[str] | None,
    *,
    hops: int = 1,
    predicates: Iterable[str] | None = None,
    min_score: float = 0.0,
    min_evidence: int = 1,
    max_edges: int = DEFAULT_MAX_EDGES,
) -> nx.MultiDiGraph:
    """The triple edges within ``hops`` of ``seeds`` (or the whole graph when ``seeds`` is None).

    Edges are followed in both directions (a co-occurrence's stored direction means nothing),
    and an edge counts when it touches a concept fewer than ``hops`` steps from a seed, so the
    edges among the outermost ring are left out. Nodes carry ``name``, ``type`` and ``labels``.

    Parameters
    ----------
    store : GraphStore
        An open store.
    seeds : sequence of str or None
        Concept ids to start from; None streams every triple edge.
    hops : int
        How far to walk from the seeds (ignored for the whole graph).
    predicates : iterable of str, optional
        Relationship types to follow; default every triple type of the schema.
    min_score, min_evidence : float, int
        Edges below either threshold are not followed.
    max_edges : int
        The size guard.

    Returns
    -------
    networkx.MultiDiGraph

    Raises
    ------
    SubgraphTooLargeError
        When more than ``max_edges`` edges qualify.
    SchemaError
        When a predicate is not a triple type of the schema.
    ArgumentError
        When ``hops`` is below 1 (a ValueError).

    Examples
    --------
    >>> g = extract_subgraph(store, ["MESH:D008687"], hops=2, min_score=0.5)  # doctest: +SKIP
    """
    if hops < 1:
        raise ArgumentError(Errors.E010, name="hops", minimum=1, value=hops)
    params = {"predicates": triple_predicates(store, predicates), "min_score": float(min_score),
              "min_evidence": int(min_evidence)}
    g = nx.MultiDiGraph()
    if seeds is None:
        after = ""
        while True:
            page = store.query(q.REASON_EDGES_PAGE, {**params, "after": after, "limit": PAGE_SIZE})
            for row in page:
                add_edge(g, row)
            _guard(g, max_edges, "the whole graph")
            if len(page) < PAGE_SIZE:
                break
            after = page[-1]["key"]
    else:
        seen = set(seeds)
        g.add_nodes_from(seen)
        frontier = list(dict.fromkeys(seeds))
        for _ in range(hops):
            nxt: list[str] = []
            for start in range(0, len(frontier), FRONTIER_CHUNK):
                budget = cypher_limit(max_edges - g.number_of_edges() + 1)
                chunk = frontier[start : start + FRONTIER_CHUNK]
                rows = store.query(q.REASON_FRONTIER_EDGES, {**params, "ids": chunk, "limit": budget})
                for row in rows:
                    add_edge(g, row)
                    for end in (row["subject"], row["object"]):
                        if end not in seen:
                            seen.add(end)
                            nxt.append(end)
                _guard(g, max_edges, f"{hops} hop(s) around {', '.join(list(seeds)[:3])}")
            frontier = nxt
            if not frontier:
                break
    annotate_nodes(store, g)
    return g


def add_edges_among(
    store: GraphStore,
    g: nx.MultiDiGraph,
    *,
    predicates: Iterable[str] | None = None,
    min_score: float = 0.0,
    min_evidence: int = 1,
    max_edges: int = DEFAULT_MAX_EDGES,
) -> nx.MultiDiGraph:
    """Add the edges among ``g``'s nodes that hop-by-hop extraction leaves out (the outer ring's).

    Raises
    ------
    SubgraphTooLargeError
        When ``g`` would get more than ``max_edges`` edges.
    """
    params = {"predicates": triple_predicates(store, predicates), "min_score": float(min_score),
              "min_evidence": int(min_evidence), "ids": list(g.nodes), "limit": cypher_limit(max_edges + 1)}
    for row in store.query(q.REASON_EDGES_AMONG, params):
        add_edge(g, row)
    _guard(g, max_edges, f"the {g.number_of_nodes()} concepts")
    return g


def _guard(g: nx.MultiDiGraph, max_edges: int, what: str) -> None:
    if g.number_of_edges() > max_edges:
        raise SubgraphTooLargeError(Errors.E901, what=what, max_edges=max_edges)


def annotate_nodes(store: GraphStore, g: nx.Graph) -> None:
    """Give every node of ``g`` its name, type and labels from the store (seeds not in it get none)."""
    ids = list(g.nodes)
    for start in range(0, len(ids), PAGE_SIZE):
        for row in store.query(q.REASON_CONCEPTS, {"ids": ids[start : start + PAGE_SIZE]}):
            labels = [x for x in row["labels"] if x != "Concept"]
            g.nodes[row["id"]].update(name=row["name"], type=row["type"], labels=labels)


def best_edges(g: nx.Graph) -> nx.Graph:
    """An undirected simple view: per concept pair, the strongest claimed edge (a co-mention only when no
    claim links the pair), with every parallel edge listed, in that order.

    Paths and ABC ranking reason over "is there support between these two", whatever the
    direction or type; the parallel edges stay on ``edges`` for the explanation. A co-mention's
    noisy-OR saturates near 1.0 while a claim's is calibrated, so by score alone the co-mention won
    nearly every pair that also has a claim, and a path said "same sentence" where papers claim a
    relation. An undirected simple ``nx.Graph`` is returned as it is (the 1M-edge benchmark builds
    one directly).

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("A", "B", key="CO_OCCURS_WITH", predicate="CO_OCCURS_WITH", combined_score=0.999)
    >>> _ = g.add_edge("B", "A", key="ASSOCIATED_WITH", predicate="ASSOCIATED_WITH", combined_score=0.99)
    >>> e = best_edges(g).edges["A", "B"]
    >>> e["predicate"], e["subject"], [h["predicate"] for h in e["edges"]]
    ('ASSOCIATED_WITH', 'B', ['ASSOCIATED_WITH', 'CO_OCCURS_WITH'])
    """
    if not g.is_directed() and not g.is_multigraph():
        return g
    out = nx.Graph()
    out.add_nodes_from(g.nodes(data=True))
    data_iter = g.edges(keys=True, data=True) if g.is_multigraph() else ((u, v, d.get("predicate"), d)
                                                                        for u, v, d in g.edges(data=True))
    for u, v, _, d in data_iter:
        if u == v:
            continue
        if not out.has_edge(u, v):
            out.add_edge(u, v, edges=[])
        out.edges[u, v]["edges"].append(dict(d, subject=u, object=v))
    for _, _, e in out.edges(data=True):
        e["edges"].sort(key=lambda h: (h.get("predicate") == COMENTION, -h["combined_score"],
                                       h.get("predicate") or ""))
        e.update(e["edges"][0])
    return out
