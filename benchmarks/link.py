"""Linking benchmark: build and load costs of the concept store and TF-IDF linker, and mentions/s.

    python benchmarks/link.py [--corpus PUBTATOR ...] [--data-dir DIR]

Prints figures; asserts nothing. Phases, each in its own process so its peak RSS is its own:
  build-store   build_concept_store from the shared ontology files + training corpora
                (MeSH 2024 with supplementary records, genes, HPO, DOID, MONDO, ICD-10-CM)
  build-index   first TfidfLinker over that store: builds and caches the TF-IDF index, then
                the gene/species/variant/cell line normalisers (kg.vocab), each timed
  load          a later TfidfLinker: store opened, index and normalisers read from the cache
                (RSS = the loaded linker; goal <= 1 GB)
  link          gold mentions of each corpus (BC5CDR and BioRED dev by default) linked,
                mentions/s (goal >= 2,000), and the same documents end to end (text analysis,
                the configured NER, linking), abstracts/s

The settings are those a ``medkg`` command reads (MEDKG_SHARED_DATA and the rest), except that the
cache is always ``<data dir>/cache``: MEDKG_CACHE_DIR is not used, so that the builds are measured
and a shared cache is left as it is. The default corpora are under the shared data.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import platform
import resource
import tempfile
import time
from pathlib import Path

from _inputs import medkg_settings
from kg.config import Settings

DEFAULT_CORPORA = [  # under the shared data
    Path("corpora") / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt",
    Path("corpora") / "biored" / "Dev.PubTator",
]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def build_store(settings: Settings) -> dict:
    from kg.vocab.conceptstore import build_concept_store

    stats = build_concept_store(settings)
    return {"seconds": stats.seconds, "peak_rss_mb": _rss_mb(), "file_mb": stats.path.stat().st_size / 2**20,
            **stats.counts, "quarantined": len(stats.quarantined)}


def load(settings: Settings) -> dict:
    start = time.perf_counter()
    from kg.link.tfidf import TfidfLinker  # spaCy, scikit-learn, SciPy

    imported = time.perf_counter()
    linker = TfidfLinker.open(settings)
    opened = time.perf_counter()
    linker.normalizers  # noqa: B018 (genes, species, variants, cell lines: built or read from the cache)
    done = time.perf_counter()
    return {"import_s": imported - start, "open_s": opened - imported, "normalizers_s": done - opened,
            "rss_mb": _current_rss_mb(), "peak_rss_mb": _rss_mb(), "names": len(linker.index.exact),
            "normalised_names": len(linker.index.normalised), "gene_names": len(linker.normalizers.genes.index.table)}


def link(settings: Settings, corpus: Path) -> dict:
    from kg.components import build_annotator
    from kg.evaluate.gold import GoldExtractor, run_corpus
    from kg.link.tfidf import TfidfLinker
    from kg.pipeline import Annotator
    from kg.sources.pubtator import read_pubtator

    docs = list(read_pubtator(corpus))
    linker = TfidfLinker.open(settings)
    annotator = build_annotator(settings, relations=False)
    on_gold = [d for _, d in run_corpus(Annotator(annotator.analyzer, [GoldExtractor(docs, linked=False)]), docs)]
    linker.normalizers  # noqa: B018 (load the normalisers outside the timing)
    start = time.perf_counter()
    out = list(linker.pipe(on_gold))
    seconds = time.perf_counter() - start
    n = sum(len(d.mentions) for d in out)
    chain = Annotator(annotator.analyzer, annotator.components[:1] + [linker])
    start = time.perf_counter()
    e2e = [d for _, d in run_corpus(chain, docs)]
    e2e_seconds = time.perf_counter() - start
    return {"corpus": corpus.name, "mentions": n, "mentions_per_s": n / seconds, "documents": len(docs),
            "end_to_end_abstracts_per_s": len(e2e) / e2e_seconds,
            "end_to_end_mentions": sum(len(d.mentions) for d in e2e), "rss_mb": _current_rss_mb()}


def _run(fn, *args) -> dict:
    with mp.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, nargs="+", default=None,
                        help="PubTator files (default: " + ", ".join(f"<shared data>/{c}" for c in DEFAULT_CORPORA) + ")")
    parser.add_argument("--data-dir", type=Path, default=None, help="default: a fresh temporary directory")
    args = parser.parse_args()
    data_dir = (args.data_dir or Path(tempfile.mkdtemp(prefix="medkg-bench-link-"))).resolve()
    settings = medkg_settings(data_dir=data_dir, cache_dir=data_dir / "cache")
    corpora = args.corpus or [settings.shared_data / c for c in DEFAULT_CORPORA]
    print(f"python {platform.python_version()} on {platform.machine()}, data dir {data_dir}, "
          f"shared data {settings.shared_data}")
    for phase, fn, extra in (
        ("build-store", build_store, ()),
        ("build-index", load, ()),
        ("load", load, ()),
        *(("link", link, (corpus,)) for corpus in corpora),
    ):
        result = _run(fn, settings, *extra)
        print(f"{phase:12} " + "  ".join(_fmt(k, v) for k, v in result.items()), flush=True)


def _fmt(key: str, value: object) -> str:
    if isinstance(value, float):
        return f"{key}={value:,.1f}"
    return f"{key}={value:,}" if isinstance(value, int) else f"{key}={value}"


if __name__ == "__main__":
    main()
