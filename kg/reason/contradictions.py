"""Edges that papers both affirm and negate ("X causes Y" next to "X did not cause Y"), ranked.

Rank: by the smaller side first (an edge with 5 affirmed and 4 negated sentences is more
contested than one with 50 and 1), then by total evidence, then by key. ``balance`` is
``min/(affirmed + negated)``: 0.5 is an even split.

Co-mentions (CO_OCCURS_WITH: two concepts in one sentence) are never contradicted: a co-mention
asserts nothing, so a negated sentence that names both ("DBH activity does not reflect
hypoglycemia") contradicts no claim. Only claimed relations are ranked.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import networkx as nx

from kg.errors import ArgumentError, Errors
from kg.graph.base import GraphStore
from kg.graph import cypher as q
from kg.reason.subgraph import COMENTION, MAX_LIMIT, cypher_limit


# The co-mention's relationship type: by name in a networkx graph (COMENTION), by Biolink predicate in a store's schema.
COMENTION_BIOLINK = "biolink:occurs_together_in_literature_with"


@dataclass(frozen=True)
class Contradiction:
    subject: str
    predicate: str
    object: str
    key: str | None
    affirmed: int
    negated: int
    subject_name: str | None = None
    object_name: str | None = None

    @property
    def balance(self) -> float:
        return min(self.affirmed, self.negated) / (self.affirmed + self.negated)


def _rank(found: list[Contradiction], top: int | None) -> list[Contradiction]:
    found.sort(key=lambda c: (-min(c.affirmed, c.negated), -(c.affirmed + c.negated), c.key or "", c.subject))
    return found[:top] if top else found


def contradictions(g: nx.Graph, *, min_each: int = 1, top: int | None = None,
                   comentions: Collection[str] = (COMENTION,)) -> list[Contradiction]:
    """Claimed edges of ``g`` with at least ``min_each`` affirmed and ``min_each`` negated sentences.

    Parameters
    ----------
    g : networkx graph
        Edges carry ``affirmed`` and ``negated`` counts (as ``extract_subgraph`` gives them).
    min_each : int
        Least evidence on each side.
    top : int, optional
        Keep the first ``top``.
    comentions : collection of str
        Relationship types that claim nothing and are left out (the co-mention).

    Returns
    -------
    list of Contradiction

    Raises
    ------
    ArgumentError
        When ``min_each`` is below 1 (a ValueError).

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("A", "B", key="INDUCES", predicate="INDUCES", affirmed=3, negated=2)
    >>> [(c.subject, c.object, c.balance) for c in contradictions(g)]
    [('A', 'B', 0.4)]
    """
    if min_each < 1:
        raise ArgumentError(Errors.E010, name="min_each", minimum=1, value=min_each)
    edges = g.edges(keys=True, data=True) if g.is_multigraph() else ((u, v, None, d) for u, v, d in g.edges(data=True))
    found = [
        Contradiction(u, d.get("predicate") or k or "RELATED", v, d.get("key"), int(d["affirmed"]), int(d["negated"]),
                      g.nodes[u].get("name"), g.nodes[v].get("name"))
        for u, v, k, d in edges
        if int(d.get("affirmed") or 0) >= min_each and int(d.get("negated") or 0) >= min_each
        and (d.get("predicate") or k) not in comentions
    ]
    return _rank(found, top)


def comention_types(store: GraphStore) -> frozenset[str]:
    """The schema's co-mention relationship types (by Biolink predicate, so a renamed type stays one)."""
    return frozenset(t for t in store.schema.triple_types
                     if store.schema.relationships[t].biolink == COMENTION_BIOLINK)


def contradictions_in_store(store: GraphStore, *, concept: str | None = None, top: int = 20) -> list[Contradiction]:
    """The same ranking straight from the store (all claimed edges, or those touching ``concept``), with the
    two ends' names. Co-mentions are left out; the query ranks them too, so it is asked for more rows until
    ``top`` claimed edges are found or none are left."""
    skip, limit = comention_types(store), cypher_limit(max(top, 1))
    while True:
        rows = store.query(q.REASON_CONTRADICTED, {"id": concept, "limit": limit})
        found = [Contradiction(r["subject"], r["predicate"], r["object"], r["key"], int(r["affirmed"]),
                               int(r["negated"]), r.get("subject_name"), r.get("object_name"))
                 for r in rows if r["predicate"] not in skip]
        if len(found) >= top or len(rows) < limit or limit == MAX_LIMIT:
            return _rank(found, top)
        limit = cypher_limit(limit * 4)
