"""Swanson's ABC literature-based discovery: concepts C linked to A only through intermediates B.

Swanson found fish oil -> blood viscosity -> Raynaud's disease in papers that never cited each
other. Here, for a source A, every C two hops away but not adjacent to A is scored

    score(C) = sum over B of  s(A,B) * s(B,C)

with ``s`` the combined (noisy-OR) score of the strongest edge of each pair: each B adds the
belief that both of its hops hold, so many well-supported bridges beat one. The result lists
every B with its two scores, so the number can be recomputed by hand.

The rules paths, answers, reports and pictures follow hold here too: a hub (``cues.HUBS``: the human
hub, generic taxa such as Animals) is neither a bridge nor proposed, for "patients" is co-mentioned
with everything; a species never bridges (``cues.links``: two concepts studied in mice share the
organism, not a mechanism) and is proposed only when ``target_labels`` asks for species.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

import networkx as nx

from kg.errors import ArgumentError, Errors, NotInGraphError
from kg.reason import cues
from kg.reason.subgraph import best_edges


@dataclass(frozen=True)
class Bridge:
    """One intermediate B with the scores of its two hops and the edges used."""

    concept: str
    score_ab: float
    score_bc: float
    key_ab: str | None = None
    key_bc: str | None = None

    @property
    def contribution(self) -> float:
        return self.score_ab * self.score_bc


@dataclass(frozen=True)
class Discovery:
    """A candidate C for source A: its score and the bridges behind it, strongest first."""

    source: str
    concept: str
    score: float
    bridges: tuple[Bridge, ...]


def can_bridge(g: nx.Graph, node: str, left_out: Collection[str] = cues.HUBS) -> bool:
    """Whether ``node`` of ``g`` may be an intermediate B: neither left out (a hub) nor a species."""
    return node not in left_out and cues.links(g.nodes[node])


def swanson_abc(
    g: nx.Graph,
    source: str,
    *,
    top: int = 20,
    min_score: float = 0.0,
    target_labels: Collection[str] | None = None,
    exclude: Collection[str] = (),
    isa: nx.DiGraph | None = None,
    hubs: Collection[str] = cues.HUBS,
) -> list[Discovery]:
    """Rank concepts reachable from ``source`` in two hops and not linked to it directly.

    Parameters
    ----------
    g : networkx graph
        From ``extract_subgraph(store, [source], hops=2)`` or an undirected ``nx.Graph``
        with ``combined_score`` on its edges.
    source : str
        Concept A.
    top : int
        How many C to return.
    min_score : float
        Hops below this combined score are not used.
    target_labels : collection of str, optional
        Keep only C whose node ``labels`` (or ``type``) meet these, e.g. ``{"Disease"}``; a species
        is proposed only when they name it.
    exclude : collection of str
        More concepts neither used as a bridge nor proposed, besides ``hubs``.
    hubs : collection of str
        Concepts that would otherwise connect everything to everything ("patients"): neither used
        as a bridge nor proposed. Default the hubs every answer leaves out (``cues.HUBS``).
    isa : networkx DiGraph, optional
        The is_a graph (:func:`kg.reason.closure.isa_graph`, child -> parent): a C that is a kind of
        A, or A of C, is no discovery (Essential Hypertension for Hypertension).

    Returns
    -------
    list of Discovery
        By score, then number of bridges, then id (deterministic).

    Raises
    ------
    NotInGraphError
        When ``source`` is not in the graph.
    ArgumentError
        When ``top`` is below 1 (a ValueError).

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_edge("A", "B", combined_score=0.8); g.add_edge("B", "C", combined_score=0.5)
    >>> [(d.concept, round(d.score, 2)) for d in swanson_abc(g, "A")]
    [('C', 0.4)]
    """
    if source not in g:
        raise NotInGraphError(Errors.E911, concept=source)
    if top < 1:
        raise ArgumentError(Errors.E010, name="top", minimum=1, value=top)
    simple = best_edges(g)
    direct = set(simple[source])
    left_out = set(exclude) | set(hubs)
    skip = direct | {source} | left_out
    if isa is not None and source in isa:
        skip |= nx.descendants(isa, source) | nx.ancestors(isa, source)
    bridges: dict[str, list[Bridge]] = defaultdict(list)
    for b in direct:
        ab = simple.edges[source, b]
        if ab["combined_score"] < min_score or not can_bridge(simple, b, left_out):
            continue
        for c, bc in simple[b].items():
            if c in skip or bc["combined_score"] < min_score:
                continue
            if not (_has_label(simple.nodes[c], target_labels) if target_labels else cues.links(simple.nodes[c])):
                continue
            bridges[c].append(Bridge(b, float(ab["combined_score"]), float(bc["combined_score"]),
                                     ab.get("key"), bc.get("key")))
    found = [
        Discovery(source, c, sum(x.contribution for x in bs),
                  tuple(sorted(bs, key=lambda x: (-x.contribution, x.concept))))
        for c, bs in bridges.items()
    ]
    found.sort(key=lambda d: (-d.score, -len(d.bridges), d.concept))
    return found[:top]


def _has_label(node: dict, wanted: Collection[str]) -> bool:
    return bool(set(node.get("labels") or ()) & set(wanted)) or node.get("type") in wanted
