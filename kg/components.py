"""Builds the configured components: the one place that knows which text analysis, extractor,
linker, assertion tagger, relation extractor and assembler a run uses, in which order, so the
CLI (ingest, annotate, evaluate), the flows and the benchmarks all run the same chain."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path

from kg.assemble import Assembler
from kg.config import REPO_ROOT, Settings
from kg.curation import CurationSource
from kg.errors import Errors, ModelError, OntologyError
from kg.ledger import Ledger
from kg.pipeline import Annotator, Pipeline
from kg.text.analyzer import TextAnalyzer

log = logging.getLogger(__name__)

RELATION_MODEL = REPO_ROOT / "models" / "re-cpu"


@cache
def _extractor(spec: str | None, settings: Settings):
    from kg.extract.loader import lexicon, load_extractor
    from kg.extract.rules import WithRules
    from kg.vocab.genes import GeneNormalizer

    @cache
    def genes() -> GeneNormalizer:  # loaded once, on the first word either gene rule asks about
        return GeneNormalizer.load(settings.shared_data, settings.cache_path)

    def names() -> Callable[[str, str], bool]:
        """A form the lexicon reads as the type, or a disease's name in the concept store (not a
        chemical's: enzymes are chemicals there, and "tyrosine hydroxylase (TH)" defines no chemical)."""
        reads_as, names_a_disease = lexicon(settings).reads_as, build_linker(settings).names_a_disease
        return lambda text, type_: reads_as(text, type_) or (type_ == "Disease" and names_a_disease(text))

    return WithRules(load_extractor(spec, settings), lambda: genes().is_symbol, lambda: genes().is_name,
                     names, lambda: build_linker(settings).names_a_compound)


def build_extractor(settings: Settings):
    """The NER component ``settings.ner_model`` names (default: the shipped CPU model + dictionary),
    followed by the variant and gene-list rules (:mod:`kg.extract.rules`).

    Components are built once per process: the flows and tests build many pipelines.
    """
    return _extractor(settings.ner_model, settings)


@cache
def _tfidf_linker(store_file: Path, cache_dir: Path):
    from kg.link.tfidf import TfidfLinker
    from kg.vocab.conceptstore import ConceptStore

    return TfidfLinker(ConceptStore(store_file), cache_dir=cache_dir)


def build_linker(settings: Settings):
    """The TF-IDF linker over the concept store, which is built on first use (about a minute).

    Meanwhile another process builds the lexicon and the context normalisers into the cache
    (about 25 s, from the shared files alone), which the chain would otherwise build one after
    the other once the store is there."""
    from kg.vocab.conceptstore import build_concept_store, store_path

    path = store_path(settings)
    if not path.exists():
        log.warning("building the concept store %s from %s (once; `medkg ontology build` does it too)",
                    path, settings.shared_data / "ontology")
        helper = _start_vocabularies(settings)
        try:
            stats = build_concept_store(settings)
        finally:
            _, said = helper.communicate()
        for problem in stats.problems():  # the store is built all the same: fewer links, never silently
            log.warning("%s", problem)
        if helper.returncode:  # the chain builds what is missing on first use, and fails there
            lines = said.strip().splitlines() or [f"exit code {helper.returncode}"]
            log.warning("%s", OntologyError(Errors.E549, error=lines[-1]))
    return _tfidf_linker(path, settings.cache_path)


# A coded error leaves the child as its one-line reason (the last line of its stderr), not a traceback.
_VOCABULARIES = """import sys
from kg.components import build_vocabularies
from kg.errors import MedkgError
try:
    build_vocabularies(*sys.argv[1:])
except MedkgError as exc:
    sys.exit(exc.reason)
"""


def _start_vocabularies(settings: Settings) -> subprocess.Popen:
    """:func:`build_vocabularies` in a fresh interpreter that imports medkg alone. Not a
    multiprocessing child: "spawn" runs the caller's script again in the child (every line of a
    script without a ``__main__`` guard), "fork" copies the locks of the caller's other threads,
    and a daemonic process (a Dask worker) may have no such children."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(REPO_ROOT), os.environ.get("PYTHONPATH"))))}
    return subprocess.Popen([sys.executable, "-c", _VOCABULARIES, str(settings.shared_data), str(settings.cache_path)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def build_vocabularies(shared_data: str | Path, cache_dir: str | Path) -> None:
    """Build (or read) the cached vocabularies that need no concept store: the lexicon the
    extractor's rules ask and the gene, species, variant and cell line normalisers."""
    from kg.vocab.lexicon import load_lexicon
    from kg.vocab.normalizers import Normalizers

    load_lexicon(Path(shared_data), cache_dir=Path(cache_dir))
    Normalizers.load(Path(shared_data), Path(cache_dir))


@cache
def build_relation_model(settings: Settings):
    """The shipped CPU relation model, or None where it is absent (co-mention edges only then)."""
    from kg.relate.model import RelationModel

    path = Path(settings.re_model) if settings.re_model else RELATION_MODEL
    if settings.re_model is None and not path.exists():
        log.warning("no relation model at %s: only co-mention edges will be written", path)
        return None
    return RelationModel.load(path)


@cache
def build_tagger():
    from kg.extract.assertion import AssertionTagger

    return AssertionTagger()


@cache
def _analyzer(vocab) -> TextAnalyzer:
    return TextAnalyzer(vocab)


def build_curation(settings: Settings) -> CurationSource:
    """The curation file (``MEDKG_CURATION``) as the chain and the commits read it."""
    return CurationSource(settings.curation_path)


def build_annotator(settings: Settings, *, relations: bool = True, tasks: tuple[str, ...] | None = None,
                    source_name: str = "text", curation: CurationSource | None = None) -> Annotator:
    """The middle of the pipeline, in order: text analysis, NER, linking, the curators' link
    decisions, assertion, relations.

    ``relations=False`` stops after assertion; ``tasks`` picks the relation model's heads
    (all by default).
    """
    from kg.link.curated import CuratedLinks
    from kg.relate.model import RelationExtractor

    linker = build_linker(settings)  # first: building the store, it builds the lexicon the extractor reads beside it
    extractor = build_extractor(settings)
    curated = CuratedLinks(curation or build_curation(settings), linker.concepts)
    components = [extractor, linker, curated, build_tagger()]
    model = build_relation_model(settings) if relations else None
    if model is not None:
        warn_stale_calibration(model, components)
        components.append(RelationExtractor(model, tasks))
    return Annotator(_analyzer(getattr(extractor, "vocab", None)), components, source_name=source_name)


_warned_stale: set[tuple] = set()


def warn_stale_calibration(model, components) -> None:
    """E424 (a warning, once per process and difference) where the relation model's scores were calibrated end
    to end with other components than ``components`` (another NER model, linker vocabulary, assertion rules)."""
    from kg.relate.model import chain_of

    for task, differ in model.stale_calibrations(chain_of(components)).items():
        key = (model.version, task, tuple(differ))
        if key not in _warned_stale:
            _warned_stale.add(key)
            log.warning("%s", ModelError(Errors.E424, head=repr(task), differ=", ".join(differ)))


@cache
def retracted_pmids(path: Path | None) -> frozenset[str]:
    """The retraction list's PMIDs (empty without one)."""
    from kg.sources.pubmed import read_retracted_pmids

    return read_retracted_pmids(path) if path is not None else frozenset()


def open_ledger(settings: Settings, store) -> Ledger:
    """The data dir's ledger, checked against the graph ``store`` writes (``Ledger.bind_graph``: E804
    for another graph than the one it describes, E805 for a graph emptied since). The one way ingest,
    curation and the flows open it, so that no run skips documents its graph does not hold."""
    ledger = Ledger(settings.ledger_path)
    try:
        ledger.bind_graph(settings.graph_identity, store.document_count())
    except BaseException:
        ledger.close()
        raise
    return ledger


def build_pipeline(
    settings: Settings, *, store, ledger: Ledger, source_name: str, keep_note_text: bool = False
) -> Pipeline:
    curation = build_curation(settings)
    # Clinical notes get mentions, assertion, patient findings and co-mentions, but no typed relations
    # unless ``note_relations``: the shipped heads learnt from abstracts, and on 67 ACI-Bench notes 13 of
    # their 72 relations were right ("metformin induces epilepsy" from a medication list beside a problem).
    relations = source_name != "note" or settings.note_relations
    return Pipeline(
        annotator=build_annotator(settings, relations=relations, source_name=source_name, curation=curation),
        assembler=Assembler(keep_note_text=keep_note_text),
        store=store,
        ledger=ledger,
        batch_size=settings.batch_size,
        max_doc_chars=settings.max_doc_chars,
        source_name=source_name,
        retracted=retracted_pmids(settings.retractions_path),
        curation=curation,
    )
