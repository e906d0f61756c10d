"""Ingestion benchmark on the shared PubMed baseline file. Prints figures and ratios; asserts nothing.

    python benchmarks/ingest.py [--docs 1000] [--file PUBMED.xml.gz] [--phases parse,ner,end-to-end]

Phases, each in a fresh process so that its peak RSS is its own (FalkorDB's server is a separate
process and is not counted):
  parse       iter_pubmed over the whole file (citations/s)
  ner         the NER forward pass alone: text analysis + the extractor over the first N abstracts
  end-to-end  Pipeline.run into a fresh data dir (ledger, every component, graph write, statistics),
              then the idempotent re-run; with a per-step breakdown of where the time went
The ratio end-to-end / ner says how much the rest of the pipeline costs on top of NER (1.0: nothing).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import resource
import tempfile
import time
from collections import defaultdict
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


def _settings():
    return load_settings(data_dir=Path(tempfile.mkdtemp(prefix="medkg-bench-")))


class _Timed:
    """Wraps a component (or the assembler/store) and adds up the seconds spent in it."""

    def __init__(self, inner, name: str, seconds: dict) -> None:
        self.inner, self.label, self.seconds = inner, name, seconds

    def __getattr__(self, attr):
        return getattr(self.inner, attr)

    def pipe(self, docs, batch_size: int = 256):
        docs = list(docs)
        t = time.perf_counter()
        out = list(self.inner.pipe(docs, batch_size=batch_size))
        self.seconds[self.label] += time.perf_counter() - t
        return iter(out)


def parse(path: Path, n: int) -> dict:
    from kg.sources.pubmed import iter_pubmed

    t = time.perf_counter()
    count = sum(1 for _ in iter_pubmed(path))
    s = time.perf_counter() - t
    return {"phase": "parse", "items": count, "seconds": s, "rate": count / s, "unit": "citations/s"}


def ner(path: Path, n: int) -> dict:
    from kg.components import build_extractor
    from kg.text.analyzer import TextAnalyzer

    docs = _abstracts(path, n)
    extractor = build_extractor(_settings())
    analyzer = TextAnalyzer(getattr(extractor, "vocab", None))
    t = time.perf_counter()
    out = list(extractor.pipe(analyzer.pipe(docs, batch_size=256), batch_size=256))
    s = time.perf_counter() - t
    mentions = sum(len(d.mentions) for d in out)
    return {"phase": "ner", "items": len(docs), "seconds": s, "rate": len(docs) / s, "unit": "abstracts/s",
            "extra": f"text analysis + {extractor.name}; {mentions:,} mentions"}


def end_to_end(path: Path, n: int) -> dict:
    from kg.components import build_pipeline
    from kg.graph.backends import open_store
    from kg.ledger import Ledger

    settings = _settings()
    docs = _abstracts(path, n)
    seconds: dict[str, float] = defaultdict(float)
    with open_store(settings) as store, Ledger(settings.ledger_path) as ledger:
        store.ensure_schema()
        pipeline = build_pipeline(settings, store=store, ledger=ledger, source_name="pubmed")
        annotator = pipeline.annotator
        annotator.components = [_Timed(c, c.name, seconds) for c in annotator.components]
        analyzer = annotator.analyzer
        annotator.analyzer = _Timed(analyzer, "text", seconds)
        write, assemble = store.write, pipeline.assembler.assemble

        def timed_write(batch):
            t = time.perf_counter()
            try:
                return write(batch)
            finally:
                seconds["graph write"] += time.perf_counter() - t

        def timed_assemble(items):
            t = time.perf_counter()
            try:
                return assemble(items)
            finally:
                seconds["assemble"] += time.perf_counter() - t

        store.write, pipeline.assembler.assemble = timed_write, timed_assemble
        t = time.perf_counter()
        first = pipeline.run(docs, command="benchmark", inputs=[str(path)])
        s = time.perf_counter() - t
        t = time.perf_counter()
        second = pipeline.run(docs, command="benchmark", inputs=[str(path)])
        again = time.perf_counter() - t
    shares = ", ".join(f"{k} {v / s:.0%}" for k, v in sorted(seconds.items(), key=lambda kv: -kv[1]))
    return {"phase": "end-to-end", "items": first.written, "seconds": s, "rate": first.written / s,
            "unit": "abstracts/s", "extra": f"re-run skipped {second.skipped:,} in {again:.2f} s; time: {shares}"}


def _child(fn, path, n, queue):
    out = fn(path, n)
    out["peak_rss_mb"] = _rss_mb()
    queue.put(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--file", type=Path, default=DEFAULT_FILE)
    ap.add_argument("--docs", type=int, default=1000, help="abstracts for the ner and end-to-end phases")
    ap.add_argument("--phases", default="parse,ner,end-to-end")
    args = ap.parse_args()
    phases = {"parse": parse, "ner": ner, "end-to-end": end_to_end}
    print(f"machine: {platform.node()} {platform.machine()}, {mp.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
          f"file {args.file.name}; {args.docs:,} abstracts")
    ctx = mp.get_context("spawn")
    by = {}
    for name in args.phases.split(","):
        q = ctx.Queue()
        p = ctx.Process(target=_child, args=(phases[name], args.file, args.docs, q))
        p.start()
        r = q.get()
        p.join()
        by[r["phase"]] = r
        print(f"{r['phase']:<11} {r['items']:>7,} in {r['seconds']:7.2f} s = {r['rate']:>8,.1f} {r['unit']:<12} "
              f"peak RSS {r['peak_rss_mb']:,.0f} MB  {r.get('extra', '')}")
    if "ner" in by and "end-to-end" in by:
        print(f"ratio end-to-end / NER forward rate: {by['end-to-end']['rate'] / by['ner']['rate']:.2f} "
              "(1.00 would mean the rest of the pipeline costs nothing)")
    print(f"load average after the run: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
