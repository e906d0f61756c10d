"""The k best evidence-weighted paths between two concepts: "what could link metformin to lactic acidosis?"

A hop's weight is ``-ln(combined_score)``, so the cheapest path is the one whose hops are
jointly most believable (its score is the product of the hops' combined scores) and a strong
two-hop chain can beat a weak direct edge. Noisy-OR saturates at 1.0 for well-supported
co-mentions, so each hop also costs ``TIE * (1 + 1 / (1 + doc_count))`` (as if its score were
about 1% lower): among equally believable paths the shorter one, then the one read in more
papers, comes first. Paths are simple (no concept twice) and ignore the
stored direction; each hop says which way its edge points and which edge it used.

A species never links two concepts (``cues.NOT_LINKS``): "Dopamine - Mice - Norepinephrine" says
that both were studied in mice, not how they connect. A species may be a path's source or target.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from itertools import islice

import networkx as nx

from kg.errors import ArgumentError, Errors, NotInGraphError
from kg.graph.base import GraphStore
from kg.reason import cues
from kg.reason.evidence import Citation, citations
from kg.reason.subgraph import best_edges

TIE = 0.01  # -ln(0.99): a hop costs about what a 1% lower score would
MIN_SCORE = 1e-6  # a zero score would make an infinite weight; it becomes a very weak hop instead
# shortest_simple_paths yields by weight, not hop count; this many candidates are inspected at most
# per path asked for, so a max_hops filter cannot turn into an endless enumeration.
CANDIDATES_PER_PATH = 50


@dataclass(frozen=True)
class Hop:
    """One step of a path: the edge used (as stored: subject -> object) and its evidence."""

    subject: str
    predicate: str
    object: str
    key: str | None
    combined_score: float
    evidence_count: int
    alternatives: tuple[Hop, ...] = ()  # the pair's other edges, claims before co-mentions (no evidence)
    evidence: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class Path:
    """Concepts from source to target, the hops between them, and the product of the hop scores."""

    nodes: tuple[str, ...]
    hops: tuple[Hop, ...]
    score: float
    names: dict[str, str] = field(default_factory=dict, compare=False)

    def describe(self) -> str:
        """``A -[INDUCES]-> B <-[CO_OCCURS_WITH]- C`` with names where known."""
        parts = [self._name(self.nodes[0])]
        for node, hop in zip(self.nodes[1:], self.hops, strict=True):
            forward = hop.object == node
            parts.append(f"-[{hop.predicate}]->" if forward else f"<-[{hop.predicate}]-")
            parts.append(self._name(node))
        return " ".join(parts)

    def _name(self, cid: str) -> str:
        name = self.names.get(cid)
        return f"{name} ({cid})" if name else cid


def _cost(d: dict) -> float:
    return -math.log(max(float(d["combined_score"]), MIN_SCORE)) + TIE * (1 + 1 / (1 + int(d.get("doc_count") or 0)))


def best_paths(g: nx.Graph, source: str, target: str, *, k: int = 5, max_hops: int = 3) -> list[Path]:
    """The ``k`` most believable simple paths of at most ``max_hops`` hops, best first.

    Parameters
    ----------
    g : networkx graph
        From ``extract_subgraph`` (a MultiDiGraph) or an undirected ``nx.Graph`` whose edges
        carry ``combined_score`` (and optionally ``predicate``, ``key``, ``evidence_count``).
    source, target : str
        Concept ids.
    k : int
        How many paths.
    max_hops : int
        Longer paths are skipped.

    Returns
    -------
    list of Path
        Empty when the two are not connected within ``max_hops``; ties keep networkx's order.

    Raises
    ------
    ArgumentError
        When ``k`` or ``max_hops`` is below 1, or source equals target (a ValueError).
    NotInGraphError
        When source or target is not in the graph.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_edge("A", "B", combined_score=0.9); g.add_edge("B", "C", combined_score=0.9)
    >>> g.add_edge("A", "C", combined_score=0.5)
    >>> [p.nodes for p in best_paths(g, "A", "C", k=2)]
    [('A', 'B', 'C'), ('A', 'C')]
    """
    for name, value in (("k", k), ("max_hops", max_hops)):
        if value < 1:
            raise ArgumentError(Errors.E010, name=name, minimum=1, value=value)
    if source == target:
        raise ArgumentError(Errors.E912, concept=source)
    for node in (source, target):
        if node not in g:
            raise NotInGraphError(Errors.E911, concept=node)
    simple = _within(best_edges(g), source, target, max_hops)
    out: list[Path] = []
    if target not in simple:
        return out
    candidates = nx.shortest_simple_paths(simple, source, target, weight=lambda u, v, d: _cost(d))
    try:
        for nodes in islice(candidates, k * CANDIDATES_PER_PATH):
            if len(nodes) - 1 > max_hops:
                continue
            out.append(_path(simple, nodes))
            if len(out) == k:
                break
    except nx.NetworkXNoPath:
        return []
    return out


def _within(g: nx.Graph, source: str, target: str, max_hops: int) -> nx.Graph:
    """Only the concepts that lie on some path of at most ``max_hops`` hops (d(s,n) + d(n,t) <= max_hops)
    whose inner concepts may link (no species: ``cues.links``).

    Yen's algorithm runs a shortest-path search per candidate; on a 1M-edge graph that costs
    seconds each, on this cut milliseconds, and no path within the hop limit is lost.
    """
    blocked = {n for n, d in g.nodes(data=True) if n not in (source, target) and not cues.links(d)}
    if blocked:
        g = nx.restricted_view(g, blocked, [])
    near_s = nx.single_source_shortest_path_length(g, source, cutoff=max_hops)
    if target not in near_s:
        return nx.Graph()
    near_t = nx.single_source_shortest_path_length(g, target, cutoff=max_hops)
    keep = [n for n, d in near_s.items() if d + near_t.get(n, max_hops + 1) <= max_hops]
    return g.subgraph(keep).copy()


def _path(g: nx.Graph, nodes: list[str]) -> Path:
    hops = []
    score = 1.0
    for u, v in zip(nodes, nodes[1:], strict=False):
        d = g.edges[u, v]
        parallel = [dict(h, subject=h.get("subject", u), object=h.get("object", v)) for h in d.get("edges") or [d]]
        best = parallel[0]  # best_edges' choice: the strongest claim, a co-mention only when nothing is claimed
        hops.append(replace(_hop(best), alternatives=tuple(_hop(h) for h in parallel[1:])))
        score *= float(best["combined_score"])
    names = {n: g.nodes[n]["name"] for n in nodes if g.nodes[n].get("name")}
    return Path(nodes=tuple(nodes), hops=tuple(hops), score=score, names=names)


def _hop(h: dict) -> Hop:
    return Hop(subject=h["subject"], predicate=h.get("predicate") or "RELATED", object=h["object"], key=h.get("key"),
               combined_score=float(h["combined_score"]), evidence_count=int(h.get("evidence_count") or 0))


def with_evidence(store: GraphStore, paths: Iterable[Path], *, per_hop: int = 2) -> list[Path]:
    """The paths with each hop's ``per_hop`` best sentences attached (one query for all hops)."""
    paths = list(paths)
    found = citations(store, (h.key for p in paths for h in p.hops), per_key=per_hop)
    return [
        replace(p, hops=tuple(replace(h, evidence=tuple(found.get(h.key, ()))) for h in p.hops)) for p in paths
    ]
