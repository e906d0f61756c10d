"""Relation extraction throughput on CPU (abstracts/s); prints, asserts nothing.

Measures the relation extractor alone (mentions already found and linked: the corpus's own,
after text analysis) and, for context, the whole chain ingestion runs from raw text (text
analysis, NER, linking, assertion, relations). Run on the BC5CDR and BioRED development abstracts:

    python benchmarks/relations.py [--limit 200]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

from kg.components import build_annotator
from kg.config import SHARED_DATA, load_settings
from kg.evaluate.gold import GoldExtractor, run_corpus
from kg.pipeline import Annotator
from kg.sources.pubtator import read_pubtator

CORPORA = {
    "bc5cdr-dev": SHARED_DATA / "corpora/bc5cdr/CDR_DevelopmentSet.PubTator.txt",
    "biored-dev": SHARED_DATA / "corpora/biored/Dev.PubTator",
}


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:8.1f} abstracts/s ({n} in {seconds:.2f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="abstracts per corpus (0: all)")
    parser.add_argument("--no-end-to-end", action="store_true", help="skip the whole-chain measurement")
    args = parser.parse_args()

    t = time.perf_counter()
    annotator = build_annotator(load_settings())
    relations = annotator.components[-1]
    print(f"machine: {platform.machine()} cpus={os.cpu_count()} load={os.getloadavg()[0]:.1f} "
          f"python {platform.python_version()}")
    print(f"chain: {[c.name for c in annotator.parts]} built in {time.perf_counter() - t:.2f} s; "
          f"relation model {relations.version}")
    for name, path in CORPORA.items():
        docs = list(read_pubtator(path))
        if args.limit:
            docs = docs[: args.limit]
        gold = [d for _, d in run_corpus(Annotator(annotator.analyzer, [GoldExtractor(docs, linked=True)]), docs)]
        t = time.perf_counter()
        n_rel = sum(len(d.relations) for d in relations.pipe(gold))
        print(f"{name:11} relation extractor, gold mentions: {_rate(len(gold), time.perf_counter() - t)}, {n_rel} relations")
        if args.no_end_to_end:
            continue
        t = time.perf_counter()
        out = [d for _, d in run_corpus(annotator, docs)]
        n_rel = sum(len(d.relations) for d in out)
        print(f"{name:11} raw text -> whole chain:           {_rate(len(out), time.perf_counter() - t)}, {n_rel} relations")


if __name__ == "__main__":
    main()
