"""Path and Swanson-ABC query times: on a demo graph in the store and on a 1M-edge synthetic graph.

The demo part needs a graph built first, e.g.

    MEDKG_CACHE_DIR=/tmp/medkg-cache medkg --data-dir /tmp/reasondemo demo --limit 500
    python benchmarks/reason.py --data-dir /tmp/reasondemo

and times extraction from the store (whole graph, 2 hops around the busiest concepts), the 5
best paths between pairs of busy concepts, and ABC for the busiest concepts. The synthetic
part builds an undirected graph with a heavy-tailed degree distribution (both ends of each new
edge picked in proportion to degree + 1, so hubs form as in literature co-mention graphs) and random noisy-OR
scores, then times the same calls. ``--edges 0`` skips it. Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import time
from pathlib import Path

import networkx as nx

from kg.config import load_settings
from kg.graph.backends import open_store
from kg.reason.discovery import swanson_abc
from kg.reason.paths import best_paths
from kg.reason.subgraph import extract_subgraph


def _ms(seconds: list[float]) -> str:
    return (f"median {statistics.median(seconds) * 1000:.1f} ms, max {max(seconds) * 1000:.1f} ms "
            f"over {len(seconds)}")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_calls(g: nx.Graph, sources: list[str], pairs: list[tuple[str, str]], k: int, max_hops: int) -> None:
    t_paths, found = [], 0
    for a, b in pairs:
        start = time.perf_counter()
        found += len(best_paths(g, a, b, k=k, max_hops=max_hops))
        t_paths.append(time.perf_counter() - start)
    print(f"  best_paths k={k} max_hops={max_hops}: {_ms(t_paths)} ({found} paths found)")
    t_abc, sizes = [], []
    for s in sources:
        start = time.perf_counter()
        sizes.append(len(swanson_abc(g, s, top=20)))
        t_abc.append(time.perf_counter() - start)
    print(f"  swanson_abc top=20: {_ms(t_abc)}")


def demo(data_dir: Path, k: int, max_hops: int) -> None:
    settings = load_settings(data_dir=data_dir)
    with open_store(settings) as store:
        start = time.perf_counter()
        g = extract_subgraph(store, None)
        print(f"demo graph {data_dir}: {g.number_of_nodes():,} concepts, {g.number_of_edges():,} triple edges; "
              f"whole-graph extraction {time.perf_counter() - start:.2f} s")
        if g.number_of_edges() == 0:
            print("  empty graph: run `medkg demo` first")
            return
        simple = nx.Graph(g.to_undirected())
        busy = sorted(simple, key=lambda n: (-simple.degree(n), n))[:10]
        t_ext = []
        for s in busy:
            start = time.perf_counter()
            extract_subgraph(store, [s], hops=2)
            t_ext.append(time.perf_counter() - start)
        print(f"  2-hop extraction from the store around the 10 busiest concepts: {_ms(t_ext)}")
    pairs = [(busy[i], busy[j]) for i in range(5) for j in range(i + 1, 5)]
    time_calls(g, busy, pairs, k, max_hops)


def synthetic(n_edges: int, seed: int = 7) -> nx.Graph:
    """An undirected graph with ``n_edges`` edges over n_edges/10 concepts, heavy-tailed degrees."""
    rng = random.Random(seed)
    n_nodes = max(n_edges // 10, 10)
    g = nx.Graph()
    ends: list[int] = list(range(n_nodes))  # every node once, then once more per edge end: degree-proportional
    made = 0  # Graph.number_of_edges() walks every node: too slow to ask a million times
    while made < n_edges:
        u, v = rng.choice(ends), rng.choice(ends)
        if u == v or g.has_edge(u, v):
            continue
        made += 1
        docs = 1 + int(rng.paretovariate(1.5))
        score = 1 - (1 - rng.uniform(0.3, 0.95)) ** docs
        g.add_edge(u, v, combined_score=score, doc_count=docs, key=f"{u}-{v}", predicate="CO_OCCURS_WITH")
        ends += (u, v)
    return g


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/reasondemo"))
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--max-hops", type=int, default=3)
    args = parser.parse_args()

    if (args.data_dir / "falkordb").exists() or any(args.data_dir.glob("*")):
        demo(args.data_dir, args.k, args.max_hops)
    else:
        print(f"no demo graph in {args.data_dir}; skipping the demo part")
    if args.edges:
        start = time.perf_counter()
        g = synthetic(args.edges)
        print(f"synthetic graph: {g.number_of_nodes():,} concepts, {g.number_of_edges():,} edges, built in "
              f"{time.perf_counter() - start:.1f} s, peak RSS {_rss_mb():,.0f} MB")
        rng = random.Random(11)
        nodes = list(g)
        by_degree = sorted(nodes, key=lambda n: -g.degree(n))
        sources = rng.sample(nodes, args.samples // 2) + by_degree[: args.samples - args.samples // 2]
        pairs = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(args.samples)]
        pairs = [(a, b) for a, b in pairs if a != b]
        print(f"  degrees: median {statistics.median(g.degree(n) for n in nodes)}, max {g.degree(by_degree[0])}; "
              f"ABC sources: {args.samples // 2} random + {args.samples - args.samples // 2} busiest")
        time_calls(g, sources, pairs, args.k, args.max_hops)
        print(f"  peak RSS {_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
