"""Relation extraction throughput on CPU (abstracts/s); prints, asserts nothing.

Measures the relation model alone (mentions already found and linked, the step the
RelationAssembler adds to a pipeline run) and, for context, the whole path from raw text
with the dictionary extractor and linker. Run on the BC5CDR and BioRED development abstracts:

    python benchmarks/relations.py --model models/re-cpu [--limit 200]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from kg.config import SHARED_DATA
from kg.relate.features import gold_items
from kg.relate.model import RelationModel
from kg.sources.pubtator import read_pubtator

CORPORA = {
    "bc5cdr-dev": SHARED_DATA / "corpora/bc5cdr/CDR_DevelopmentSet.PubTator.txt",
    "biored-dev": SHARED_DATA / "corpora/biored/Dev.PubTator",
}


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:8.1f} abstracts/s ({n} in {seconds:.2f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=Path("models/re-cpu"))
    parser.add_argument("--limit", type=int, default=0, help="abstracts per corpus (0: all)")
    parser.add_argument("--no-end-to-end", action="store_true", help="skip the dictionary NER+linking path")
    args = parser.parse_args()

    t = time.perf_counter()
    model = RelationModel.load(args.model)
    print(f"machine: {platform.machine()} cpus={os.cpu_count()} load={os.getloadavg()[0]:.1f} "
          f"python {platform.python_version()}")
    print(f"model: {args.model} ({model.version}) loaded in {time.perf_counter() - t:.2f} s")
    extractor = linker = None
    if not args.no_end_to_end:
        from kg.extract.dictionary import DictionaryExtractor
        from kg.link.dictionary import DictionaryLinker
        from kg.link.lexicon import load_lexicon

        lexicon = load_lexicon()
        extractor, linker = DictionaryExtractor(lexicon), DictionaryLinker(lexicon)
    for name, path in CORPORA.items():
        docs = list(read_pubtator(path))
        if args.limit:
            docs = docs[: args.limit]
        items = [item for _, item in gold_items(docs)]
        t = time.perf_counter()
        n_rel = sum(len(model.predict(item)) for item in items)
        rate = _rate(len(items), time.perf_counter() - t)
        print(f"{name:11} relation model, gold mentions:       {rate}, {n_rel} relations")
        if extractor is None:
            continue
        t = time.perf_counter()
        linked = list(linker.link(extractor.extract(d.to_document() for d in docs)))
        ner_s = time.perf_counter() - t
        t = time.perf_counter()
        n_rel = sum(len(model.predict(item)) for item in linked)
        re_s = time.perf_counter() - t
        print(f"{name:11} relation model, dictionary mentions: {_rate(len(linked), re_s)}, {n_rel} relations")
        print(f"{name:11} raw text -> NER + linking + relations: {_rate(len(linked), ner_s + re_s)}")


if __name__ == "__main__":
    main()
