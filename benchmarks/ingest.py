"""Ingestion benchmark on the shared PubMed baseline file. Prints figures; asserts nothing.

    python benchmarks/ingest.py [--docs 2000] [--file PUBMED.xml.gz]

Phases, each in its own process so that its peak RSS is its own:
  parse       iter_pubmed over the whole file (citations/s)
  extract     extractor + linker + assertion over the first N abstracts (abstracts/s)
  write       assembled batches written to a fresh embedded graph (nodes/s, edges/s)
  end-to-end  Pipeline.run into a fresh data dir, then the idempotent re-run (abstracts/s)
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import platform
import resource
import tempfile
import time
from itertools import islice
from pathlib import Path

from kg.config import SHARED_DATA, load_settings

DEFAULT_FILE = SHARED_DATA / "pubmed" / "pubmed20n0014.xml.gz"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _abstracts(path: Path, n: int):
    from kg.models import Document
    from kg.sources.pubmed import iter_pubmed

    return list(islice((d for d in iter_pubmed(path) if isinstance(d, Document) and d.metadata.get("has_abstract")), n))


def parse(path: Path, n: int) -> dict:
    from kg.sources.pubmed import iter_pubmed

    t = time.perf_counter()
    count = sum(1 for _ in iter_pubmed(path))
    s = time.perf_counter() - t
    return {"phase": "parse", "items": count, "seconds": s, "rate": count / s, "unit": "citations/s"}


def extract(path: Path, n: int) -> dict:
    from kg.components import build_extractor, build_linker, build_tagger

    settings = load_settings(data_dir=Path(tempfile.mkdtemp(prefix="medkg-bench-")))
    docs = _abstracts(path, n)
    extractor, linker, tagger = build_extractor(settings), build_linker(settings), build_tagger(settings)
    t = time.perf_counter()
    items = list(tagger.tag_many(linker.link(extractor.extract(docs, batch_size=256))))
    s = time.perf_counter() - t
    mentions = sum(len(i.mentions) for i in items)
    return {"phase": "extract+link+assertion", "items": len(docs), "seconds": s, "rate": len(docs) / s,
            "unit": "abstracts/s", "extra": f"{mentions:,} mentions ({mentions / s:,.0f}/s)"}


def write(path: Path, n: int) -> dict:
    from kg.components import build_extractor, build_linker
    from kg.assemble.cooccur import CooccurrenceAssembler
    from kg.graph import open_store

    settings = load_settings(data_dir=Path(tempfile.mkdtemp(prefix="medkg-bench-")))
    docs = _abstracts(path, n)
    extractor, linker = build_extractor(settings), build_linker(settings)
    batch = CooccurrenceAssembler(linker.concepts).assemble(linker.link(extractor.extract(docs)))
    nodes = len(batch.documents) + len(batch.concepts) + len(batch.evidence)
    rels = len(batch.mentions) + 2 * len(batch.evidence)  # IN_DOCUMENT + the triple edge per evidence (upper bound)
    with open_store(settings) as store:
        store.ensure_schema()
        t = time.perf_counter()
        store.write(batch)
        first = time.perf_counter() - t
        t = time.perf_counter()
        store.write(batch)
        again = time.perf_counter() - t
        counts = store.counts()
    edges = sum(counts["relationships"].values())
    return {"phase": "write", "items": edges, "seconds": first, "rate": edges / first, "unit": "edges/s",
            "extra": f"{nodes:,} node rows, {rels:,} rel rows; re-write {again:.2f} s ({edges / again:,.0f} edges/s)"}


def end_to_end(path: Path, n: int) -> dict:
    from kg.components import build_pipeline
    from kg.graph import open_store
    from kg.ledger import Ledger

    settings = load_settings(data_dir=Path(tempfile.mkdtemp(prefix="medkg-bench-")))
    docs = _abstracts(path, n)
    with open_store(settings) as store, Ledger(settings.ledger_path) as ledger:
        store.ensure_schema()
        pipeline = build_pipeline(settings, store=store, ledger=ledger, source_name="pubmed")
        t = time.perf_counter()
        first = pipeline.run(docs, command="benchmark", inputs=[str(path)])
        s = time.perf_counter() - t
        t = time.perf_counter()
        second = pipeline.run(docs, command="benchmark", inputs=[str(path)])
        again = time.perf_counter() - t
    return {"phase": "end-to-end", "items": first.written, "seconds": s, "rate": first.written / s,
            "unit": "abstracts/s", "extra": f"re-run skipped {second.skipped:,} in {again:.2f} s"}


def _child(fn, path, n, queue):
    out = fn(path, n)
    out["peak_rss_mb"] = _rss_mb()
    queue.put(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--file", type=Path, default=DEFAULT_FILE)
    ap.add_argument("--docs", type=int, default=2000, help="abstracts for the extract/write/end-to-end phases")
    ap.add_argument("--phases", default="parse,extract,write,end-to-end")
    args = ap.parse_args()
    phases = {"parse": parse, "extract": extract, "write": write, "end-to-end": end_to_end}
    print(f"machine: {platform.node()} {platform.machine()}, {mp.cpu_count()} cores; file {args.file.name}; "
          f"{args.docs:,} abstracts")
    ctx = mp.get_context("spawn")
    results = []
    for name in args.phases.split(","):
        q = ctx.Queue()
        p = ctx.Process(target=_child, args=(phases[name], args.file, args.docs, q))
        p.start()
        r = q.get()
        p.join()
        results.append(r)
        print(f"{r['phase']:<24} {r['items']:>8,} in {r['seconds']:7.2f} s = {r['rate']:>9,.0f} {r['unit']:<12} "
              f"peak RSS {r['peak_rss_mb']:,.0f} MB  {r.get('extra', '')}")
    by = {r["phase"]: r for r in results}
    if "parse" in by and "end-to-end" in by:
        print(f"ratio parse/end-to-end rate: {by['parse']['rate'] / by['end-to-end']['rate']:.1f}x "
              "(how much faster reading is than the whole pipeline)")


if __name__ == "__main__":
    main()
