"""Edges that papers both affirm and negate ("X causes Y" next to "X did not cause Y"), ranked.

Rank: by the smaller side first (an edge with 5 affirmed and 4 negated sentences is more
contested than one with 50 and 1), then by total evidence, then by key. ``balance`` is
``min/(affirmed + negated)``: 0.5 is an even split.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from kg.errors import ArgumentError, Errors
from kg.graph.base import GraphStore
from kg.graph import cypher as q


@dataclass(frozen=True)
class Contradiction:
    subject: str
    predicate: str
    object: str
    key: str | None
    affirmed: int
    negated: int

    @property
    def balance(self) -> float:
        return min(self.affirmed, self.negated) / (self.affirmed + self.negated)


def _rank(found: list[Contradiction], top: int | None) -> list[Contradiction]:
    found.sort(key=lambda c: (-min(c.affirmed, c.negated), -(c.affirmed + c.negated), c.key or "", c.subject))
    return found[:top] if top else found


def contradictions(g: nx.Graph, *, min_each: int = 1, top: int | None = None) -> list[Contradiction]:
    """Edges of ``g`` with at least ``min_each`` affirmed and ``min_each`` negated sentences.

    Parameters
    ----------
    g : networkx graph
        Edges carry ``affirmed`` and ``negated`` counts (as ``extract_subgraph`` gives them).
    min_each : int
        Least evidence on each side.
    top : int, optional
        Keep the first ``top``.

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
        Contradiction(u, d.get("predicate") or k or "RELATED", v, d.get("key"), int(d["affirmed"]), int(d["negated"]))
        for u, v, k, d in edges
        if int(d.get("affirmed") or 0) >= min_each and int(d.get("negated") or 0) >= min_each
    ]
    return _rank(found, top)


def contradictions_in_store(store: GraphStore, *, concept: str | None = None, top: int = 20) -> list[Contradiction]:
    """The same ranking straight from the store (all edges, or those touching ``concept``)."""
    rows = store.query(q.REASON_CONTRADICTED, {"id": concept, "limit": top})
    return _rank(
        [Contradiction(r["subject"], r["predicate"], r["object"], r["key"], int(r["affirmed"]), int(r["negated"]))
         for r in rows],
        top,
    )
