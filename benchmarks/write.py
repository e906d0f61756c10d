"""Write throughput of the embedded FalkorDB store, first write and idempotent re-write.

The synthetic batch is the full shape the pipeline writes, not plain edges: N distinct
CO_OCCURS_WITH triples, each supported by one Evidence node (so N Evidence nodes, N
IN_DOCUMENT and N triple edges), over N/10 concepts and N/10 documents, plus one MENTIONS
per document and concept it cites. Constraints and indexes are in place before writing.

    python benchmarks/write.py            # 200k triples
    python benchmarks/write.py --edges 20000

Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from pathlib import Path

import psutil

from kg.config import Settings
from kg.graph.backends import open_store
from kg.models import Concept, Document, Evidence, GraphBatch, MentionLink, Triple


def synthetic_batch(n_edges: int, seed: int = 7) -> GraphBatch:
    rng = random.Random(seed)
    n_concepts = max(n_edges // 10, 10)
    n_docs = max(n_edges // 10, 1)
    types = ("Chemical", "Disease", "Gene")
    concepts = [Concept(id=f"MESH:C{i:07d}", name=f"concept {i}", type=types[i % 3], synonyms=(f"c{i}",),
                        source="synthetic", release="1") for i in range(n_concepts)]
    docs = [Document(id=f"PMID:{i}", source="pubmed", text="x", title=f"title {i}",
                     metadata={"journal": "J", "year": 2000 + i % 25, "mesh_ui": [f"D{i % 97:06d}"]})
            for i in range(n_docs)]
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < n_edges:
        s, o = rng.randrange(n_concepts), rng.randrange(n_concepts)
        if s != o:
            pairs.add((s, o))
    evidence, cited = [], set()
    for i, (s, o) in enumerate(sorted(pairs)):
        d = i % n_docs
        cited.update({(d, s), (d, o)})
        evidence.append(Evidence(
            triple=Triple(subject=concepts[s].id, predicate="CO_OCCURS_WITH", object=concepts[o].id),
            doc_id=docs[d].id, sentence=f"sentence {i} of document {d}", sentence_start=0,
            subject_span=(0, 5), object_span=(10, 15), extractor="cooc", extractor_version="1",
            score=rng.uniform(0.3, 0.99)))
    mentions = [MentionLink(doc_id=docs[d].id, concept_id=concepts[c].id, count=1, texts=(f"c{c}",),
                            max_score=0.9, affirmed=1, extractor="dict", extractor_version="1")
                for d, c in sorted(cited)]
    return GraphBatch(documents=tuple(docs), concepts=tuple(concepts), mentions=tuple(mentions),
                      evidence=tuple(evidence))


def _server_peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return psutil.Process(pid).memory_info().rss / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edges", type=int, default=200_000)
    parser.add_argument("--write-batch-size", type=int, default=5000)
    args = parser.parse_args()

    t0 = time.perf_counter()
    batch = synthetic_batch(args.edges)
    n_nodes = len(batch.documents) + len(batch.concepts) + len(batch.evidence)
    n_rels = 2 * len(batch.evidence) + len(batch.mentions)  # triple + IN_DOCUMENT per evidence, MENTIONS
    print(f"batch: {len(batch.documents)} documents, {len(batch.concepts)} concepts, {len(batch.evidence)} evidence,"
          f" {len(batch.mentions)} mentions -> {n_nodes} nodes, {n_rels} relationships"
          f" ({args.edges} triple edges); built in {time.perf_counter() - t0:.1f} s")

    with tempfile.TemporaryDirectory(prefix="medkg-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp), write_batch_size=args.write_batch_size)
        with open_store(settings) as store:
            store.ensure_schema()
            for run in ("first write", "re-write"):
                t = time.perf_counter()
                stats = store.write(batch)
                dt = time.perf_counter() - t
                print(f"{run:>11}: {dt:6.1f} s  {n_nodes / dt:8.0f} nodes/s  {n_rels / dt:8.0f} relationships/s"
                      f"  {args.edges / dt:8.0f} triple edges/s  (created {stats.nodes_created} nodes,"
                      f" {stats.relationships_created} relationships)")
            counts = store.counts()
            print(f"graph: {sum(counts['nodes'][k] for k in ('Document', 'Concept', 'Evidence'))} nodes,"
                  f" {sum(counts['relationships'].values())} relationships")
            server_pid = store.server.process.pid
            print(f"peak RSS: python {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB,"
                  f" redis-server {_server_peak_rss_mb(server_pid):.0f} MiB")


if __name__ == "__main__":
    main()
