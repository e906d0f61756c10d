"""Prefect flow (opt-in): refresh the inferred edges after an ingestion run.

Nothing calls it by default: inferred edges exist only when someone runs this flow (or
``kg.reason.inferred.write_inferred``). Each run replaces every edge of the rule, so an
inference whose supporting papers were deleted disappears with them.
"""

from __future__ import annotations

import networkx as nx
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from kg.config import Settings, load_settings
from kg.errors import ArgumentError, Errors
from kg.graph.backends import open_store
from kg.reason.discovery import swanson_abc
from kg.reason.inferred import ABC_RULE, INFERRED_TYPE, InferredEdge, from_discoveries, write_inferred
from kg.reason.subgraph import extract_subgraph


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[2, 10])
def load_graph(settings: Settings, min_score: float, min_evidence: int, max_edges: int) -> nx.MultiDiGraph:
    """The whole graph's triple edges above the thresholds (I/O: retried)."""
    with open_store(settings) as store:
        return extract_subgraph(store, None, min_score=min_score, min_evidence=min_evidence, max_edges=max_edges)


def pick_sources(g: nx.MultiDiGraph, top: int, labels: tuple[str, ...] = ("Chemical", "Disease")) -> list[str]:
    """The ``top`` best-connected concepts of these labels (by papers over their edges), then by id."""
    weight = {}
    for n, d in g.nodes(data=True):
        if set(d.get("labels") or ()) & set(labels):
            weight[n] = sum(e.get("doc_count") or 0 for _, _, e in g.edges(n, data=True)) + sum(
                e.get("doc_count") or 0 for _, _, e in g.in_edges(n, data=True))
    return sorted(weight, key=lambda n: (-weight[n], n))[:top]


@task(cache_policy=NO_CACHE)
def load_isa(settings: Settings) -> nx.DiGraph | None:
    """The is_a graph of the concept store, so that a subtype is no discovery (None without a store);
    ``medkg discover`` loads it the same way (:func:`kg.reason.closure.load_isa`)."""
    from kg.reason import closure

    return closure.load_isa(settings)


@task(cache_policy=NO_CACHE)
def discover(g: nx.MultiDiGraph, sources: list[str], per_source: int, exclude: list[str],
             isa: nx.DiGraph | None = None) -> list[InferredEdge]:
    """ABC candidates for every source, none an is_a relative of it (pure CPU: no retries)."""
    edges: list[InferredEdge] = []
    for s in sources:
        if s in g:
            edges += from_discoveries(swanson_abc(g, s, top=per_source, exclude=exclude, isa=isa), rule=ABC_RULE)
    return edges


@task(cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[2, 10, 30])
def write(settings: Settings, edges: list[InferredEdge], rel_type: str) -> int:
    """Replace the rule's inferred edges (MERGE on key: a retried write is idempotent)."""
    with open_store(settings) as store:
        return write_inferred(store, edges, rel_type=rel_type, replace_rules=[ABC_RULE])


@flow(name="refresh-inferred-edges", log_prints=True)
def refresh_inferred_edges(
    data_dir: str | None = None,
    sources: list[str] | None = None,
    top_sources: int = 25,
    per_source: int = 10,
    min_score: float = 0.0,
    min_evidence: int = 2,
    max_edges: int = 500_000,
    exclude: list[str] | None = None,
    rel_type: str = INFERRED_TYPE,
) -> dict:
    """Swanson ABC from ``sources`` (default: the ``top_sources`` best-connected chemicals and
    diseases) written as ``rel_type`` edges with ``inferred: true``; returns what it did."""
    if top_sources < 1 and not sources:
        raise ArgumentError(Errors.E010, name="top_sources", minimum=1, value=top_sources)
    settings = load_settings(data_dir=data_dir)
    g = load_graph(settings, min_score, min_evidence, max_edges)
    chosen = sources or pick_sources(g, top_sources)
    edges = discover(g, chosen, per_source, exclude or ["NCBITaxon:9606"], load_isa(settings))
    written = write(settings, edges, rel_type)
    summary = {"graph_edges": g.number_of_edges(), "sources": len(chosen), "inferred": len(edges), "written": written,
               "rule": ABC_RULE}
    print(summary)
    return summary
