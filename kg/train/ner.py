"""Training the CPU-tier NER model: PubTator corpora -> spaCy DocBins -> ``spacy train``.

Three corpora, three annotation scopes. BC5CDR marks only chemicals and diseases,
NCBI-disease only diseases, BioRED all six types. Read naively, BC5CDR would teach the model
that "patients", "rats" and "TNF-alpha" are *not* entities (they are Species and Gene in
BioRED). So in a document from a corpus that does not annotate a type, every occurrence of
a training-split surface form of that type is marked *missing* (spaCy's ``-`` tag): the model
gets no gradient there, neither for nor against.

Leakage: BioRED shares abstracts with BC5CDR and NCBI-disease. Any training abstract whose
PMID is in any development split is dropped, so dev scores are dev scores; an abstract in two
training splits is kept once, from the corpus that annotates more types.

Pretraining (optional): ``spacy pretrain`` of the tok2vec layer on the unlabelled abstracts
of the shared PubMed file (character objective), minus every corpus PMID.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, DocBin, Span

from kg import __version__
from kg.config import SHARED_DATA
from kg.errors import ConfigError, Errors, SourceError
from kg.models import Quarantine
from kg.sources.pubtator import PubtatorDocument, read_pubtator
from kg.text.tokenizer import make_bio_tokenizer
from kg.vocab import corpora as shared_corpora
from kg.vocab.corpora import ALL_TYPES, Corpus
from kg.vocab.types import entity_type

log = logging.getLogger(__name__)

MIN_MISSING_FORM_CHARS = 2

# BioRED first: an abstract in two corpora is kept with its BioRED annotation (more types).
TRAIN_CORPORA: tuple[Corpus, ...] = tuple(sorted(shared_corpora.TRAIN_CORPORA, key=lambda c: c.name != "biored"))
DEV_CORPORA: tuple[Corpus, ...] = tuple(sorted(shared_corpora.DEV_CORPORA, key=lambda c: c.name != "biored"))
PRETRAIN_TEXT = "pubmed/pubmed20n0014.xml.gz"
MODEL_NAME = "medkg_ner_cpu"


def tokenizer_nlp() -> Language:
    """A blank English pipeline with the model's tokenizer: DocBins must be cut the same way."""
    nlp = spacy.blank("en")
    nlp.tokenizer = make_bio_tokenizer(nlp)
    return nlp


def _read(path: Path, quarantine: list[Quarantine]) -> list[PubtatorDocument]:
    if not path.exists():
        raise SourceError(Errors.E230, path=path)
    return list(read_pubtator(path, quarantine=quarantine))


def surface_forms(docs: Iterable[PubtatorDocument]) -> dict[str, set[str]]:
    """medkg type -> the gold mention texts of that type (the forms to mark missing elsewhere)."""
    forms: dict[str, set[str]] = {t: set() for t in ALL_TYPES}
    for d in docs:
        for a in d.annotations:
            t = entity_type(a.type)
            if t is not None and len(a.text) >= MIN_MISSING_FORM_CHARS:
                forms[t].add(a.text)
    return forms


class DocConverter:
    """PubTator documents -> spaCy Docs with gold ``ents`` and missing-marked unannotated types."""

    def __init__(self, nlp: Language, forms: dict[str, set[str]]) -> None:
        self.nlp = nlp
        self.matchers: dict[str, PhraseMatcher] = {}
        for t, fs in forms.items():
            matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
            for form in sorted(fs):
                matcher.add(t, [nlp.make_doc(form)])
            self.matchers[t] = matcher
        self.misaligned = 0
        self.mentions = 0
        self.missing_spans = 0

    def convert(self, pdoc: PubtatorDocument, types: frozenset[str]) -> Doc:
        doc = self.nlp.make_doc(pdoc.text)
        gold: list[Span] = []
        missing: list[Span] = []
        taken: set[int] = set()
        for a in sorted(pdoc.annotations, key=lambda a: (a.start, -a.end)):
            label = entity_type(a.type)
            if label is None or label not in types:
                continue
            self.mentions += 1
            span = doc.char_span(a.start, a.end, label=label)
            target = gold
            if span is None:
                # Starts or ends inside a token, so no tagger can find it: mark its tokens
                # missing rather than teach that they are outside any entity.
                self.misaligned += 1
                span = doc.char_span(a.start, a.end, label=label, alignment_mode="expand")
                target = missing
            if span is None or taken.intersection(range(span.start, span.end)):
                continue  # overlapping gold (NCBI composite mentions): the first one wins
            taken.update(range(span.start, span.end))
            target.append(span)
        unknown: set[int] = set()
        for t in sorted(ALL_TYPES - types):
            if t not in self.matchers:
                continue
            for _, s, e in self.matchers[t](doc):
                if not taken.intersection(range(s, e)):
                    unknown.update(range(s, e))
                    self.missing_spans += 1
        missing.extend(doc[i : i + 1] for i in sorted(unknown))
        doc.set_ents(gold, missing=missing, default="outside")
        return doc


@dataclass
class CorpusStats:
    split: str
    corpus: str
    documents: int
    dropped_as_dev: int
    dropped_as_duplicate: int
    mentions: int
    misaligned: int
    missing_spans: int


def build_docbins(
    out_dir: Path, shared_data: Path = SHARED_DATA
) -> tuple[list[CorpusStats], list[Quarantine]]:
    """Write ``train.spacy`` and ``dev.spacy`` (all three corpora each) under ``out_dir``.

    ``dev.spacy`` only selects the best checkpoint during training; the reported scores come
    from :func:`kg.evaluate.ner.evaluate_ner` on each development PubTator file.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    quarantine: list[Quarantine] = []
    train = [(c, _read(shared_data / c.path, quarantine)) for c in TRAIN_CORPORA]
    for corpus, docs in train:  # a model silently trained without a corpus's entity types is worse than none
        if not docs:
            raise SourceError(Errors.E235, path=shared_data / corpus.path)
    dev = [(c, _read(shared_data / c.path, quarantine)) for c in DEV_CORPORA]
    dev_pmids = {d.pmid for _, docs in dev for d in docs}
    nlp = tokenizer_nlp()
    converter = DocConverter(nlp, surface_forms(d for _, docs in train for d in docs))
    stats: list[CorpusStats] = []
    for split, corpora in (("train", train), ("dev", dev)):
        seen: set[str] = set()
        all_docs = DocBin()
        for corpus, docs in corpora:
            before = (converter.mentions, converter.misaligned, converter.missing_spans)
            kept = 0
            n_dev = n_dup = 0
            for d in docs:
                if split == "train" and d.pmid in dev_pmids:
                    n_dev += 1
                    continue
                if d.pmid in seen:
                    n_dup += 1
                    continue
                seen.add(d.pmid)
                doc = converter.convert(d, corpus.types)
                kept += 1
                all_docs.add(doc)
            stats.append(
                CorpusStats(
                    split, corpus.name, kept, n_dev, n_dup,
                    converter.mentions - before[0], converter.misaligned - before[1],
                    converter.missing_spans - before[2],
                )
            )
        all_docs.to_disk(out_dir / f"{split}.spacy")
    return stats, quarantine


def write_pretrain_text(out_path: Path, shared_data: Path = SHARED_DATA) -> int:
    """JSONL ``{"text": ...}`` of the shared PubMed abstracts, minus every corpus PMID; returns the count."""
    from kg.models import Document
    from kg.sources.pubmed import iter_pubmed

    corpus_pmids = {
        d.pmid for c in (*TRAIN_CORPORA, *DEV_CORPORA) for d in read_pubtator(shared_data / c.path)
    }
    n = 0
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("w", encoding="utf-8") as fh:
        for item in iter_pubmed(shared_data / PRETRAIN_TEXT):
            if not isinstance(item, Document) or item.text == item.title:
                continue  # deletions, quarantined records and title-only citations
            if item.id.removeprefix("PMID:") in corpus_pmids:
                continue
            fh.write(json.dumps({"text": item.text}) + "\n")
            n += 1
    return n


def _load_config(config_path: Path, overrides: dict[str, object]):
    from spacy import util

    if not config_path.exists():
        raise ConfigError(Errors.E140, path=config_path)
    return util.load_config(config_path, overrides=overrides, interpolate=False)


def pretrain_tok2vec(
    config_path: Path, output_dir: Path, *, max_epochs: int, seed: int = 0, shared_data: Path = SHARED_DATA
) -> Path:
    """``spacy pretrain`` on the shared PubMed abstracts; returns the last epoch's weights file."""
    from spacy.training.pretrain import pretrain

    raw = output_dir / "pretrain-text.jsonl"
    if not raw.exists():
        log.info("wrote %d pretraining abstracts", write_pretrain_text(raw, shared_data))
    weights = output_dir / "pretrain"
    weights.mkdir(parents=True, exist_ok=True)  # spaCy's pretrain() writes into it but does not create it
    config = _load_config(
        config_path,
        {"paths.raw_text": str(raw), "pretraining.max_epochs": max_epochs, "system.seed": seed},
    )
    started = time.monotonic()
    pretrain(config.interpolate(), weights, silent=False)
    log.info("pretraining took %.0f s", time.monotonic() - started)
    return weights / f"model{max_epochs - 1}.bin"


def train_ner(
    config_path: str | Path,
    output_dir: str | Path,
    *,
    seed: int = 0,
    shared_data: Path = SHARED_DATA,
    init_tok2vec: str | Path | None = None,
    resume_from: str | Path | None = None,
    overrides: dict[str, object] | None = None,
) -> Path:
    """Convert the corpora, train with spaCy, and return the best model's directory.

    ``resume_from`` (a model directory trained with the same config) continues training from
    its weights instead of from scratch: how one long run is split into runs that each fit
    the time a shared machine allows.

    Reproducible: the corpora are converted the same way every time, ``seed`` fixes spaCy's
    and NumPy's generators, and the run (config, overrides, corpus counts, time) is written
    to ``<output_dir>/train-log.json`` next to ``model-best``.
    """
    from spacy.cli.train import train

    config_path, output_dir = Path(config_path), Path(output_dir)
    corpus_dir = output_dir / "corpus"
    started = time.monotonic()
    stats, quarantine = build_docbins(corpus_dir, shared_data)
    for q in quarantine:
        log.warning("quarantined %s %s: %s", q.file, q.record, q.reason)
    for s in stats:
        log.info("%s", s)
    all_overrides: dict[str, object] = {
        "paths.train": str(corpus_dir / "train.spacy"),
        "paths.dev": str(corpus_dir / "dev.spacy"),
        "system.seed": seed,
        "training.seed": seed,
        **({"paths.init_tok2vec": str(init_tok2vec)} if init_tok2vec else {}),
        **(overrides or {}),
    }
    config = _load_config(config_path, all_overrides)  # fail fast with a medkg error before spaCy's
    if resume_from is not None:
        resume_from = Path(resume_from)
        if not (resume_from / "meta.json").is_file():
            raise ConfigError(Errors.E143, path=resume_from)
        for name in config["nlp"]["pipeline"]:
            config["components"][name] = {"source": str(resume_from)}
        config["initialize"]["init_tok2vec"] = None
        config_path = output_dir / "config-resumed.cfg"
        output_dir.mkdir(parents=True, exist_ok=True)
        config.to_disk(config_path)  # the overrides are in it already
        train_overrides: dict[str, object] = {}
    else:
        train_overrides = all_overrides
    record: dict[str, object] = {
        "config": str(config_path),
        "resumed_from": str(resume_from) if resume_from else None,
        "overrides": all_overrides,
        "seed": seed,
        "corpora": [s.__dict__ for s in stats],
        "quarantined": [q.model_dump() for q in quarantine],
        "spacy": spacy.__version__,
        "finished": False,
    }
    log_file = output_dir / "train-log.json"
    log_file.write_text(json.dumps(record, indent=2), encoding="utf-8")  # a killed run still says what it was
    train(config_path, output_dir, overrides=train_overrides)
    best = output_dir / "model-best"
    meta_file = best / "meta.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta.update(name=MODEL_NAME, version=__version__, description=f"medkg NER, trained from {config_path.name} with seed {seed}")
    meta_file.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    record.update(finished=True, seconds=round(time.monotonic() - started))
    log_file.write_text(json.dumps(record, indent=2), encoding="utf-8")
    return best


def dev_scores(extractor, shared_data: Path = SHARED_DATA, *, batch_size: int = 64) -> dict[str, object]:
    """Exact span+type scores on each development split, predictions restricted to its types.

    Returns ``{corpus name: kg.evaluate.ner.NerReport}``; every abstract of a split is scored,
    also those that occur in another corpus.
    """
    from kg.evaluate.gold import predicted, run_corpus
    from kg.evaluate.ner import evaluate_ner
    from kg.pipeline import Annotator
    from kg.text.analyzer import TextAnalyzer

    annotator = Annotator(TextAnalyzer(getattr(extractor, "vocab", None)), [extractor])
    reports = {}
    for corpus in DEV_CORPORA:
        quarantine: list[Quarantine] = []
        gold = _read(shared_data / corpus.path, quarantine)
        for q in quarantine:
            log.warning("not scored: %s", q.reason)
        found = [predicted(p, d, relations=False) for p, d in run_corpus(annotator, gold, batch_size=batch_size)]
        reports[corpus.name] = evaluate_ner(gold, found, types=sorted(corpus.types))
    return reports


def main(argv: list[str] | None = None) -> None:
    """``python -m kg.train.ner {pretrain,train,dev-scores}``: the exact commands of the model card."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m kg.train.ner")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pretrain", help="spacy pretrain the tok2vec on the shared PubMed abstracts")
    p.add_argument("--config", type=Path, required=True)
    p.add_argument("--output", type=Path, required=True)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    t = sub.add_parser("train", help="convert the corpora and train")
    t.add_argument("--config", type=Path, required=True)
    t.add_argument("--output", type=Path, required=True)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--init-tok2vec", type=Path)
    t.add_argument("--resume-from", type=Path, help="continue training this model directory")
    t.add_argument("--max-steps", type=int)
    d = sub.add_parser("dev-scores", help="score an extractor spec on the development splits")
    d.add_argument("--model", required=True, help="'dictionary', a spaCy model directory or a HF name")
    d.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "pretrain":
        print(pretrain_tok2vec(args.config, args.output, max_epochs=args.epochs, seed=args.seed))
    elif args.command == "train":
        overrides = {"training.max_steps": args.max_steps} if args.max_steps else None
        print(train_ner(args.config, args.output, seed=args.seed, init_tok2vec=args.init_tok2vec,
                        resume_from=args.resume_from, overrides=overrides))
    else:
        from kg.config import load_settings
        from kg.extract.loader import load_extractor

        started = time.monotonic()
        reports = dev_scores(load_extractor(args.model, load_settings()))
        if args.json:
            print(json.dumps({k: _report_json(r) for k, r in reports.items()}, indent=2))
        else:
            for name, report in reports.items():
                print(f"== {name} dev ({report.documents} abstracts)\n{report.table()}")
        log.info("scored in %.0f s", time.monotonic() - started)


def _report_json(report) -> dict[str, object]:
    def score(s) -> dict[str, float]:
        return {"p": round(s.precision, 4), "r": round(s.recall, 4), "f1": round(s.f1, 4), "tp": s.tp, "fp": s.fp, "fn": s.fn}

    return {"documents": report.documents, "overall": score(report.overall),
            "types": {t: score(s) for t, s in sorted(report.entities.items())}}


if __name__ == "__main__":
    main()
