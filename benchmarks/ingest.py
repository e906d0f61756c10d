"""Ingestion benchmark on the shared PubMed baseline file. Prints figures and ratios; asserts nothing.

    python benchmarks/ingest.py [--docs 2000] [--workers N] [--file PUBMED.xml.gz]
                                [--phases parse,ner,end-to-end,parallel] [--rounds N]

Phases, each in a fresh process so that its peak RSS is its own (FalkorDB's server is a separate
process and is not counted):
  parse       iter_pubmed over the whole file (citations/s)
  ner         the NER forward pass alone: text analysis + the extractor over the first N abstracts
              (the extractor loaded before the clock starts), with one BLAS thread as a one-worker
              run gives it, then again with the BLAS library's default threads
  end-to-end  Pipeline.run with one worker into a fresh data dir (ledger, every component, graph
              write, statistics), then the idempotent re-run; with where the time went
  parallel    the same with --workers processes (default: the cores); the graph is compared with
              the one-worker graph as a whole: every node's and relationship's key and properties
              (tests/graph_snapshot.py, as the workers' tests compare them)
  stages      can one process hide the rest of the pipeline behind the NER pass? The annotation chain
              split after the extractor: stage 1 (text analysis + extractor, what the ner phase times),
              stage 2 (every later component: linking, assertion, relations), over the same abstracts in
              batches of 256 as the ner phase's: each stage alone, both in turn per batch, then both in
              two threads (stage 1 on the next batch while stage 2 works on the last). Two threads beat
              "in turn" only by as much as stage 1 leaves the interpreter lock free; no graph write,
              ledger or assembly here. A first pass warms every cache, so the four timings read the same
  ceiling     the same pure-Python loop in one process, then in --workers processes at once: the
              speed-up this machine gives that many processes at all (a shared VM's host takes
              cycles), against which the parallel speed-up is read
The default file is in the shared data as the settings give it (MEDKG_SHARED_DATA).
In end-to-end and parallel the first run's process tree is sampled the same way (RSS summed over
the medkg processes, and PSS, which counts shared pages once); the extra memory per extra worker
is the parallel tree's peak PSS minus the one-worker tree's, divided by the workers added.
Ratios: end-to-end / ner says what the rest of the pipeline costs on top of NER (1.0: nothing),
against the NER pass as the run gives it (one BLAS thread) and against the faster default-thread pass (the
ner phase's second pass over the same abstracts, with its token caches warm: faster than a cold pass);
parallel / end-to-end is the speed-up of the workers. With --rounds N the phases run N times in turn
(ner, end-to-end, ner, end-to-end, ...) and the ratios are printed per round and as their median: on a
shared VM one pair of runs can be off by a quarter either way. As the ner phase loads its extractor before
its clock starts, end-to-end and parallel load the pipeline's components first and print those
seconds apart; the ratio is also given with them counted.
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing as mp
import os
import platform
import resource
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from itertools import islice
from pathlib import Path

from _inputs import shared_data
from _procs import results
from kg.config import REPO_ROOT, load_settings
from kg.pipeline import one_blas_thread

DEFAULT_FILE = Path("pubmed") / "pubmed20n0014.xml.gz"  # under the shared data
NER_BATCH = 256  # abstracts per batch of the ner and stages phases


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _abstracts(path: Path, n: int):
    from kg.models import Document
    from kg.sources.pubmed import iter_pubmed

    return list(islice((d for d in iter_pubmed(path) if isinstance(d, Document) and d.metadata.get("has_abstract")), n))


_WORK: Path | None = None  # the phase's temporary folder, removed when the phase ends


def _settings():
    return load_settings(data_dir=Path(tempfile.mkdtemp(prefix="data-", dir=_WORK)))


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


def _timed_call(fn, label: str, seconds: dict):
    """``fn``, adding up the seconds spent in it under ``label``."""

    def timed(*args):
        t = time.perf_counter()
        try:
            return fn(*args)
        finally:
            seconds[label] += time.perf_counter() - t

    return timed


def parse(path: Path, n: int, workers: int = 0) -> dict:
    from kg.sources.pubmed import iter_pubmed

    t = time.perf_counter()
    count = sum(1 for _ in iter_pubmed(path))
    s = time.perf_counter() - t
    return {"phase": "parse", "items": count, "seconds": s, "rate": count / s, "unit": "citations/s"}


def ner(path: Path, n: int, workers: int = 0) -> dict:
    from kg.components import build_extractor
    from kg.text.analyzer import TextAnalyzer

    docs = _abstracts(path, n)
    extractor = build_extractor(_settings())
    extractor.preload()  # what its rules ask (the linker's names among them), loaded before the clock starts
    analyzer = TextAnalyzer(getattr(extractor, "vocab", None))

    def forward() -> tuple[float, int]:
        t = time.perf_counter()
        out = list(extractor.pipe(analyzer.pipe(docs, batch_size=NER_BATCH), batch_size=NER_BATCH))
        return time.perf_counter() - t, sum(len(d.mentions) for d in out)

    limits = one_blas_thread()
    s, mentions = forward()
    if limits is not None:
        limits.restore_original_limits()
    default_s, _ = forward()
    return {"phase": "ner", "items": len(docs), "seconds": s, "rate": len(docs) / s, "unit": "abstracts/s",
            "default_threads_rate": len(docs) / default_s,
            "extra": f"text analysis + {extractor.name}, one BLAS thread as a one-worker run has; {mentions:,} "
                     f"mentions; with the default BLAS threads {len(docs) / default_s:,.1f} abstracts/s (second pass, warm caches)"}


class _TreeMemory:
    """Samples the memory of this process and its children (not the FalkorDB server) in a thread:
    RSS four times a second; PSS (a walk of every mapping, ~12 ms for a 700 MB process) once a
    second: the sampling itself took 14% of a core when every sample read PSS. One full sample
    is taken on entering, so a run shorter than a tick still has its loaded process measured."""

    def __init__(self) -> None:
        import threading

        self.peak_rss = self.peak_pss = 0.0
        self.pss_samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _measure(self, full: bool) -> None:
        import psutil

        me = psutil.Process()
        procs = [me] + [c for c in me.children(recursive=True) if "redis-server" not in c.name()]
        rss = pss = 0.0
        for p in procs:
            try:
                info = p.memory_full_info() if full else p.memory_info()
                rss += info.rss / 2**20
                pss += info.pss / 2**20 if full else 0.0
            except psutil.Error:
                pass
        self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
        self.pss_samples += full

    def _sample(self) -> None:
        tick = 1  # the first full sample was taken on entering
        while not self._stop.wait(0.25):
            self._measure(full=tick % 4 == 0)
            tick += 1

    def summary(self) -> str:
        return (f"process tree peak RSS {self.peak_rss:,.0f} MB (PSS {self.peak_pss:,.0f} MB, "
                f"{self.pss_samples} PSS samples)")

    def __enter__(self):
        self._measure(full=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _snapshot(store) -> dict[str, list]:
    """The graph as the workers' tests compare it (``tests/graph_snapshot.py``, plain Python)."""
    spec = importlib.util.spec_from_file_location("graph_snapshot", REPO_ROOT / "tests" / "graph_snapshot.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.snapshot(store)


def graph_differences(one: dict[str, list], many: dict[str, list]) -> dict[str, int]:
    """Per kind (nodes, relationships), how many entries of two snapshots are not in the other."""
    return {kind: sum(((Counter(one[kind]) - Counter(many[kind])) + (Counter(many[kind]) - Counter(one[kind]))).values())
            for kind in one}


def extra_per_worker(one_tree_mb: float, many_tree_mb: float, workers: int) -> float | None:
    """What each worker past the first adds to the process tree's memory (both figures measured
    the same way, e.g. peak PSS of the whole tree); None with one worker, where nothing is added."""
    if workers <= 1:
        return None
    return (many_tree_mb - one_tree_mb) / (workers - 1)


def parallel(path: Path, n: int, workers: int = 0) -> dict:
    from kg.components import build_pipeline, open_ledger
    from kg.graph.backends import open_store

    workers = workers or len(os.sched_getaffinity(0))
    settings = _settings()
    docs = _abstracts(path, n)
    with open_store(settings) as store, open_ledger(settings, store) as ledger:
        store.ensure_schema()
        pipeline = build_pipeline(settings, store=store, ledger=ledger, source_name="pubmed")
        loading = _preload(pipeline)
        with _TreeMemory() as memory:
            t = time.perf_counter()
            first = pipeline.run(docs, command="benchmark", inputs=[str(path)], workers=workers)
            s = time.perf_counter() - t
        per_worker = sorted(pipeline.worker_documents.values())
        peak_rss = _rss_mb()  # before the snapshot, which is no part of the run
        graph = _snapshot(store)
    return {"phase": f"parallel x{workers}", "workers": workers, "items": first.written, "seconds": s,
            "rate": first.written / s, "unit": "abstracts/s", "tree_rss_mb": memory.peak_rss,
            "tree_pss_mb": memory.peak_pss, "graph": graph, "loading": loading, "peak_rss_mb": peak_rss,
            "extra": f"loading first {loading:.1f} s; documents per worker {per_worker}; {memory.summary()}"}


def end_to_end(path: Path, n: int, workers: int = 0) -> dict:
    from kg.components import build_pipeline, open_ledger
    from kg.graph.backends import open_store

    settings = _settings()
    docs = _abstracts(path, n)
    seconds: dict[str, float] = defaultdict(float)
    with open_store(settings) as store, open_ledger(settings, store) as ledger:
        store.ensure_schema()
        pipeline = build_pipeline(settings, store=store, ledger=ledger, source_name="pubmed")
        annotator = pipeline.annotator
        annotator.components = [_Timed(c, c.name, seconds) for c in annotator.components]
        analyzer = annotator.analyzer
        annotator.analyzer = _Timed(analyzer, "text", seconds)
        store.write = _timed_call(store.write, "graph write", seconds)
        pipeline.assembler.assemble = _timed_call(pipeline.assembler.assemble, "assemble", seconds)
        loading = _preload(pipeline)
        with _TreeMemory() as memory:  # as the parallel phase samples its tree, for a like-for-like figure
            t = time.perf_counter()
            first = pipeline.run(docs, command="benchmark", inputs=[str(path)])
            s = time.perf_counter() - t
        t = time.perf_counter()
        second = pipeline.run(docs, command="benchmark", inputs=[str(path)])
        again = time.perf_counter() - t
        peak_rss = _rss_mb()  # before the snapshot, which is no part of the run
        graph = _snapshot(store)
    shares = ", ".join(f"{k} {v / s:.0%}" for k, v in sorted(seconds.items(), key=lambda kv: -kv[1]))
    return {"phase": "end-to-end", "items": first.written, "seconds": s, "rate": first.written / s,
            "unit": "abstracts/s", "tree_rss_mb": memory.peak_rss, "tree_pss_mb": memory.peak_pss,
            "graph": graph, "loading": loading, "peak_rss_mb": peak_rss,
            "extra": f"loading first {loading:.1f} s; re-run skipped {second.skipped:,} in {again:.2f} s; "
                     f"time: {shares}; {memory.summary()}"}


def _preload(pipeline) -> float:
    """Load the components before the clock starts, as the ner phase loads its extractor (a run does
    it first thing; the seconds are printed apart, so the rates compare steady work with steady work)."""
    t = time.perf_counter()
    pipeline.annotator.preload()
    return time.perf_counter() - t


def stages(path: Path, n: int, workers: int = 0) -> dict:
    import queue
    import threading

    from kg.components import build_annotator
    from kg.doc import batched

    limits = one_blas_thread()  # as a one-worker run has it
    annotator = build_annotator(_settings())
    annotator.preload()
    first, rest = annotator.components[:1], annotator.components[1:]

    def run(components, docs, size):
        stream = iter(docs)
        for c in components:
            stream = c.pipe(stream, batch_size=size)
        return list(stream)

    def stage_1(chunk):
        return run(first, annotator.analyzer.pipe(chunk, batch_size=len(chunk)), len(chunk))

    def stage_2(done):
        return run(rest, done, len(done))

    chunks = [list(c) for c in batched(_abstracts(path, n), NER_BATCH)]
    for c in chunks:  # one pass first: every timing below then reads the same warm caches (the linker's memo)
        stage_2(stage_1(c))
    t = time.perf_counter()
    analysed = [stage_1(c) for c in chunks]
    one = time.perf_counter() - t
    t = time.perf_counter()
    for done in analysed:
        stage_2(done)
    two = time.perf_counter() - t
    t = time.perf_counter()
    for c in chunks:
        stage_2(stage_1(c))
    in_turn = time.perf_counter() - t
    handoff: queue.Queue = queue.Queue(maxsize=2)

    def producer():
        for c in chunks:
            handoff.put(stage_1(c))
        handoff.put(None)

    t = time.perf_counter()
    thread = threading.Thread(target=producer, daemon=True)
    thread.start()
    while (done := handoff.get()) is not None:
        stage_2(done)
    thread.join()
    threads = time.perf_counter() - t
    if limits is not None:
        limits.restore_original_limits()
    items = sum(len(c) for c in chunks)
    return {"phase": "stages", "items": items, "seconds": threads, "rate": items / threads, "unit": "abstracts/s",
            "extra": f"stage 1 ({', '.join(c.name for c in first)}) alone {one:.2f} s, stage 2 "
                     f"({', '.join(c.name for c in rest)}) alone {two:.2f} s; in turn {in_turn:.2f} s, in two threads "
                     f"{threads:.2f} s: two threads / in turn {in_turn / threads:.2f}x; stage 1 / in turn "
                     f"{one / in_turn:.2f}, stage 1 / two threads {one / threads:.2f}"}


def _spin(seconds: float) -> int:
    """Pure-Python work for about ``seconds`` on an idle core; the same count of steps every call."""
    steps = int(seconds * 16_000_000)
    total = 0
    for i in range(steps):
        total += i * i % 7
    return total


def ceiling(path: Path, n: int, workers: int = 0) -> dict:
    """What this machine gives N processes: the same pure-Python work in one process, then in N at
    once, five times in turn (after a warm-up). N x (one's time) / (the N's wall time), the median,
    is the speed-up no N-worker run can beat here: N on a quiet machine with N free cores; less
    where the host's other guests take cycles."""
    workers = workers or len(os.sched_getaffinity(0))
    with mp.get_context("fork").Pool(workers) as pool:
        pool.map(_spin, [0.2] * workers)
        ratios, ones, manys = [], [], []
        for _ in range(5):
            t = time.perf_counter()
            pool.apply(_spin, (0.5,))
            ones.append(time.perf_counter() - t)
            t = time.perf_counter()
            pool.map(_spin, [0.5] * workers, chunksize=1)
            manys.append(time.perf_counter() - t)
            ratios.append(workers * ones[-1] / manys[-1])
    return {"phase": f"ceiling x{workers}", "items": workers, "seconds": sum(ones) + sum(manys),
            "rate": statistics.median(ratios), "unit": "x (same work)",
            "extra": f"median of 5; one process {statistics.median(ones):.2f} s, {workers} at once "
            f"{statistics.median(manys):.2f} s; ratios {min(ratios):.2f}-{max(ratios):.2f}"}


def _child(fn, path, n, workers, queue):
    global _WORK
    with tempfile.TemporaryDirectory(prefix="medkg-bench-") as work:
        _WORK = Path(work)
        out = fn(path, n, workers)
    out.setdefault("peak_rss_mb", _rss_mb())
    queue.put(out)


def ner_ratios(ner_phase: dict, e2e: dict) -> tuple[float, float, float]:
    """End-to-end rate / NER forward rate: as measured, with the end-to-end run's loading counted,
    and against the NER pass with the default BLAS threads."""
    with_loading = e2e["items"] / (e2e["seconds"] + e2e["loading"])
    return (e2e["rate"] / ner_phase["rate"], with_loading / ner_phase["rate"],
            e2e["rate"] / ner_phase["default_threads_rate"])


def median_ratios(ratios: list[tuple[float, float, float]]) -> str:
    """The line that sums up several rounds: each measure's median, and the spread of the first."""
    first = [r[0] for r in ratios]
    medians = [statistics.median(r[k] for r in ratios) for k in range(3)]
    return (f"ratio end-to-end / NER forward rate, median of {len(ratios)} rounds: {medians[0]:.2f} "
            f"(rounds {', '.join(f'{x:.2f}' for x in first)}); {medians[1]:.2f} with loading counted; "
            f"{medians[2]:.2f} against the default BLAS threads (warm)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--file", type=Path, default=None, help=f"default: <shared data>/{DEFAULT_FILE}")
    ap.add_argument("--docs", type=int, default=2000, help="abstracts for the ner, end-to-end and parallel phases")
    ap.add_argument("--workers", type=int, default=0, help="processes of the parallel phase (default: the cores)")
    ap.add_argument("--phases", default="parse,ner,end-to-end,parallel,ceiling")
    ap.add_argument("--rounds", type=int, default=1, help="run the phases this many times in turn; ratios per round and their median")
    args = ap.parse_args()
    args.file = args.file or shared_data() / DEFAULT_FILE
    phases = {"parse": parse, "ner": ner, "end-to-end": end_to_end, "parallel": parallel, "stages": stages,
              "ceiling": ceiling}
    print(f"machine: {platform.node()} {platform.machine()}, {mp.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
          f"file {args.file.name}; {args.docs:,} abstracts")
    ctx = mp.get_context("spawn")
    ratios: list[tuple[float, float, float]] = []
    for round_ in range(1, args.rounds + 1):
        if args.rounds > 1:
            print(f"round {round_} of {args.rounds}")
        by = {}
        for name in args.phases.split(","):
            q = ctx.Queue()
            p = ctx.Process(target=_child, args=(phases[name], args.file, args.docs, args.workers, q))
            p.start()
            (r,) = results(q, [p], f"phase {name}")
            p.join()
            by[r["phase"].split(" ")[0]] = r
            print(f"{r['phase']:<11} {r['items']:>7,} in {r['seconds']:7.2f} s = {r['rate']:>8,.1f} {r['unit']:<12} "
                  f"peak RSS {r['peak_rss_mb']:,.0f} MB  {r.get('extra', '')}")
        if "ner" in by and "end-to-end" in by:
            ratios.append(ner_ratios(by["ner"], by["end-to-end"]))
            print(f"ratio end-to-end / NER forward rate: {ratios[-1][0]:.2f} "
                  "(1.00 would mean the rest of the pipeline costs nothing); "
                  f"{ratios[-1][1]:.2f} with the end-to-end run's loading counted; "
                  f"{ratios[-1][2]:.2f} against the NER pass with the default BLAS threads (its second, warm pass)")
    if len(ratios) > 1:
        print(median_ratios(ratios))
    if "end-to-end" in by and "parallel" in by:
        one, many = by["end-to-end"], by["parallel"]
        differ = graph_differences(one["graph"], many["graph"])
        same = ("yes" if not any(differ.values()) else
                f"NO ({differ['nodes']:,} nodes and {differ['relationships']:,} relationships differ)")
        extra = extra_per_worker(one["tree_pss_mb"], many["tree_pss_mb"], many["workers"])
        print(f"speed-up {many['phase']} / one worker: {many['rate'] / one['rate']:.2f}x; "
              f"same graph as one worker ({len(one['graph']['nodes']):,} nodes, "
              f"{len(one['graph']['relationships']):,} relationships, keys and properties): {same}; "
              "extra memory per extra worker (process tree peak PSS, parallel minus one worker, "
              f"/ {many['workers'] - 1} added): " + ("n/a" if extra is None else f"{extra:,.0f} MB"))
        if "ceiling" in by:
            print(f"that speed-up is {many['rate'] / one['rate'] / by['ceiling']['rate']:.2f} of this machine's "
                  f"{by['ceiling']['rate']:.2f}x for the same pure-Python work in {by['ceiling']['items']} processes")
    print(f"load average after the run: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
