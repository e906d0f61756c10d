"""Builds the configured components: the one place that knows which extractor, linker,
assertion tagger and assembler a run uses, so the CLI, the flows and the benchmarks agree."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from kg.assemble.cooccur import CooccurrenceAssembler
from kg.config import REPO_ROOT, Settings
from kg.ledger import Ledger
from kg.pipeline import Pipeline

log = logging.getLogger(__name__)


@cache
def _extractor(spec: str | None, settings: Settings):
    from kg.extract.loader import load_extractor

    return load_extractor(spec, settings)


def build_extractor(settings: Settings):
    """The NER component ``settings.ner_model`` names (default: the shipped CPU model + dictionary).

    Components are built once per process: the flows and tests build many pipelines.
    """
    return _extractor(settings.ner_model, settings)


@cache
def _tfidf_linker(store_file: Path, cache_dir: Path):
    from kg.link.conceptstore import ConceptStore
    from kg.link.tfidf import TfidfLinker

    return TfidfLinker(ConceptStore(store_file), cache_dir=cache_dir)


def build_linker(settings: Settings):
    """The TF-IDF linker over the concept store, which is built on first use (about a minute)."""
    from kg.link.conceptstore import build_concept_store, store_path

    path = store_path(settings)
    if not path.exists():
        log.warning("building the concept store %s from %s (once; `medkg ontology build` does it too)",
                    path, settings.shared_data / "ontology")
        build_concept_store(settings)
    return _tfidf_linker(path, settings.cache_path)


RELATION_MODEL = REPO_ROOT / "models" / "re-cpu"


@cache
def build_relation_model(settings: Settings):
    """The shipped CPU relation model, or None where it is absent (co-mention edges only then)."""
    from kg.relate.model import RelationModel

    path = Path(settings.re_model) if settings.re_model else RELATION_MODEL
    if settings.re_model is None and not path.exists():
        log.warning("no relation model at %s: only co-mention edges will be written", path)
        return None
    return RelationModel.load(path)


def build_assembler(settings: Settings, linker, *, keep_note_text: bool = False):
    """Typed relations (with co-mention edges kept beside them) when a relation model is available."""
    model = build_relation_model(settings)
    if model is None:
        return CooccurrenceAssembler(linker.concepts, keep_note_text=keep_note_text)
    from kg.assemble.relations import RelationAssembler

    return RelationAssembler(model, linker.concepts, cooccurrence=True, keep_note_text=keep_note_text)


def build_tagger(settings: Settings):
    from kg.extract.assertion import AssertionTagger

    return AssertionTagger()


def build_pipeline(
    settings: Settings, *, store, ledger: Ledger, source_name: str, keep_note_text: bool = False
) -> Pipeline:
    from kg.extract.sections import sectionize

    linker = build_linker(settings)
    return Pipeline(
        extractor=build_extractor(settings),
        linker=linker,
        assembler=build_assembler(settings, linker, keep_note_text=keep_note_text),
        store=store,
        ledger=ledger,
        tagger=build_tagger(settings),
        sectionizer=sectionize,
        batch_size=settings.batch_size,
        max_doc_chars=settings.max_doc_chars,
        source_name=source_name,
    )


class Annotator:
    """``medkg annotate``: predicted mentions (type + concept id) and relations for a PubTator file."""

    def __init__(self, extractor, linker, relations=None) -> None:
        self.extractor = extractor
        self.linker = linker
        self.relations = relations

    def annotate(self, docs):
        """Gold annotations and relations in ``docs`` are ignored; a corpus whose gold relations
        are all CID (BC5CDR) gets the CID head's predictions, any other the BioRED head's, and
        input without relations gets both."""
        from kg.evaluate.ner import annotate_pubtator

        if self.relations is None:
            return annotate_pubtator(docs, self.extractor, self.linker)
        from kg.evaluate.re import corpus_tasks, predict_relations

        docs = list(docs)
        tasks = corpus_tasks(docs) if any(d.relations for d in docs) else None
        return predict_relations(docs, self.relations, tasks=tasks, extractor=self.extractor, linker=self.linker)

    def annotate_file(self, input: Path, output: Path) -> int:
        from kg.sources.pubtator import read_pubtator, write_pubtator

        return write_pubtator(self.annotate(read_pubtator(input)), output)


def build_annotator(settings: Settings, *, relations: bool = True) -> Annotator:
    return Annotator(build_extractor(settings), build_linker(settings),
                     build_relation_model(settings) if relations else None)


def gold_types(docs) -> list[str]:
    """The medkg entity types a gold corpus annotates: predictions of other types are not scored."""
    from kg.sources.pubtator import entity_type

    return sorted({entity_type(a.type) or a.type for d in docs for a in d.annotations})


def evaluate_corpus(settings: Settings, corpus: Path, predictions: Path | None = None) -> dict:
    """NER scores (exact span + type) and document-level concept-id scores, restricted to the gold's types."""
    from kg.evaluate.ner import evaluate_ner
    from kg.sources.pubtator import read_pubtator

    gold = list(read_pubtator(corpus))
    if predictions is not None:
        predicted = list(read_pubtator(predictions))
    else:
        predicted = list(build_annotator(settings, relations=False).annotate(gold))
    report = evaluate_ner(gold, predicted, types=gold_types(gold), concepts=True)

    def rows(scores: dict, overall) -> list[dict]:
        return [
            {"type": name, "precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4),
             "tp": s.tp, "fp": s.fp, "fn": s.fn}
            for name, s in [*sorted(scores.items()), ("overall", overall)]
        ]

    return {
        "corpus": str(corpus),
        "documents": report.documents,
        "entities (exact span + type)": rows(report.entities, report.overall),
        "concept ids (document level)": rows(report.concepts, report.concepts_overall),
    }
