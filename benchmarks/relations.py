"""Relation extraction throughput on CPU (abstracts/s); prints, asserts nothing.

Measures the relation extractor alone (mentions already found and linked: the corpus's own,
after text analysis) and, for context, the whole chain ingestion runs from raw text (text
analysis, NER, linking, assertion, relations). Run on the BC5CDR and BioRED development abstracts
in the shared data (MEDKG_SHARED_DATA, as the settings give it) unless --corpus names others:

    python benchmarks/relations.py [--limit 200] [--corpus PUBTATOR ...]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from _inputs import medkg_settings
from kg.components import build_annotator
from kg.evaluate.gold import GoldExtractor, run_corpus
from kg.pipeline import Annotator
from kg.sources.pubtator import read_pubtator

CORPORA = [Path("corpora/bc5cdr/CDR_DevelopmentSet.PubTator.txt"), Path("corpora/biored/Dev.PubTator")]  # in shared data


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:8.1f} abstracts/s ({n} in {seconds:.2f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="abstracts per corpus (0: all)")
    parser.add_argument("--no-end-to-end", action="store_true", help="skip the whole-chain measurement")
    parser.add_argument("--corpus", type=Path, nargs="+", default=None,
                        help="PubTator files (default: " + ", ".join(f"<shared data>/{c}" for c in CORPORA) + ")")
    args = parser.parse_args()

    settings = medkg_settings()
    corpora = args.corpus or [settings.shared_data / c for c in CORPORA]
    missing = [str(c) for c in corpora if not c.is_file()]
    if missing:  # said before the chain takes seconds to build
        raise SystemExit(f"no such corpus: {', '.join(missing)}")
    width = max(len(c.name) for c in corpora)
    t = time.perf_counter()
    annotator = build_annotator(settings)
    relations = annotator.components[-1]
    print(f"machine: {platform.machine()} cpus={os.cpu_count()} load={os.getloadavg()[0]:.1f} "
          f"python {platform.python_version()}")
    print(f"chain: {[c.name for c in annotator.parts]} built in {time.perf_counter() - t:.2f} s; "
          f"relation model {relations.version}")
    for path in corpora:
        name = path.name.ljust(width)
        docs = list(read_pubtator(path))
        if args.limit:
            docs = docs[: args.limit]
        gold = [d for _, d in run_corpus(Annotator(annotator.analyzer, [GoldExtractor(docs, linked=True)]), docs)]
        t = time.perf_counter()
        n_rel = sum(len(d.relations) for d in relations.pipe(gold))
        print(f"{name} relation extractor, gold mentions: {_rate(len(gold), time.perf_counter() - t)}, {n_rel} relations")
        if args.no_end_to_end:
            continue
        t = time.perf_counter()
        out = [d for _, d in run_corpus(annotator, docs)]
        n_rel = sum(len(d.relations) for d in out)
        print(f"{name} raw text -> whole chain:           {_rate(len(out), time.perf_counter() - t)}, {n_rel} relations")


if __name__ == "__main__":
    main()
