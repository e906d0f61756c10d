"""NER throughput per tier on CPU: abstracts/s on 1 and 2 cores, and peak RSS. Prints, asserts nothing.

    python benchmarks/ner.py [--docs 500] [--tiers dictionary,models/ner-cpu,ORG/HF-MODEL]

Each (tier, cores) pair runs in fresh processes so RSS and thread settings are their own.
"1 core" is one process with BLAS/OpenMP limited to one thread; "2 cores" is two such
processes on halves of the abstracts (how `nlp.pipe(n_process=2)` or two workers would
scale), timed from start to the last one finishing. Loading time is reported apart.
On a shared machine wall-clock rates drop with other people's load; abstracts per CPU
second (``/CPU-s``, all processes' CPU time summed) is what one dedicated core would do.
Abstracts: the first N with an abstract in the shared PubMed baseline file (the shared data as
the settings give it: MEDKG_SHARED_DATA). A tier that is a relative folder is looked up in the
repository (models/ner-cpu is the shipped model), then in the working directory.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import resource
import time
from itertools import islice
from pathlib import Path

from _inputs import resolve_tier, shared_data
from _procs import results

DEFAULT_FILE = Path("pubmed") / "pubmed20n0014.xml.gz"  # under the shared data


def _abstracts(path: Path, n: int) -> list:
    from kg.models import Document
    from kg.sources.pubmed import iter_pubmed

    return list(islice((d for d in iter_pubmed(path) if isinstance(d, Document) and d.metadata.get("has_abstract")), n))


def _worker(spec: str, docs: list, out: mp.Queue) -> None:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    from kg.config import load_settings
    from kg.extract.loader import load_extractor

    t = time.perf_counter()
    extractor = load_extractor(spec, load_settings())
    loaded = time.perf_counter() - t
    from kg.text.analyzer import TextAnalyzer

    analyzer = TextAnalyzer(getattr(extractor, "vocab", None))
    t, cpu = time.perf_counter(), time.process_time()
    mentions = sum(len(doc.mentions) for doc in extractor.pipe(analyzer.pipe(docs), batch_size=64))
    out.put({"load_s": loaded, "run_s": time.perf_counter() - t, "cpu_s": time.process_time() - cpu, "mentions": mentions,
             "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def run(spec: str, docs: list, cores: int) -> dict:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    parts = [docs[i::cores] for i in range(cores)]
    procs = [ctx.Process(target=_worker, args=(spec, part, out)) for part in parts]
    for p in procs:
        p.start()
    done = results(out, procs, f"{spec} on {cores} core(s)")
    for p in procs:
        p.join()
    run_s = max(r["run_s"] for r in done)
    return {"tier": spec, "cores": cores, "abstracts": len(docs), "abstracts_per_s": len(docs) / run_s,
            "abstracts_per_cpu_s": len(docs) / sum(r["cpu_s"] for r in done),
            "load_s": max(r["load_s"] for r in done), "mentions": sum(r["mentions"] for r in done),
            "peak_rss_mb_per_process": max(r["rss_mb"] for r in done)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--file", type=Path, default=None, help=f"default: <shared data>/{DEFAULT_FILE}")
    parser.add_argument("--tiers", default="dictionary,models/ner-cpu")
    parser.add_argument("--cores", default="1,2")
    args = parser.parse_args()
    # A tier's folder is found (or found missing) before any work.
    tiers = {spec: resolve_tier(spec) for spec in args.tiers.split(",")}
    args.file = args.file or shared_data() / DEFAULT_FILE
    docs = _abstracts(args.file, args.docs)
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; {len(docs)} abstracts from {args.file.name}")
    print(f"# load average before: {os.getloadavg()[0]:.1f} (other work on the machine lowers abstr/s, not abstr/CPU-s)")
    print(f"{'tier':32} {'cores':>5} {'abstr/s':>8} {'/CPU-s':>7} {'load s':>7} {'mentions':>8} {'RSS MB':>7}")
    for spec, resolved in tiers.items():
        for cores in (int(c) for c in args.cores.split(",")):
            r = run(resolved, docs, cores)
            print(f"{spec:32} {cores:5} {r['abstracts_per_s']:8.1f} {r['abstracts_per_cpu_s']:7.1f} {r['load_s']:7.1f} {r['mentions']:8} "
                  f"{r['peak_rss_mb_per_process']:7.0f}")


if __name__ == "__main__":
    main()
