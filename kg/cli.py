"""The ``medkg`` command line.

Every command reads the same Settings (``--data-dir``/``--config``/``MEDKG_*``), prints a
summary whose counts reconcile, and exits non-zero with a one-paragraph message (never a
traceback) when something a user can fix is wrong.
"""

from __future__ import annotations

import errno
import json
import logging
import math
import re
import resource
import sys
import tempfile
import time
from contextlib import contextmanager
from enum import Enum
from itertools import islice
from pathlib import Path
from typing import Annotated, Literal, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg import __version__
from kg.config import Settings, load_settings
from kg.errors import ArgumentError, ConfigError, Errors, MedkgError, QueryError, SourceError
from kg.models import ENTITY_TYPES

app = typer.Typer(
    name="medkg",
    help=(
        "Build a medical knowledge graph from PubMed abstracts and clinical notes.\n\n"
        "Start with `medkg demo` (embedded graph, no server). Then `medkg ingest pubmed FILE.xml.gz`, "
        "`medkg query \"MATCH (c:Disease) RETURN c.name LIMIT 5\"` and `medkg stats`."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)
ingest_app = typer.Typer(help="Ingest documents into the graph (idempotent: re-runs skip unchanged documents).")
evaluate_app = typer.Typer(help="Score medkg's components on annotated corpora (use dev sets; tests are held out).")
ontology_app = typer.Typer(help="Build and inspect the concept store that mentions are linked to.")
export_app = typer.Typer(help="Export the graph for Neo4j bulk import or for other KG tools (KGX).")
train_app = typer.Typer(help="Train medkg's models from the shared corpora' training splits (seeded, logged).")
curate_app = typer.Typer(help=(
    "Curators' decisions, kept in the curation file (MEDKG_CURATION, default <data_dir>/curation.tsv) and applied "
    "to the graph at once and on every later run. See README 'Curation'."))
app.add_typer(curate_app, name="curate")
app.add_typer(train_app, name="train")
app.add_typer(export_app, name="export")
app.add_typer(ingest_app, name="ingest")
app.add_typer(evaluate_app, name="evaluate")
app.add_typer(ontology_app, name="ontology")
notes_app = typer.Typer(help="Clinical notes' files, found again from the note ids a run quarantined or wrote.")
app.add_typer(notes_app, name="notes")

# Piped output (logs, CI) gets wide tables instead of Rich's 80-column fallback.
console = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)


# medkg's own loggers; every other (httpx, httpcore, urllib3, ...) stays at ERROR, or WARNING with -v,
# never INFO: httpx logs each request's URL, and E-utilities URLs carry NCBI_API_KEY.
_OWN_LOGGERS = ("kg", "flows")
# Loggers that warn once per record: the run summary already lists those records, so only -v shows them.
_PER_RECORD_LOGGERS = ("kg.pipeline", "kg.train", "kg.curator")
_SECRET_PARAM = re.compile(r"((?:api_key|apikey|password|token)=)[^&\s'\"]+", re.IGNORECASE)


class _LogFormatter(logging.Formatter):
    """medkg's warnings as the CLI prints its other ones (``warning E123: ...`` or ``warning: ...``), other
    records as ``LEVEL logger: message``; a secret in a URL (``api_key=...``) is masked in every record."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if record.levelno >= logging.WARNING and record.name.split(".")[0] in _OWN_LOGGERS:
            level = record.levelname.lower()
            text = text.removeprefix(f"{record.levelname} {record.name}: ")
            code = re.match(r"E\d{3}: ", text)
            text = f"{level} {text}" if code else f"{level}: {text}"
        return _SECRET_PARAM.sub(r"\1***", text)


class _StderrHandler(logging.StreamHandler):
    """Writes to the ``sys.stderr`` of the moment (a test's capture, Click's runner), not the one at start."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def restore_root_handlers(handlers: list[logging.Handler]) -> None:
    """The root logger's handlers back to ``handlers``, not only medkg's taken off: a command may set logging
    up itself (`serve` imports Prefect, whose setup swaps the root's handlers for its console one, bound to
    the stderr of that moment), and the commands after it in the process printed each medkg warning twice
    (or, that stderr closed, a logging error)."""
    root = logging.getLogger()
    for added in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(added)
    for kept in handlers:
        if kept not in root.handlers:
            root.addHandler(kept)


def _setup_logging(verbose: bool, ctx: typer.Context) -> None:
    """medkg's own warnings always reach stderr (a capped E-utilities search, a damaged ontology file); with -v
    its INFO too. Undone when the command ends, so a process that runs several commands (tests) starts clean."""
    root = logging.getLogger()
    handler = _StderrHandler()
    handler.setFormatter(_LogFormatter("%(levelname)s %(name)s: %(message)s"))
    levels = {"": logging.WARNING if verbose else logging.ERROR}
    levels |= {name: logging.INFO if verbose else logging.WARNING for name in _OWN_LOGGERS}
    levels |= {name: logging.INFO if verbose else logging.ERROR for name in _PER_RECORD_LOGGERS}
    loggers = {name: logging.getLogger(name) for name in levels}
    before = {name: logger.level for name, logger in loggers.items()}
    root_handlers = list(root.handlers)
    for name, logger in loggers.items():
        logger.setLevel(levels[name])
    root.addHandler(handler)

    def restore() -> None:
        restore_root_handlers(root_handlers)
        for name, logger in loggers.items():
            logger.setLevel(before[name])

    ctx.call_on_close(restore)


class _State:
    settings: Settings | None = None
    overrides: dict = {}
    config: Optional[Path] = None


state = _State()


def settings() -> Settings:
    if state.settings is None:
        state.settings = load_settings(state.config, **state.overrides)
    return state.settings


def _print_version(value: bool) -> None:
    """``--version``: eager, so that it answers without a command."""
    if value:
        console.print(f"medkg {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    data_dir: Annotated[
        Optional[Path], typer.Option("--data-dir", help="Where the ledger and graph live [env MEDKG_DATA_DIR; default .medkg]")
    ] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="TOML settings file [env MEDKG_CONFIG]")] = None,
    store: Annotated[
        Optional[str], typer.Option("--store", help="falkordb (embedded, default) or neo4j [env MEDKG_STORE]")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log medkg's progress and a warning for each quarantined record")] = False,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit", callback=_print_version,
                                          is_eager=True)] = False,
) -> None:
    _setup_logging(verbose, ctx)
    state.config = config
    state.overrides = {"data_dir": data_dir, "store": store}
    state.settings = None


# -- helpers ----------------------------------------------------------------------------------
def _missing_graph(s: Settings) -> str | None:
    """Why the data dir holds no embedded graph to read (no such folder; a file; no graph in it); None when it
    does, or when the graph is a Neo4j database."""
    if s.store != "falkordb" or s.falkordb_dir.is_dir():
        return None
    if s.data_dir.is_dir():
        return "it holds no graph"
    return "it is a file, not a folder" if s.data_dir.exists() else "there is no such folder"


def _require_graph(store=None) -> None:
    """A command that only reads the graph refuses a data dir without one instead of creating an
    empty graph and answering from it: a mistyped --data-dir or MEDKG_GRAPH_NAME must not look like a graph
    with nothing in it (E011). Without ``store`` only the data dir is looked at (opening a store creates it);
    with ``store``, open on it, the graph of the configured name must be there too."""
    s = settings()
    if (why := _missing_graph(s) if store is None else store.missing_graph()) is not None:
        raise ArgumentError(Errors.E011, where=f"data dir {s.data_dir}", why=why)


@contextmanager
def _graph(*, write: bool = False, existing: bool = False):
    """The configured graph store, open. ``write``: the command writes, so the schema (constraints and
    indexes; idempotent) is made first. A command that only reads sends no DDL: a Neo4j user with read
    privileges only can run it, as ``ask``, ``report`` and ``viz`` (kg.reason opens the store itself, inside
    this one: the embedded server is started once). ``existing``: the command only reads, so it refuses a
    data dir without a graph before the store is opened (which would create one), and a graph name the
    store does not hold after (:func:`_require_graph`, E011)."""
    from kg.graph.backends import open_store

    if existing:
        _require_graph()
    with open_store(settings()) as store:
        if existing:
            _require_graph(store)
        if write:
            store.ensure_schema()
        yield store


def _progress(total: int | None = None) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
        disable=not err.is_terminal,
        auto_refresh=False,  # no refresh thread: ingestion forks its workers while this is shown
    )


def _run_ingest(items, *, source_name: str, command: str, inputs: list[str], total: int | None = None,
                keep_note_text: bool = False, key: bytes | None = None):
    """``key``: the pseudonymisation key of notes, which the ledger checks is the data dir's (E803).

    Ctrl-C prints the summary of what the run committed before it, says so, and exits 130; one while the
    graph, the ledger and the models load (or a second one while the run commits) says that and exits 130."""
    try:
        summary, counts, quarantined = _ingest_run(items, source_name=source_name, command=command, inputs=inputs,
                                                   total=total, keep_note_text=keep_note_text, key=key)
    except KeyboardInterrupt:
        err.print("interrupted before the run read its first document (the graph, the ledger or the models were "
                  "loading) or while it committed; what it committed stays and ingestion is idempotent: run the "
                  "same command again", highlight=False, soft_wrap=True)
        raise typer.Exit(130) from None
    from kg.pipeline import raise_if_all_failed

    _print_summary(summary, counts, quarantined)
    raise_if_all_failed(summary, quarantined)  # exit status 2, not 0
    if summary.interrupted:
        err.print(f"interrupted: {summary.written:,} documents written before the interrupt; "
                  "run the same command again to finish", highlight=False, soft_wrap=True)
        raise typer.Exit(130)
    return summary, counts


def _ingest_run(items, *, source_name: str, command: str, inputs: list[str], total: int | None,
                keep_note_text: bool, key: bytes | None):
    """The run of :func:`_run_ingest`: its summary (that of the part done before a first Ctrl-C), the graph's
    counts and the records it quarantined."""
    from kg.components import build_pipeline, open_ledger
    from kg.pipeline import Interrupted
    from kg.privacy import key_fingerprint

    s = settings()
    with _graph(write=True) as store, open_ledger(s, store) as ledger:
        if key is not None:
            ledger.pin_pseudonym_key(key_fingerprint(key))
        _apply_curation_changes(s, store, ledger)
        pipeline = build_pipeline(s, store=store, ledger=ledger, source_name=source_name, keep_note_text=keep_note_text)
        workers = s.worker_count
        with _progress(total) as progress:
            task = progress.add_task(f"ingest {source_name} ({workers} worker{'s' * (workers > 1)})",
                                     total=total, detail="")

            def update(summary) -> None:
                rate = summary.written / summary.seconds if summary.seconds else 0.0
                per_worker = " ".join(f"{n:,}" for _, n in sorted(pipeline.worker_documents.items()))
                progress.update(
                    task,
                    completed=summary.read,
                    detail=f"written {summary.written:,} ({rate:,.0f}/s) skipped {summary.skipped:,} "
                    f"quarantined {summary.quarantined:,} deleted {summary.deleted:,}"
                    + (f" | per worker {per_worker}" if workers > 1 else ""),
                    refresh=True,
                )

            try:
                summary = pipeline.run(items, command=command, inputs=inputs, on_progress=update, workers=workers)
            except Interrupted as exc:
                summary = exc.summary
        return summary, store.counts(), ledger.quarantined(summary.run_id)


_Format = Annotated[Literal["table", "json"], typer.Option("--format", "-f", help="table or json")]
# What a reading command lists at most: far past what anyone reads, and far below what a graph database
# reads as a LIMIT (FalkorDB took 2**32 as 0, so a huge --limit listed nothing: kg.reason.subgraph.cypher_limit)
_MAX_LIST = 100_000
# The rows `medkg query` shows as a table at most: Rich took 36 s for a table of 100,000 rows, more than anyone
# reads; --format json writes every row.
QUERY_TABLE_ROWS = 1_000
# A concept label a command can filter on (Chemical, Disease, ...), as typer reads a choice: an Enum.
_ConceptType = Enum("_ConceptType", {t: t for t in ENTITY_TYPES}, type=str)


def _note_if_trained_on(corpus: Path) -> None:
    """Say so when the corpus to score holds documents medkg was trained on: its scores are optimistic."""
    from kg.vocab.corpora import trained_on

    for split, shared, total in trained_on(corpus, settings().shared_data):
        err.print(f"note: {shared:,} of the {total:,} documents of {corpus} are in the training split {split}: "
                  "medkg learned from them, so these scores are optimistic; score a dev split", markup=False)


def _writable(path: Path, folder: bool = False, create: bool = True) -> Path:
    """``path``, a file (or with ``folder`` a folder) medkg will write, checked before any work starts:
    missing folders are created (without ``create``, only the nearest existing one is tried) and a file is
    created and removed in it; else E004."""
    target = path if folder else path.parent
    try:
        if not folder and path.is_dir():
            raise IsADirectoryError(errno.EISDIR, "it is a folder")
        existing = next(p for p in (target, *target.parents) if p.exists())
        if not existing.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, f"{existing} is a file, not a folder")
        if create:
            target.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=target if create else existing):
            pass
    except OSError as exc:
        raise ArgumentError(Errors.E004, path=path, error=exc.strerror or exc) from exc
    return path


def _questions(path: Path) -> list[str]:
    """The questions of a --file: one per line; blank lines and # comments are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ArgumentError(Errors.E005, path=path, error=exc) from exc
    questions = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not questions:
        raise typer.BadParameter(f"{path} holds no question (blank lines and # comments are skipped)")
    return questions


def _set_workers(workers: int | None) -> None:
    if workers is not None:
        state.overrides["workers"] = workers
        state.settings = None


def _print_summary(summary, counts: dict, quarantined: list[dict]) -> None:
    t = Table(title=f"run {summary.run_id} summary{' (interrupted)' * summary.interrupted}", show_header=True)
    t.add_column("documents")
    t.add_column("count", justify="right")
    for name in ("read", "written", "revised", "retracted", "skipped", "superseded", "deletions_not_found",
                 "quarantined", "deleted"):
        t.add_row(name, f"{getattr(summary, name):,}")
    t.add_row("mentions (linked)", f"{summary.mentions:,} ({summary.linked_mentions:,})")
    t.add_row("evidence sentences", f"{summary.evidence:,}")
    rate = summary.read / summary.seconds if summary.seconds else 0.0
    t.add_row("seconds", f"{summary.seconds:,.1f} ({rate:,.0f} docs/s)")
    ok = "[green]yes[/green]" if summary.reconciles else "[red]NO[/red]"
    t.add_row("read = written + skipped + quarantined + deleted", ok)
    console.print(t)
    g = Table(title="graph", show_header=True)
    g.add_column("kind")
    g.add_column("name")
    g.add_column("count", justify="right")
    for label, n in sorted(counts.get("nodes", {}).items()):
        g.add_row("nodes", label, f"{n:,}")
    for rel, n in sorted(counts.get("relationships", {}).items()):
        g.add_row("relationships", rel, f"{n:,}")
    console.print(g)
    if quarantined:
        q = Table(title=f"quarantined records ({len(quarantined)}; all in the ledger)")
        for col in ("file", "record", "reason"):
            q.add_column(col, overflow="fold")
        for row in quarantined[:20]:
            q.add_row(escape(str(row["file"])), escape(str(row["record"])), escape(str(row["reason"])))
        console.print(q)
    if not summary.reconciles:
        raise MedkgError(Errors.E003)


def _print_rows(rows: list[dict], fmt: str = "table", title: str | None = None) -> None:
    if fmt == "json":
        # Strict JSON (a NaN or an infinity, which Cypher can return, is null: JSON has neither), written
        # as is: Rich's pretty printer took 24 s for 100,000 rows
        sys.stdout.write(json.dumps(_finite(rows), default=str, indent=2, ensure_ascii=False, allow_nan=False) + "\n")
        return
    if not rows:
        console.print(f"[dim]{title + ': ' if title else ''}no rows[/dim]")
        return
    t = Table(title=title)
    for col in rows[0]:
        t.add_column(str(col), overflow="fold")
    for row in rows:
        t.add_row(*(_cell(v) for v in row.values()))
    console.print(t)


def _finite(v):
    """``v`` with every NaN and infinity, at any depth, replaced by None."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_finite(x) for x in v]
    return v


def _cell(v) -> str:
    """A table cell as text; Rich markup in the value ("[Term] at line 5") is shown as written."""
    if isinstance(v, float):  # 3 significant digits where 3 decimals would show a small number as 0.000
        return f"{v:.3g}" if v and abs(v) < 0.001 else f"{v:.3f}"
    if isinstance(v, list):
        return escape(", ".join(str(x) for x in v))
    return "" if v is None else escape(str(v))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- ingest -----------------------------------------------------------------------------------
_Workers = Annotated[
    Optional[int], typer.Option("--workers", min=1, help="Processes that analyse batches [env MEDKG_WORKERS; default: the cores]")
]


@ingest_app.command("pubmed")
def ingest_pubmed(
    files: Annotated[Optional[list[Path]], typer.Argument(help="PubMed XML files (.xml or .xml.gz; baseline or update)")] = None,
    query: Annotated[Optional[str], typer.Option("--query", "-q", help="E-utilities search instead of files")] = None,
    max_records: Annotated[
        Optional[int], typer.Option("--max", min=1, help="With --query: at most this many records [default: 1000]")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="Only the first N records of the files (0 = all)")] = 0,
    workers: _Workers = None,
) -> None:
    """Ingest PubMed citations from files or an E-utilities query.

    Update files apply their DeleteCitation block; a citation whose version changed replaces
    its old evidence. Batches are analysed by `--workers` processes (forked once the models are
    loaded, so they share them) and written in input order by one writer: the graph is the same
    for any number of workers. Example: `medkg ingest pubmed ../shared/data/pubmed/pubmed21n1298.sample.xml.gz`
    """
    _set_workers(workers)
    from kg.sources import read_files
    from kg.sources.pubmed import iter_pubmed

    if bool(files) == bool(query):
        raise typer.BadParameter("give PubMed XML FILES or --query, not both and not neither")
    if query and limit:
        raise typer.BadParameter("--limit counts the records of FILES; with --query, --max limits the records")
    if files and max_records is not None:
        raise typer.BadParameter("--max limits the records of --query; with FILES, --limit limits the records")
    if query:
        from kg.sources.eutils import EutilsClient

        with EutilsClient.from_settings(settings()) as client:
            # searched before the store, ledger and models open: an unreachable service or a rejected query
            # fails in seconds, and leaves no unfinished run in the ledger
            try:
                hits = client.search(query, 1000 if max_records is None else max_records)
            except KeyboardInterrupt:
                err.print("interrupted during the E-utilities search: nothing was fetched or written",
                          highlight=False, soft_wrap=True)
                raise typer.Exit(130) from None
            if not hits[0]:
                err.print(f"E-utilities: 0 records match {query!r}; nothing to ingest", markup=False,
                          highlight=False, soft_wrap=True)
            _run_ingest(client.fetch_hits(query, *hits), source_name="pubmed", command="ingest pubmed --query",
                        inputs=[query], total=hits[0])
        return

    items = read_files(files, iter_pubmed)
    if limit:
        items = islice(items, limit)
    _run_ingest(items, source_name="pubmed", command="ingest pubmed", inputs=[str(f) for f in files],
                total=limit or None)


@ingest_app.command("notes")
def ingest_notes(
    path: Annotated[Path, typer.Argument(help="A folder of .txt notes, a NOTEEVENTS-style CSV or an ACI-Bench CSV")],
    keep_text: Annotated[
        bool, typer.Option("--keep-text", help="Store evidence sentences of notes in the graph (they may identify patients)")
    ] = False,
    workers: _Workers = None,
) -> None:
    """Ingest clinical notes. Patient ids are replaced by a keyed hash (set MEDKG_PSEUDONYM_KEY)."""
    _set_workers(workers)
    from kg.privacy import load_key
    from kg.sources import read_files
    from kg.sources.notes import iter_notes

    key = load_key(settings())
    _run_ingest(read_files([path], lambda p: iter_notes(p, key=key)), source_name="note", command="ingest notes", inputs=[str(path)],
                keep_note_text=keep_text, key=key)


@notes_app.command("locate")
def notes_locate(
    note_id: Annotated[str, typer.Argument(help="The note id a quarantine or the graph names: NOTE:note_...")],
    folder: Annotated[Path, typer.Argument(help="The folder of .txt notes, as it was given to `medkg ingest notes`")],
) -> None:
    """Print the path of the .txt note whose id is NOTE_ID (with MEDKG_PSEUDONYM_KEY, as ingestion computed it).

    The path is printed to the terminal only, never logged or stored: note file names often hold a
    patient's name and MRN, which is why medkg records only the folder and the note id."""
    from kg.privacy import load_key
    from kg.sources.notes import locate_note

    path = locate_note(folder, note_id, key=load_key(settings()))
    console.print(str(path), markup=False, highlight=False, soft_wrap=True)


# -- annotate / evaluate ----------------------------------------------------------------------
@app.command()
def annotate(
    input: Annotated[Path, typer.Option("--input", "-i", help="PubTator file to annotate (gold annotations are ignored)")],
    output: Annotated[Path, typer.Option("--output", "-o", help="PubTator file to write predictions to")],
) -> None:
    """Write medkg's predictions for every document of a PubTator file: mentions (type + concept id) and relations."""
    from kg.evaluate.gold import annotate_file

    if output.resolve() == input.resolve():
        raise typer.BadParameter("--output is the --input file: choose another path, the input would be overwritten")
    n, left_out, not_read = annotate_file(settings(), input, _writable(output))
    console.print(f"annotated {n:,} documents -> {output}")
    from kg.evaluate.gold import left_out_line, not_read_line

    if not_read:
        err.print(not_read_line(not_read), markup=False)
    if left_out:
        err.print(left_out_line(left_out, so="are not in the output"), markup=False)


@evaluate_app.command("ner")
def evaluate_ner_cmd(
    corpus: Annotated[Path, typer.Option("--corpus", help="Gold PubTator file (a dev split)")],
    predictions: Annotated[
        Optional[Path], typer.Option("--predictions", help="Score this PubTator file instead of running medkg")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Exact span+type precision/recall/F1 per entity type, and document-level concept-id scores."""
    from kg.evaluate.ner import evaluate_ner_corpus

    _note_if_trained_on(corpus)
    report = evaluate_ner_corpus(settings(), corpus, predictions)
    if as_json:
        console.print_json(json.dumps(report))
    else:
        for section, rows in report.items():
            if isinstance(rows, list):
                _print_rows(rows, title=section)


@evaluate_app.command("re")
def evaluate_re_cmd(
    corpus: Annotated[Path, typer.Option("--corpus", help="Gold PubTator file with relations (a dev split)")],
    gold_entities: Annotated[
        bool, typer.Option("--gold-entities", help="Use the corpus's own entities (relation model alone)")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    cross_fitted: Annotated[bool, typer.Option(
        "--cross-fitted", help="For a relation model trained --with-dev (the shipped one): predict each dev document "
        "with one of five fold models trained without it, so the scores are out of sample (a few minutes)")] = False,
) -> None:
    """Relation pair and pair+type P/R/F1 (CID for BC5CDR-style corpora, BioRED types otherwise), end to end by default.

    End to end, the scores are also given against the gold ids resolved by the concept store (a MeSH id retired since
    the corpus was annotated counts as the record that replaced it, as `evaluate link` resolves them).

    The shipped relation model also learned from the dev splits (`medkg train re --with-dev`), so its scores on them
    are in-sample, and the report says so. Two honest dev figures: `--cross-fitted` (how training with dev documents
    does on documents it did not see), or a twin trained without them:

        medkg evaluate re --corpus ../shared/data/corpora/biored/Dev.PubTator --cross-fitted
        medkg train re --output training/re-twin && medkg train re-calibrate --model training/re-twin
        MEDKG_RE_MODEL=training/re-twin medkg evaluate re --corpus ../shared/data/corpora/biored/Dev.PubTator
    """
    from kg.evaluate.re import evaluate_re_corpus

    _note_if_trained_on(corpus)
    report = evaluate_re_corpus(settings(), corpus, gold_entities=gold_entities, cross_fitted=cross_fitted,
                                log=lambda line: err.print(line, markup=False))
    if as_json:
        console.print_json(report.model_dump_json())
    else:
        console.print(report.table(), markup=False)


@evaluate_app.command("assertion")
def evaluate_assertion_cmd(
    tsv: Annotated[Path, typer.Option("--tsv", help="NegEx-format TSV (Report No., Concept, Sentence, Negation)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Negation P/R/F1 of medkg's assertion rules beside medspaCy's defaults, on one file."""
    from kg.evaluate.assertion import compare_with_medspacy_defaults

    ours, defaults = compare_with_medspacy_defaults(tsv)
    if not ours.n:
        raise SourceError(Errors.E228, path=tsv, quarantined=len(ours.quarantined))
    rows = [
        {"rules": r.tagger, "precision": round(r.precision, 4), "recall": round(r.recall, 4), "f1": round(r.f1, 4),
         "tp": r.tp, "fp": r.fp, "fn": r.fn, "n": r.n, "sent/s": round(r.sentences_per_s)}
        for r in (ours, defaults)
    ]
    not_scored = [{"record": q.record, "reason": q.reason} for q in ours.quarantined]
    if as_json:
        console.print_json(json.dumps({"scores": rows, "not_scored": not_scored}))
    else:
        _print_rows(rows, title=f"negation on {tsv} (positive class: Negated)")
        if not_scored:
            _print_rows(not_scored, title=f"not scored: {len(not_scored)} row(s)")


@evaluate_app.command("link")
def evaluate_link_cmd(
    corpus: Annotated[Path, typer.Option("--corpus", help="Gold PubTator file (a dev split)")],
    gold_only: Annotated[bool, typer.Option("--gold-only", help="Skip the end-to-end (NER + linking) scores")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Accuracy@1 on gold mentions and document-level concept-id P/R/F1 per type (gold mentions and end to end).

    Each document-level view is also scored against the gold ids resolved by the concept store: an OMIM id MONDO maps
    to a MeSH record counts as that record, a MeSH id retired since the corpus was annotated as the record that
    replaced it."""
    from kg.evaluate.link import evaluate_link_corpus

    _note_if_trained_on(corpus)
    report = evaluate_link_corpus(settings(), corpus, end_to_end=not gold_only)
    if as_json:
        console.print_json(json.dumps(report.as_dict()))
    else:
        console.print(report.table())


# -- ontology ---------------------------------------------------------------------------------
@ontology_app.command("build")
def ontology_build(
    ontology_dir: Annotated[
        Optional[Path], typer.Option("--from", help="Folder of ontology files for the concept store [default: <shared_data>/ontology]; "
                     "the gene, species and variant normalisers read <shared_data> (MEDKG_SHARED_DATA) whatever it is")
    ] = None,
    allow_partial: Annotated[
        bool, typer.Option("--allow-partial", help="Install the store even if a source file is damaged or missing")
    ] = False,
) -> None:
    """Build the concept store (MeSH with supplementary records, MONDO, DOID, HPO, ICD-10-CM, HGNC, NCBI Gene mouse,
    MGI, RGD; UMLS if present; names from the training corpora) into the cache dir.

    Every run reads the files again and replaces `<cache dir>/concepts.sqlite` (MEDKG_CACHE_DIR, default
    `<data dir>/cache`), where linking reads it; an ingest builds it on first use when it is not there. If a
    source file is damaged or missing, the existing store is kept and the command fails (exit 2), unless
    `--allow-partial`: a new store's version makes the next ingest redo every document against it."""
    from kg.errors import OntologyError
    from kg.vocab.conceptstore import build_concept_store

    if ontology_dir is not None and not ontology_dir.is_dir():
        raise OntologyError(Errors.E545, root=ontology_dir)
    with err.status("building the concept store (about a minute)"):
        stats = build_concept_store(settings(), ontology_dir=ontology_dir, partial=allow_partial)
    console.print(f"built {stats.path} in {stats.seconds:,.1f} s, peak RSS {stats.peak_rss_mb:,.0f} MB")
    _print_rows([{"table": k, "rows": v} for k, v in stats.counts.items()], title="counts")
    if stats.quarantined:
        _print_rows([{"file": q.file, "record": q.record, "reason": q.reason} for q in stats.quarantined[:20]],
                    title=f"quarantined ({len(stats.quarantined)})")
    for problem in stats.problems():
        _say(problem, out=err)


@ontology_app.command("info")
def ontology_info(as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """Sources, releases and counts of the built concept store."""
    from kg.vocab.conceptstore import store_info

    info = store_info(settings())
    if as_json:
        console.print_json(json.dumps(info, default=str))
        return
    console.print(f"{info['path']} (version {info['version']})")
    _print_rows(info["sources"], title="sources")
    _print_rows([{"table": k, "rows": v} for k, v in info["counts"].items()], title="counts")
    _print_rows(info["concepts"], title="concepts by source and type")


# -- reasoning --------------------------------------------------------------------------------
@app.command()
def ask(
    question: Annotated[Optional[str], typer.Argument(
        help='e.g. "What can trigger asthma attacks?", "Adverse reactions of cisplatin?", "Tell me about aspirin"')] = None,
    from_file: Annotated[Optional[Path], typer.Option(
        "--file", exists=True, dir_okay=False, readable=True,
        help="Answer every line of FILE (models load once; # starts a comment); with --json, one JSON object per line")] = None,
    limit: Annotated[int, typer.Option(
        "--limit", min=1, max=_MAX_LIST,
        help="Answers to list (a 'tell me about' summary: half of it in each section)")] = 10,
    citations: Annotated[int, typer.Option(
        "--citations", min=0, max=_MAX_LIST, help="Supporting sentences per answer")] = 2,
    subtypes: Annotated[bool, typer.Option("--subtypes", help="Include the concept's ontology subtypes")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (schema: docs/ask.schema.json)")] = False,
) -> None:
    """Answer a question from the graph, with PMIDs/note ids and sentences (offline, no LLM).

    Concepts are found by medkg's own NER and linker; the intent is read from the words around
    them: causes / side effects / treatment / interactions / associations / "tell me about" /
    how two concepts connect, and the answer type from "drugs", "genes", "diseases", "findings".
    Every answer says how the question was read and says plainly when the graph has no
    evidence. Exit status 2 when a question names no concept of the graph, or one it does not hold.
    """
    if question is not None and not question.strip():
        question = None  # a blank question is the mistake of giving none
    if (question is None) == (from_file is None):
        raise typer.BadParameter("give a QUESTION or --file FILE (one question per line)")
    questions: str | list[str] = question if from_file is None else _questions(from_file)
    with _graph(existing=True):
        from kg.reason.ask import ask_command  # after the checks: importing it takes seconds (spaCy, the linker)
        text, code = ask_command(questions, settings(), limit=limit, per_item=citations, subtypes=subtypes,
                                 as_json=as_json)
    if as_json:
        typer.echo(text)  # byte for byte: no wrapping, no markup, one object per line with --file
    else:
        console.print(text, markup=False, highlight=False, emoji=False)
    raise typer.Exit(code)


@app.command()
def ddi(
    drugs: Annotated[list[str], typer.Argument(help="Two or more drug names or ids, e.g. warfarin aspirin")],
    citations: Annotated[int, typer.Option(
        "--citations", min=0, max=_MAX_LIST, help="Supporting sentences per edge")] = 2,
) -> None:
    """Drug-drug interaction check from the graph, pair by pair, with the evidence behind it.

    Says plainly when the graph has no interaction evidence for a pair (which is not evidence of
    no interaction). Exit code 0 when every pair was answered, 2 when a drug is not in the graph.
    """
    from itertools import combinations

    from kg.reason.ask import answer_all, exit_status, to_markdown

    named: dict[str, str] = {}
    for d in drugs:  # the same drug named twice (any case) is one drug
        named.setdefault(d.strip().casefold(), d.strip())
    drugs = [d for d in named.values() if d]
    if len(drugs) < 2:
        raise typer.BadParameter("give at least two different drugs")
    pairs = list(combinations(drugs, 2))
    with _graph(existing=True):
        answers = answer_all([f"do {a} and {b} interact" for a, b in pairs], settings(), per_item=citations)
    for (a, b), answer in zip(pairs, answers, strict=True):
        console.rule(f"{a} + {b}")
        console.print(to_markdown(answer), markup=False, highlight=False)
    raise typer.Exit(exit_status(answers))


@app.command()
def report(
    target: Annotated[Optional[str], typer.Argument(help="A concept id (MESH:D006973) or name")] = None,
    patient: Annotated[Optional[str], typer.Option(
        "--patient", help="A patient's findings instead: a pseudonym (pt_…) or the source patient id "
                          "(pseudonymised with MEDKG_PSEUDONYM_KEY)")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write FILE.md or FILE.html instead of printing")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=_MAX_LIST, help="Relations and co-mentions to list")] = 10,
) -> None:
    """An evidence report: claimed relations first (by calibrated score and papers), co-mentions by
    NPMI in their own section, negated and retracted evidence marked; or, with --patient, a
    patient's findings by assertion status with the (pseudonymised) note ids."""
    from kg.reason.report import report_command

    if (target is None) == (patient is None):
        raise typer.BadParameter("give a CONCEPT or --patient ID")
    out = _writable(out) if out is not None else None
    from kg.reason.report import plain

    with _graph(existing=True):
        text = report_command(target, settings(), patient=patient, out=out, limit=limit)
    # Markdown escapes what a renderer would run ("&lt;script&gt;"); a terminal shows the text as written
    console.print(plain(text) if console.is_terminal else text, markup=False, highlight=False, emoji=False)


@app.command()
def viz(
    target: Annotated[str, typer.Argument(help="A concept id or name")],
    out: Annotated[Path, typer.Option("--out", help="FILE.png (static) or FILE.html (interactive)")],
    hops: Annotated[int, typer.Option("--hops", min=1, max=3, help="How many hops from the concept (never "
                                                                  "through a species, such as the human hub)")] = 1,
    max_nodes: Annotated[int, typer.Option(
        "--max-nodes", min=1, max=_MAX_LIST, help="At most this many concepts drawn, the nearest first")] = 40,
    min_score: Annotated[float, typer.Option("--min-score", min=0.0, max=1.0,
                                             help="Leave out edges whose combined score is lower")] = 0.0,
) -> None:
    """Draw a concept's neighbourhood: nodes coloured by label (ontology/medkg.grass), edges by
    relation type with a legend, claimed relations drawn over co-mentions (PNG or HTML).

    A warning (E933) says how many concepts within --hops were left out; a hop that could only add farther
    ones than those drawn is not walked."""
    from kg.reason.viz import viz_command

    out = _writable(out)
    with _graph(existing=True), _progress() as progress:
        task = progress.add_task("viz", total=None, detail="")
        path = viz_command(target, settings(), out=out, hops=hops, max_nodes=max_nodes, min_score=min_score,
                           progress=lambda step: progress.update(task, advance=1, detail=step, refresh=True))
    console.print(f"wrote {path}")


@app.command()
def discover(
    concept: Annotated[str, typer.Argument(help="A concept id (MESH:D011928) or name")],
    types: Annotated[Optional[list[_ConceptType]], typer.Option(
        "--type", case_sensitive=False,
        help="Propose only concepts of this label (repeat for several); default any but species")] = None,
    top: Annotated[int, typer.Option("--top", min=1, max=_MAX_LIST, help="Hypotheses to list")] = 10,
    min_score: Annotated[float, typer.Option(
        "--min-score", min=0.0, max=1.0, help="Use no hop (A-B or B-C) whose combined score is lower")] = 0.0,
    citations: Annotated[int, typer.Option(
        "--citations", min=0, max=_MAX_LIST, help="Supporting papers per hop, each with its best sentence")] = 1,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print JSON: every bridge, its hops' edge keys and citations")] = False,
) -> None:
    """Hypotheses by Swanson ABC: concepts C linked to CONCEPT (A) only through intermediates B, never named
    with it in one claim or sentence of the graph (as fish oil -> blood viscosity -> Raynaud's disease).

    score(C) = sum over B of s(A,B) * s(B,C), s the combined (noisy-OR) score of the pair's strongest edge
    (a claimed relation before a co-mention): many well-supported bridges beat one. Each C is listed with its
    strongest bridges, both hop scores and the papers behind each hop. Hubs ("patients") and species never
    bridge; subtypes and supertypes of A (is_a, from the concept store) are not proposed. Nothing is written.

    Example: `medkg discover "Raynaud Disease" --type Chemical --top 5`
    """
    from kg.reason.hypotheses import discover_command

    labels = list(dict.fromkeys(t.value for t in types or ()))
    with _graph(existing=True):
        text = discover_command(concept, settings(), top=top, min_score=min_score, types=labels, per_hop=citations,
                                as_json=as_json)
    if as_json:
        typer.echo(text)
    else:
        console.print(text, markup=False, highlight=False, emoji=False)


# -- train ------------------------------------------------------------------------------------
@train_app.command("ner")
def train_ner_cmd(
    config: Annotated[
        Path,
        typer.Option("--config", help="configs/ner-cpu.cfg (the spaCy CNN tier; the shipped CPU tier is "
                     "`medkg train ner-cpu`) or configs/ner-transformer.toml"),
    ],
    output: Annotated[Path, typer.Option("--output", help="Training folder (the model: OUTPUT/train/model-best or OUTPUT/model)")],
    seed: Annotated[int, typer.Option("--seed")] = 0,
    pretrain_epochs: Annotated[
        int, typer.Option("--pretrain-epochs", help="spaCy tier: spacy pretrain epochs on the shared PubMed abstracts first (0: none)")
    ] = 1,
    max_steps: Annotated[Optional[int], typer.Option("--max-steps", help="spaCy tier: override training.max_steps")] = None,
    epochs: Annotated[Optional[int], typer.Option("--epochs", help="Transformer tier: override training.epochs")] = None,
) -> None:
    """Train an NER model on BioRED + BC5CDR + NCBI-disease train splits (dev abstracts removed).

    The config picks the tier. The shipped CPU tier is a BiLSTM-CRF: train it with `medkg train
    ner-cpu`. A spaCy CNN tier (the previous CPU tier; any spaCy model directory works as
    MEDKG_NER_MODEL): `medkg train ner --config configs/ner-cpu.cfg --output training/run1` (about
    16 min of pretraining and 32 min of training on 2 cores); the model is training/run1/train/model-best.
    Transformer tier (needs `pip install 'medkg[transformer]'`): `medkg train ner --config
    configs/ner-transformer.toml --output training/hf1` fine-tunes all-MiniLM-L6-v2 (or the
    config's `base`) on the GPU if there is one, else the CPU; use it with
    MEDKG_NER_MODEL=training/hf1/model. Score either with `medkg evaluate ner`.
    """
    if not config.is_file():
        raise ConfigError(Errors.E140, path=config)
    _writable(output, folder=True)
    if config.suffix == ".toml":
        from kg.train.hf_ner import train_hf_ner

        console.print(f"model: {train_hf_ner(config, output, shared_data=settings().shared_data, seed=seed, epochs=epochs)}")
        return
    from kg.train.ner import pretrain_tok2vec, train_ner

    shared_data = settings().shared_data
    init = (pretrain_tok2vec(config, output, max_epochs=pretrain_epochs, seed=seed, shared_data=shared_data)
            if pretrain_epochs else None)
    best = train_ner(config, output / "train", seed=seed, init_tok2vec=init, shared_data=shared_data,
                     overrides={"training.max_steps": max_steps} if max_steps else None)
    console.print(f"model: {best}")


@train_app.command("ner-cpu")
def train_ner_cpu_cmd(
    output: Annotated[Path, typer.Option("--output", help="Training folder; the model is written to OUTPUT/model")],
    vectors: Annotated[
        Optional[Path], typer.Option("--vectors", help="A folder of word vectors from an earlier run (else trained first, ~10 min)")
    ] = None,
    epochs: Annotated[int, typer.Option("--epochs", min=1, help="Training epochs (the best on dev is kept)")] = 25,
    threads: Annotated[int, typer.Option("--threads", min=1, help="Torch threads")] = 2,
) -> None:
    """Train the shipped CPU NER tier (BiLSTM-CRF, NumPy at run time) and tune its post-processing on dev.

    Needs `pip install -e ".[ner-train]"` (torch, floret). Steps: fastText vectors on the unlabelled
    shared abstracts (corpus PMIDs left out), the network on the training splits (dev abstracts
    removed), then per-type score thresholds chosen on dev. About an hour on 2 cores; copy
    OUTPUT/model to models/ner-cpu to ship it. Score with `python -m kg.train.ner dev-scores --model DIR`.
    """
    from kg.train.ner_cpu import Hyper, train, tune_settings
    from kg.train.ner_vectors import train_vectors

    s = settings()
    _writable(output, folder=True)
    if vectors is None:
        vectors = output / "vectors"
        train_vectors(vectors, threads=threads, shared_data=s.shared_data)
    model = train(output, hyper=Hyper(epochs=epochs), vectors_dir=vectors, threads=threads, shared_data=s.shared_data)
    console.print_json(json.dumps(tune_settings(model, shared_data=s.shared_data, cache_dir=s.cache_path), default=str))
    console.print(f"model: {model}")


@train_app.command("re")
def train_re_cmd(
    output: Annotated[Path, typer.Option("--output", help="Model folder (the shipped one: models/re-cpu)")],
    seed: Annotated[int, typer.Option("--seed")] = 0,
    with_dev: Annotated[bool, typer.Option(
        "--with-dev", help="Also learn from each head's dev split (how the shipped model is made); its dev "
        "scores are then in-sample")] = False,
) -> None:
    """Train the CPU relation model (BC5CDR CID + BioRED heads) on the training splits, gold entities.

    Under 2 minutes on 2 cores; hyperparameters, thresholds and score calibration come from
    cross-validation on training documents. Writes model.joblib, training.json and MODEL_CARD.md (data,
    command, time, cross-validated scores; a hand-written card already there is kept). Then calibrate its
    scores end to end with `medkg train re-calibrate --model DIR`, and score it with
    `MEDKG_RE_MODEL=DIR medkg evaluate re --corpus DEV.PubTator`.

    The shipped model is trained `--with-dev`: the dev documents join training (more data is the largest
    gain left), `evaluate re` marks its dev scores in-sample, and `re-calibrate` predicts the dev documents
    with fold models that did not train on them. Dev figures come from those fold models (`medkg evaluate re
    --cross-fitted`) or from a twin trained without the flag:

        medkg train re --output models/re-cpu --with-dev && medkg train re-calibrate --model models/re-cpu
        medkg train re --output training/re-twin && medkg train re-calibrate --model training/re-twin
    """
    from kg.train.re import DEV_SPLITS, train_re

    report = train_re(_writable(output, folder=True), seed=seed, shared_data=settings().shared_data,
                      dev=DEV_SPLITS if with_dev else None)
    console.print_json(json.dumps(report, default=str))
    err.print(f"next: `medkg train re-calibrate --model {output}` calibrates its scores for the pipeline's own entities",
              markup=False)


@train_app.command("re-calibrate")
def train_re_calibrate_cmd(
    model: Annotated[Path, typer.Option("--model", help="Relation model folder to calibrate in place (the shipped "
                                        "one: models/re-cpu)")],
    corpus: Annotated[Optional[list[str]], typer.Option(
        "--corpus", help="HEAD=PUBTATOR, once per head to calibrate [default: cid=BC5CDR dev, biored=BioRED dev, "
        "under the shared data]")] = None,
) -> None:
    """Calibrate the relation model's scores for the pipeline's own entities (run after `medkg train re`).

    Training calibrates scores between gold entities; ingestion relates the concepts its NER and linker found,
    some wrongly, so there a 0.9 was right 77% of the time. This runs the whole ingestion chain (NER, linking,
    assertion, relations: the models the settings name) over each head's development split, fits the score to
    how often the relations are right (pair and type, ids resolved by the concept store), and writes the model
    back with it; predictions and thresholds do not change, only scores. calibration.json beside the model holds
    the reliability before and, cross-fitted over five folds of documents, after. About a minute on 2 cores; a
    model trained --with-dev predicts the dev documents with five fold models trained without them (about ten
    minutes more the first time; they are kept in the cache dir for `medkg evaluate re --cross-fitted`).

        medkg train re-calibrate --model models/re-cpu
    """
    from kg.components import build_annotator
    from kg.errors import ModelError
    from kg.relate.model import MODEL_FILE
    from kg.train.re import DEV_SPLITS
    from kg.train.re_calibration import calibrate

    s = settings()
    corpora: dict[str, Path] = {}
    for given in corpus or [f"{task}={s.shared_data / path}" for task, path in DEV_SPLITS.items()]:
        task, sep, path = given.partition("=")
        if not sep or task not in DEV_SPLITS:
            raise ArgumentError(Errors.E013, option="--corpus", value=given,
                                expected=f"HEAD=PUBTATOR with HEAD one of {', '.join(DEV_SPLITS)}")
        corpora[task] = Path(path)
        if not corpora[task].is_file():
            raise SourceError(Errors.E220, path=corpora[task], error="no such file")
        _note_if_trained_on(corpora[task])  # a training split would flatter the NER, so the calibration
    if not (model / MODEL_FILE).is_file():
        raise ModelError(Errors.E411, path=model / MODEL_FILE)
    _writable(model, folder=True, create=False)
    chain = build_annotator(s, relations=False)  # checked first: building the chain takes a while
    store = getattr(chain.components[1], "store", None)
    calibrate(model, chain, corpora, store, log=lambda line: console.print(line, markup=False),
              shared_data=s.shared_data, cache_dir=s.cache_path)


# -- export / serve ---------------------------------------------------------------------------
@contextmanager
def _export_graph(outdir: Path, files):
    """The graph to export, checked before any work starts: it must exist and hold something (export never
    creates a data dir or a graph: a mistyped --data-dir would give an empty export whose IMPORT.md wipes
    the target database: E008, with the ledger's word when it describes another graph), and ``files``
    must be writable in ``outdir`` (E004); a refused export creates no folder."""
    from kg.graph import cypher
    from kg.graph.export import check_targets
    from kg.ledger import Ledger

    s = settings()
    where = f"data dir {s.data_dir}" if s.store == "falkordb" else f"Neo4j database {s.neo4j_database}"
    if (why := _missing_graph(s)) is not None:
        raise ArgumentError(Errors.E008, where=where, why=why)
    check_targets(_writable(outdir, folder=True, create=False), files)  # the folder is made once the graph is read
    with _graph() as store:
        if (why := store.missing_graph()) is None and not any(
                store.query(cypher.export_nodes(store.schema, t), {"after": "", "limit": 1})
                for t in ("Document", "Concept")):
            why = "the graph is empty"
        if why is not None:
            if s.ledger_path.exists():  # e.g. MEDKG_GRAPH_NAME names another graph than the one ingested (E804)
                with Ledger(s.ledger_path) as ledger:
                    if (problem := ledger.graph_problem(s.graph_identity, 0)) is not None:
                        why += f" ({problem})"
            raise ArgumentError(Errors.E008, where=where, why=why)
        _writable(outdir, folder=True)
        yield store


@export_app.command("neo4j-admin")
def export_neo4j_admin_cmd(
    outdir: Annotated[Path, typer.Argument(help="Folder for the CSVs and IMPORT.md")],
) -> None:
    """Node/relationship CSVs and the exact `neo4j-admin database import full` command (IMPORT.md).

    For a whole PubMed baseline, where transactional MERGE into Neo4j is too slow.
    """
    from kg.graph.export import export_neo4j_admin, neo4j_admin_files
    from kg.graph.schema import Schema

    with _export_graph(outdir, neo4j_admin_files(Schema.load())) as store:
        summary = export_neo4j_admin(store, outdir, database=settings().neo4j_database)
    _print_rows([{"file": k, "rows": v} for k, v in summary.rows.items()], title=f"exported to {outdir}")
    console.print(f"import with (also in {outdir / 'IMPORT.md'}):\n{summary.command}")


@export_app.command("kgx")
def export_kgx_cmd(outdir: Annotated[Path, typer.Argument(help="Folder for nodes.tsv and edges.tsv")]) -> None:
    """KGX TSV (Biolink categories and predicates); clinical notes are never exported."""
    from kg.graph.export import KGX_FILES, export_kgx

    with _export_graph(outdir, KGX_FILES) as store:
        summary = export_kgx(store, outdir)
    _print_rows([{"file": k, "rows": v} for k, v in summary.rows.items()], title=f"exported to {outdir}")
    if summary.skipped:
        _print_rows([{"left out": k, "rows": v} for k, v in summary.skipped.items()])


@app.command()
def serve(
    pubmed_folder: Annotated[
        Optional[Path], typer.Option("--pubmed-folder", help="Folder the daily PubMed update files land in")
    ] = None,
    pubmed_cron: Annotated[str, typer.Option("--pubmed-cron", help="When to ingest new update files")] = "30 6 * * *",
    pubmed_pattern: Annotated[str, typer.Option("--pubmed-pattern", help="Update file glob")] = "pubmed*.xml.gz",
    notes: Annotated[Optional[Path], typer.Option("--notes", help="Notes folder or CSV to ingest on a schedule")] = None,
    notes_every_minutes: Annotated[int, typer.Option("--notes-every-minutes", min=1)] = 60,
    dask_address: Annotated[
        Optional[str],
        typer.Option("--dask-address", help="Dask scheduler for the analysis, e.g. tcp://host:8786 [env MEDKG_DASK_ADDRESS; "
                     "default: a local cluster of processes per run]"),
    ] = None,
) -> None:
    """Run the scheduled Prefect deployments until stopped, on the Prefect server PREFECT_API_URL names (required:
    only a server schedules runs; `prefect server start` runs one)."""
    from flows.deployments import serve_deployments

    if not pubmed_folder and not notes:
        raise ArgumentError(Errors.E001)
    s = settings()
    serve_deployments(
        pubmed_folder=str(pubmed_folder) if pubmed_folder else None, pubmed_cron=pubmed_cron,
        pubmed_pattern=pubmed_pattern, notes_path=str(notes) if notes else None,
        notes_every_minutes=notes_every_minutes, data_dir=str(s.data_dir), batch_size=s.batch_size,
        dask_address=dask_address, config=str(state.config.resolve()) if state.config else None,
        overrides={k: str(v) for k, v in state.overrides.items() if v is not None},
    )


# -- curate -----------------------------------------------------------------------------------
_Reason = Annotated[str, typer.Option("--reason", "-r", help="Why (required: the next curator needs it)")]
_Author = Annotated[Optional[str], typer.Option("--author", help="Who decides [default: $USER]")]


def _apply_curation_changes(s: Settings, store, ledger) -> None:
    """Before an ingest: apply what changed in the curation file since it was last applied."""
    from kg.curator import apply_curation

    result = apply_curation(s, store, ledger, key=_demo_key(s, create=False))
    if result.added or result.removed:
        console.print(f"curation file {s.curation_path}: applied {len(result.added)} new and "
                      f"{len(result.removed)} ended decision(s); {result.redone} document(s) redone")
    _warn_left_out(result)


def _say(problem: MedkgError, *, out: Console = console, kind: str = "warning") -> None:
    """A coded message as the CLI prints every one: ``warning E123: ...`` (or ``error E123: ...``) and its hint.
    Escaped: messages quote paths, values and TOML tables ("[training]") that are not markup."""
    style = "bold red" if kind == "error" else "yellow"
    out.print(f"[{style}]{kind} {problem.code}:[/{style}] {escape(problem.message)}", highlight=False,
              soft_wrap=True)
    if problem.hint:
        out.print(f"  -> {escape(problem.hint)}", highlight=False, soft_wrap=True)


def _warn_left_out(result) -> None:
    """The lines an apply left out (E174) and those in force that do nothing (E176, E177)."""
    for problem in (*result.left_out, *result.idle):
        _say(problem)


def _known_concept(store, s: Settings, cid: str) -> None:
    from kg.curator import concepts_in_store
    from kg.errors import CurationError
    from kg.graph import cypher

    if store.query(cypher.REASON_CONCEPTS, {"ids": [cid]}) or cid in (concepts_in_store(s, [cid]) or ()):
        return
    raise CurationError(Errors.E162, id=cid)


def _not_in_graph(store, s: Settings, ids) -> dict[str, str]:
    """The ids of ``ids`` the graph has no concept for (nor as a merged alias) -> ', nor in the concept store'
    when the concept store does not have them either, else ''."""
    from kg.curator import concepts_in_graph, concepts_in_store

    held = concepts_in_graph(store, ids)
    missing = [cid for cid in dict.fromkeys(ids) if cid not in held]
    known = concepts_in_store(s, missing) if missing else None
    return {cid: ", nor in the concept store" if known is not None and cid not in known else "" for cid in missing}


def _curate(decision, *, edges: list[dict] = (), concepts: list[str] = (), named: list[str] = ()) -> None:
    """Record a decision, apply it at once, and show what it changed.

    ``named``: the concept ids the decision is about (an edge's ends, a same_as alias). An edge or id the
    graph does not hold is recorded all the same (a curation file may be written before the ingest that
    brings them) and said as a coded warning (E172, E173), never silently; so is a wrong_link's document
    that the graph does not hold, or holds with no such mention linked to the wrong id (E179).
    """
    from kg.curation import append_decision, describe
    from kg.curator import apply_curation, refuse_missing_file
    from kg.components import open_ledger
    from kg.errors import CurationError
    from kg.graph import cypher

    s = settings()
    with _graph(write=True) as store, open_ledger(s, store) as ledger:
        def show() -> dict:
            rows = {r["key"]: r["edge"] for r in store.query(cypher.CURATION_EDGES, {"rows": list(edges)})} if edges else {}
            docs = {r["id"]: r["documents"] for r in store.query(cypher.CURATION_CONCEPT_DOCUMENTS,
                                                                  {"ids": list(concepts)})} if concepts else {}
            return {"edges": rows, "docs": docs}

        before = show()
        absent = _not_in_graph(store, s, named)
        unseen = _unseen_in_document(store, decision)
        for e in edges:  # named the other way round from how the graph holds it: it would never apply
            reverse = _edge_row(e["object"], e["predicate"], e["subject"])
            if e["key"] not in before["edges"] and store.query(cypher.CURATION_EDGES, {"rows": [reverse]}):
                raise CurationError(Errors.E169, subject=e["subject"], predicate=e["predicate"], object=e["object"])
        refuse_missing_file(s.curation_path, ledger)  # before a new file is started there (E170)
        recorded = append_decision(s.curation_path, decision)
        if recorded is None:
            console.print(f"already recorded and in force: {escape(describe(decision))}")
            return
        decision = recorded  # a decision recorded again after it was taken back or overruled: a new id
        console.print(f"recorded {decision.id} in {s.curation_path}: {escape(describe(decision))}")
        result = apply_curation(s, store, ledger, key=_demo_key(s, create=False))
        after = show()
    rows = []
    for e in edges:
        for when, state in (("before", before), ("after", after)):
            p = state["edges"].get(e["key"]) or {}
            rows.append({"edge": f"{e['subject']} -[{e.get('predicate', '')}]-> {e['object']}", "when": when,
                         "evidence": p.get("evidence_count"), "combined_score": p.get("combined_score"),
                         "rejected_evidence": p.get("rejected_evidence"), "status": p.get("curation_status")})
    for cid in concepts:
        rows.append({"concept": cid, "documents before": before["docs"].get(cid, 0),
                     "documents after": after["docs"].get(cid, 0)})
    if rows:
        _print_rows(rows, title="in the graph")
    for e in edges:
        if e["key"] not in before["edges"] and e["key"] not in after["edges"]:
            _say(CurationError(Errors.E172, subject=e["subject"], predicate=e["predicate"], object=e["object"],
                               id=decision.id))
    for cid, also in absent.items():
        _say(CurationError(Errors.E173, concept=cid, also=also, id=decision.id))
    if unseen:
        _say(CurationError(Errors.E179, what=unseen, document=decision.document, id=decision.id))
    _warn_left_out(result)
    console.print(f"applied: {result.edges} edge(s) refreshed, {result.redone} document(s) redone, "
                  f"{result.concepts_deleted} concept node(s) merged away or left unused")
    if result.pending:
        console.print(f"[yellow]{len(result.pending)} document(s) wait to be redone ({escape(_why_waiting(result))}); "
                      "they will be when their source is ingested again, or run `medkg curate apply`[/yellow]")


def _unseen_in_document(store, decision) -> str:
    """What the graph lacks for a wrong_link in one document to act (read before it is applied, which moves the
    mention): the document, or a mention of its text linked to the wrong id in it; '' when it holds both."""
    from kg.curation import Curation
    from kg.graph import cypher

    if decision.decision != "wrong_link" or not decision.document:
        return ""
    if not store.query(cypher.CURATION_DOCUMENTS, {"ids": [decision.document]}):
        return f"no document {decision.document}"
    surface = decision.text.strip().casefold()
    wrong = Curation.load(settings().curation_path).canonical(decision.subject)  # the graph holds the id kept
    rows = store.query(cypher.CURATION_DOCUMENTS_MENTIONING, {"ids": [wrong]})
    if any(r["doc_id"] == decision.document and any(t.strip().casefold() == surface for t in r["texts"] or ())
           for r in rows):
        return ""
    return f"no mention {decision.text!r} linked to {decision.subject} in {decision.document}"


def _document_id(document: str) -> str:
    """A typed PubMed id as the graph spells it (pmid:399455 -> PMID:399455), saying so when that rewrote it:
    a document id in another case names no document, and the decision would silently do nothing."""
    prefix, sep, local = document.strip().partition(":")
    return _recorded_as(document, f"PMID:{local.strip()}" if sep and prefix.strip().upper() == "PMID" else document)


def _why_waiting(result) -> str:
    """Why the documents of ``result.pending`` were not redone, with counts."""
    from collections import Counter

    return "; ".join(f"{n}: {why}" for why, n in Counter(p["why"] for p in result.pending).items())


def _canonical_id(cid: str) -> str:
    """A typed concept id as the graph spells it (mesh:d014196 -> MESH:D014196), saying so when that rewrote it:
    the curation file refuses other spellings (E175), and an id in another case names nothing."""
    from kg.vocab.curie import canonical_curie

    return _recorded_as(cid, canonical_curie(cid))


def _recorded_as(typed: str, recorded: str, why: str = "as the graph spells it") -> str:
    """``recorded``, saying so when it is not what was typed: a decision never rewrites what a curator typed
    without a word."""
    if recorded != typed:
        console.print(f"{escape(typed)} is recorded as {escape(recorded)}, {why}", highlight=False, soft_wrap=True)
    return recorded


def _edge(subject: str, predicate: str, object_: str) -> dict:
    from kg.curation import Curation
    from kg.graph.schema import Schema

    cur = Curation.load(settings().curation_path)

    def kept(cid: str) -> str:  # an alias names the edge of the id kept for it: recorded so, and said
        spelled = _canonical_id(cid)
        return _recorded_as(spelled, cur.canonical(spelled), "the id kept for it (same_as)")

    # relationship types are upper case (INDUCES); a curator typing 'induces' means the same, as do ids
    rel_type = _recorded_as(predicate, Schema.load().predicate(predicate.upper()), "as the graph spells it")
    return _edge_row(kept(subject), rel_type, kept(object_))


def _edge_row(subject: str, predicate: str, object_: str) -> dict:
    """An edge of checked, canonical ids and predicate, as the curation queries take it."""
    from kg.models import Triple

    t = Triple(subject=subject, predicate=predicate, object=object_)
    return {"key": t.key, "subject": t.subject, "predicate": t.predicate, "object": t.object}


@curate_app.command("reject")
def curate_reject(
    reason: _Reason,
    subject: Annotated[Optional[str], typer.Argument(metavar="SUBJECT_ID", help="e.g. MESH:D005947")] = None,
    predicate: Annotated[Optional[str], typer.Argument(metavar="PREDICATE", help="e.g. INDUCES")] = None,
    object_: Annotated[Optional[str], typer.Argument(metavar="OBJECT_ID", help="e.g. MESH:D009765")] = None,
    evidence: Annotated[Optional[str], typer.Option("--evidence", help="Reject one evidence (its key) instead of the edge")] = None,
    author: _Author = None,
) -> None:
    """Reject an edge (or one evidence): left out of aggregates and queries, kept for audit.

    Ids of known prefixes are taken in any case and recorded as the graph spells them (mesh:d005947 as
    MESH:D005947). An edge or id the graph does not hold is recorded all the same, with a warning (E172, E173).

    With --evidence, the line records where the evidence was read (its document and mention spans): the
    rejection then follows the sentence when a later same_as merges an end of its edge.

    Example: `medkg curate reject MESH:D005947 INDUCES MESH:D009765 --reason "glucose does not cause obesity"`
    """
    from kg.curation import new_decision, place
    from kg.errors import CurationError
    from kg.graph import cypher

    if evidence:
        with _graph() as store:
            found = store.query(cypher.CURATION_EVIDENCE, {"keys": [evidence]})
        if not found:
            raise CurationError(Errors.E161, key=evidence)
        e = found[0]
        edge = _edge(e["subject"], e["predicate"], e["object"])
        # where it was read, so that the rejection follows the sentence when a same_as merges an end of the edge
        decision = new_decision("reject", reason=reason, author=author, subject=edge["subject"],
                                predicate=edge["predicate"], object=edge["object"], document=e["doc_id"],
                                text=place(e["subject_span"], e["object_span"]), evidence=evidence)
    else:
        if not (subject and predicate and object_):
            raise typer.BadParameter("give SUBJECT_ID PREDICATE OBJECT_ID, or --evidence KEY")
        edge = _edge(subject, predicate, object_)
        decision = new_decision("reject", reason=reason, author=author, subject=edge["subject"],
                                predicate=edge["predicate"], object=edge["object"])
    _curate(decision, edges=[edge], named=[edge["subject"], edge["object"]])


@curate_app.command("confirm")
def curate_confirm(
    reason: _Reason,
    subject: Annotated[str, typer.Argument(metavar="SUBJECT_ID")],
    predicate: Annotated[str, typer.Argument(metavar="PREDICATE")],
    object_: Annotated[str, typer.Argument(metavar="OBJECT_ID")],
    author: _Author = None,
) -> None:
    """Mark an edge confirmed (its score stays the model's). Supersedes an earlier reject of it.

    Ids of known prefixes are taken in any case and recorded as the graph spells them (mesh:d005947 as
    MESH:D005947). An edge or id the graph does not hold is recorded all the same, with a warning (E172, E173).
    """
    from kg.curation import new_decision

    edge = _edge(subject, predicate, object_)
    _curate(new_decision("confirm", reason=reason, author=author, subject=edge["subject"],
                         predicate=edge["predicate"], object=edge["object"]), edges=[edge],
            named=[edge["subject"], edge["object"]])


@curate_app.command("same-as")
def curate_same_as(
    reason: _Reason,
    alias: Annotated[str, typer.Argument(metavar="ALIAS_ID", help="The id merged away (it stays as an alias)")],
    kept: Annotated[str, typer.Argument(metavar="KEPT_ID", help="The id the one node keeps")],
    author: _Author = None,
) -> None:
    """Two ids are one concept: one node (KEPT_ID) in the graph, ALIAS_ID in its `aliases`.

    The documents linked to ALIAS_ID are annotated again; an ALIAS_ID the graph does not hold is recorded
    all the same, with a warning (E173). Ids of known prefixes are taken in any case and recorded as the
    graph spells them (mesh:d009325 as MESH:D009325). Example:
    `medkg curate same-as ICD10CM:R11.0 MESH:D009325 --reason "both are nausea"`
    """
    from kg.curation import Curation, new_decision

    s = settings()
    alias, kept = _canonical_id(alias), _canonical_id(kept)
    with _graph() as store:
        _known_concept(store, s, kept)
    kept_id = Curation.load(s.curation_path).canonical(kept)
    _curate(new_decision("same_as", reason=reason, author=author, subject=alias, object=kept),
            concepts=[alias, kept_id], named=[alias])


@curate_app.command("wrong-link")
def curate_wrong_link(
    reason: _Reason,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="The surface form, as in the text (case is ignored)")],
    wrong: Annotated[str, typer.Argument(metavar="WRONG_ID", help="The id it was linked to")],
    right: Annotated[str, typer.Argument(metavar="RIGHT_ID", help="The id it means, or NIL for none")],
    document: Annotated[Optional[str], typer.Option("--document", help="Only in this document (e.g. PMID:123)")] = None,
    author: _Author = None,
) -> None:
    """A surface form was linked to the wrong concept: the linker obeys this on every later run.

    The documents where TEXT is linked to WRONG_ID are annotated again. Ids of known prefixes are taken in
    any case and recorded as the graph spells them (mesh:d003000 as MESH:D003000), as are PubMed ids
    (pmid:123 as PMID:123); a --document the graph does not hold, or holds with no TEXT linked to WRONG_ID,
    is recorded all the same, with a warning (E179). Example:
    `medkg curate wrong-link "clonidine hydrochloride" MESH:C016986 MESH:D003000 --reason "not apraclonidine"`
    """
    from kg.curation import NIL, new_decision

    s = settings()
    wrong, right = _canonical_id(wrong), _canonical_id(right)
    if right != NIL:
        with _graph() as store:
            _known_concept(store, s, right)
    _curate(new_decision("wrong_link", reason=reason, author=author, text=text, subject=wrong, object=right,
                         document=_document_id(document) if document else ""),
            concepts=[wrong] + ([right] if right != NIL else []), named=[wrong])


@curate_app.command("retract")
def curate_retract(
    reason: _Reason,
    decision_id: Annotated[str, typer.Argument(metavar="DECISION_ID", help="As `medkg curate list` shows it")],
    author: _Author = None,
) -> None:
    """Take a decision back: what it was about returns to what the models say."""
    from kg.curation import new_decision

    _curate(new_decision("retract", reason=reason, author=author, subject=decision_id))


@curate_app.command("list")
def curate_list(
    history: Annotated[bool, typer.Option("--all", help="Every line, with what superseded or retracted it")] = False,
    fmt: _Format = "table",
) -> None:
    """The decisions in force (or the whole history), and documents still waiting to be redone. A reject of
    one evidence in force that does nothing in the graph is marked, and said (E176, E177)."""
    from kg.curation import Curation, describe
    from kg.curator import idle_evidence
    from kg.ledger import Ledger

    s = settings()
    cur = Curation.load(s.curation_path)
    effective, ended = cur.effective(), cur.ended_by()
    stale = []
    if s.ledger_path.exists():
        with Ledger(s.ledger_path) as ledger:
            stale = ledger.stale()
    idle = {}
    if cur.evidence_decisions() and s.ledger_path.exists() and not stale:  # the graph is what the file says
        with _graph() as store:
            idle = idle_evidence(store, cur)
    rows = [{"id": d.id, "date": d.date, "author": d.author, "decision": describe(d), "reason": d.reason,
             **({"status": "in force" if d.id in effective else
                 (f"ended by {ended[d.id]}" if d.id in ended else "-")} if history else {}),
             **({"does nothing": idle[d.id].code if d.id in idle else ""} if idle else {})}
            for d in (cur.history if history else effective.values())]
    _print_rows(rows, fmt, title=f"{s.curation_path}: {len(effective)} decision(s) in force, "
                                 f"{len(cur.history)} line(s)")
    if fmt == "table":
        for problem in idle.values():
            _say(problem)
        if stale:
            console.print(f"{len(stale)} document(s) wait to be redone for curation: `medkg curate apply`")


@curate_app.command("apply")
def curate_apply() -> None:
    """Apply the curation file now (after editing it by hand or pulling it): touched edges are refreshed,
    touched documents redone from their inputs."""
    from kg.components import open_ledger
    from kg.curator import apply_curation

    s = settings()
    with _graph(write=True) as store, open_ledger(s, store) as ledger:
        result = apply_curation(s, store, ledger, key=_demo_key(s, create=False))
    console.print(f"{len(result.added)} new and {len(result.removed)} ended decision(s); {result.edges} edge(s) "
                  f"refreshed, {result.redone} document(s) redone, {result.concepts_deleted} concept node(s) "
                  f"removed; {len(result.pending)} document(s) still wait"
                  + (f" ({escape(_why_waiting(result))})" if result.pending else ""))
    _warn_left_out(result)


# -- query / stats ----------------------------------------------------------------------------
@app.command()
def query(
    cypher: Annotated[Optional[str], typer.Argument(help="A Cypher query (read-only unless --write)")] = None,
    saved: Annotated[Optional[str], typer.Option("--saved", help="Run a saved query from ontology/queries.cypher")] = None,
    param: Annotated[Optional[list[str]], typer.Option("--param", "-p", help=(
        "NAME=VALUE: the query parameter $NAME; repeat for each. VALUE is read as JSON: -p n=5 is the integer 5, "
        "-p x=0.5 a float, -p ok=true a boolean, -p v=null null, -p ids='[1, 2]' a list, -p m='{\"a\": 1}' a map, "
        "-p name='\"5\"' the text 5; a VALUE that is not JSON is the text as written (-p name=asthma). "
        "Numbers outside 64-bit integers or finite floats are refused (E762)"))] = None,
    fmt: _Format = "table",
    write: Annotated[bool, typer.Option("--write", help="Allow CREATE/MERGE/SET/DELETE")] = False,
    list_saved: Annotated[bool, typer.Option("--list", help="List the saved queries")] = False,
) -> None:
    """Run Cypher against the graph. Example: `medkg query --saved top_diseases`."""
    from kg.graph.saved import load_saved_queries

    queries = load_saved_queries()
    if list_saved:
        _print_rows([{"name": q.name, "description": q.description, "parameters": q.parameters} for q in queries.values()])
        return
    if saved:
        if saved not in queries:
            raise QueryError(Errors.E760, name=saved, names=", ".join(queries))
        if cypher:  # one of the two would be ignored silently
            raise typer.BadParameter("give a CYPHER query or --saved NAME, not both")
        cypher = queries[saved].cypher
    if not cypher:
        raise typer.BadParameter("give a CYPHER query or --saved NAME (see --list)")
    params = {}
    for p in param or []:
        key, sep, value = p.partition("=")
        if not sep:
            raise typer.BadParameter(f"--param {p!r} must be key=value")
        params[key] = _parse_value(value, key)
    if saved and (missing := [p for p in queries[saved].parameters if p not in params]):
        raise QueryError(Errors.E761, name=saved, missing=", ".join(missing),
                         example=" ".join(f"-p {p}=VALUE" for p in missing))
    if saved and (unused := [p for p in params if p not in queries[saved].parameters]):  # a typo in a name
        raise typer.BadParameter(f"saved query {saved} takes no parameter {', '.join(unused)} "
                                 f"(it takes: {', '.join(queries[saved].parameters) or 'none'})")
    with _graph(write=write, existing=not write) as store:  # a --write query may build a graph from nothing
        rows = store.query(cypher, params, write=write)
    _print_rows(rows[:QUERY_TABLE_ROWS] if fmt == "table" else rows, fmt)
    if fmt == "table" and len(rows) > QUERY_TABLE_ROWS:
        err.print(f"note: {len(rows) - QUERY_TABLE_ROWS:,} of the {len(rows):,} rows are not shown: the table "
                  f"shows the first {QUERY_TABLE_ROWS:,}; `--format json` writes every row, or add a LIMIT to the query",
                  markup=False, highlight=False, soft_wrap=True)
    if saved and not rows:
        _hint_concept_ids(queries[saved], params)


# A saved query's parameter matched against concept ids (ontology/queries.cypher): `(d:Concept {id: $disease})`,
# `c.id = $xref`; not a patient's `(p:Patient {id: $patient})`.
_CONCEPT_ID_PARAM = re.compile(r"(?:Concept\s*\{\s*id:\s*|\bc\.id\s*=\s*)\$([A-Za-z_][A-Za-z0-9_]*)")


def _hint_concept_ids(query, params: dict) -> None:
    """A saved query that found nothing was perhaps given a concept's name where it takes its id
    (`-p disease=asthma`): say so on stderr, and how to find the id."""
    from kg.models import validate_curie

    for name in sorted(set(_CONCEPT_ID_PARAM.findall(query.cypher))):
        value = params.get(name)
        if isinstance(value, str) and not validate_curie(value):
            word = value.replace("'", "").replace("\\", "").lower()
            err.print(f"note: {name} takes a concept id (PREFIX:LOCAL, such as MESH:D003924, NCBIGene:7157 or "
                      f"HP:0001250), not a name like {value!r}; find the id with `medkg query \"MATCH (c:Concept) "
                      f"WHERE toLower(c.name) CONTAINS '{word}' RETURN c.id, c.name, c.type LIMIT 20\"`",
                      markup=False, highlight=False, soft_wrap=True)


def _parse_value(value: str, name: str):
    """A ``-p`` value as JSON (a number, a list, a map...), else as the text it is. A number the graph
    cannot hold, at any depth, is refused (E762) rather than clamped to 64 bits or sent as inf/NaN."""
    import math

    refused: list[tuple[str, str]] = []  # raised once the whole value is read: "1e400x" is text, not a number

    def integer(text: str) -> int:
        # JSON has no leading zeros: a longer text is out of range, and int() refuses 4,300 digits and more
        if len(text) > len(str(-2**63)) or not -2**63 <= int(text) < 2**63:
            refused.append((text if len(text) <= 40 else f"{text[:20]}...({len(text)} digits)",
                            "outside the 64-bit integer range the graph stores"))
            return 0
        return int(text)

    def number(text: str) -> float:
        if not math.isfinite(float(text)):
            refused.append((text, "not a finite number"))
        return float(text)

    def constant(text: str) -> float:  # NaN, Infinity, -Infinity
        refused.append((text, "not a finite number"))
        return float(text)

    try:
        parsed = json.loads(value, parse_int=integer, parse_float=number, parse_constant=constant)
    except json.JSONDecodeError:
        return value
    if refused:
        raise QueryError(Errors.E762, name=name, text=refused[0][0], why=refused[0][1])
    return parsed


@app.command()
def stats(
    runs: Annotated[int, typer.Option("--runs", min=0, help="List the N most recent runs of the ledger (0: none)")] = 5,
) -> None:
    """Counts of nodes and relationships in the graph, and of documents in the ledger, with a warning
    when the ledger describes another graph (E804) or lists documents the graph does not hold (E805);
    then the ledger's most recent runs, newest first: when, what they read, how they ended, what they counted."""
    from kg.ledger import Ledger, describe_graph

    s = settings()
    counts: dict = {}
    if (missing := _missing_graph(s)) is None:
        with _graph() as store:
            if (missing := store.missing_graph()) is None:
                counts = store.counts()
    if missing is not None and not s.ledger_path.exists():  # with a ledger, E804 or E805 explains it
        raise ArgumentError(Errors.E011, where=f"data dir {s.data_dir}", why=missing)
    if missing is None:
        rows = [{"kind": "nodes", "name": k, "count": v} for k, v in sorted(counts.get("nodes", {}).items())]
        rows += [{"kind": "relationships", "name": k, "count": v}
                 for k, v in sorted(counts.get("relationships", {}).items())]
        _print_rows(rows, title=f"graph ({s.store}, {s.data_dir})")
    else:  # not there (the ledger says more): nothing is counted, and no empty graph is made
        console.print(f"graph ({s.store}, {escape(str(s.data_dir))}): none, {missing}", highlight=False)
    if s.ledger_path.exists():
        with Ledger(s.ledger_path) as ledger:
            problem = ledger.graph_problem(s.graph_identity, counts.get("nodes", {}).get("Document", 0))
            described, ledger_counts, recent = ledger.graph(), ledger.counts(), ledger.runs(runs)
        _print_rows([{"status": k, "documents": v} for k, v in sorted(ledger_counts.items())], title="ledger")
        console.print(f"the ledger describes {escape(describe_graph(described)) if described else 'no graph yet'}",
                      highlight=False, soft_wrap=True)
        if runs:
            _print_rows([_run_row(run) for run in recent], title="runs (newest first)")
        if problem is not None:
            _say(problem)


_PUBMED_FILES = (".xml", ".xml.gz")


def _run_source(command: str, inputs: list[str]) -> str:
    """pubmed or notes: the source a run's command names; a curate run's is PubMed when it read PubMed XML."""
    if "notes" not in command and ("pubmed" in command or command == "demo" or inputs and all(
            i.lower().endswith(_PUBMED_FILES) for i in inputs)):
        return "pubmed"
    return "notes"


def _run_row(run: dict) -> dict:
    """A run of :meth:`kg.ledger.Ledger.runs` as `medkg stats` lists it. A notes input is shown when it is a
    CSV or a folder here, else as "notes": a note's file name is shown nowhere."""
    from kg.ledger import RunSummary
    from kg.sources.notes import is_csv

    command, inputs = run["command"], json.loads(run["inputs"])
    source = _run_source(command, inputs)
    shown = [i if source == "pubmed" or is_csv(Path(i)) or Path(i).is_dir() else "notes" for i in inputs]
    counts = {}
    if run["summary"]:  # none for an unfinished run
        counts = RunSummary.model_validate_json(run["summary"]).model_dump(exclude={"run_id", "seconds", "interrupted"})
    return {"run": run["run_id"], "started": run["started_at"], "finished": run["finished_at"], "status": run["state"],
            "command": command, "source": source,
            "input": ", ".join(shown[:3]) + (f" (+{len(shown) - 3} more)" if len(shown) > 3 else ""),
            "counts": ", ".join(f"{k} {v:,}" for k, v in counts.items() if v or k == "read")}


# -- demo -------------------------------------------------------------------------------------
DEMO_FILE = "pubmed/pubmed20n0014.xml.gz"
DEMO_NOTES = "notes/aci-bench/valid.csv"


def _demo_key(s: Settings, *, create: bool = True) -> bytes | None:
    """MEDKG_PSEUDONYM_KEY if set; else a random key kept in the data dir, so demo re-runs stay idempotent.

    ``create=False`` only reads: the key notes were pseudonymised with, if this machine has it (to redo
    notes for curation), else None.
    """
    import secrets

    from kg.privacy import load_key

    if s.pseudonym_key:
        return load_key(s)
    path = s.data_dir / "demo-pseudonym.key"
    if not path.exists():
        if not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


@app.command()
def demo(
    limit: Annotated[
        int, typer.Option("--limit", min=0, help="Ingest the first N citations that have abstracts (0 = all 30,000 citations)")
    ] = 2000,
    file: Annotated[Optional[Path], typer.Option("--file", help="PubMed XML to use instead of the shared baseline file")] = None,
    notes: Annotated[
        bool, typer.Option("--notes/--no-notes", help="Also ingest the 20 ACI-Bench validation notes (assertion demo)")
    ] = True,
    workers: _Workers = None,
) -> None:
    """The main job on the embedded graph: ingest a real PubMed baseline file (and clinical notes),
    then answer saved Cypher queries."""
    _set_workers(workers)
    from kg.graph.saved import load_saved_queries
    from kg.models import Document
    from kg.sources.pubmed import iter_pubmed

    path = file or settings().shared_data / DEMO_FILE
    if not path.exists():
        raise SourceError(Errors.E205, path=path)
    started = time.perf_counter()
    items = iter_pubmed(path)
    if limit:
        # Title-only citations are left out of the default demo; quarantined records are kept so they are counted.
        items = islice((i for i in items if not isinstance(i, Document) or i.metadata.get("has_abstract")), limit)
    console.rule(f"medkg demo: {path.name}, {'first %d citations with abstracts' % limit if limit else 'all citations'}")
    _run_ingest(items, source_name="pubmed", command="demo", inputs=[str(path)], total=limit or None)
    queries = load_saved_queries()
    with _graph() as store:
        top = store.query(queries["top_diseases"].cypher)
        _print_rows(top, title="1. " + queries["top_diseases"].description)
        if top:
            disease = top[0]["id"]
            q = queries["chemicals_for_disease"]
            _print_rows(store.query(q.cypher, {"disease": disease}), title=f"2. {q.description} ({top[0]['disease']})")
        q = queries["strongest_chemical_disease"]
        _print_rows(store.query(q.cypher), title="3. " + q.description)
    if notes:
        _demo_notes(queries)
    console.print(
        f"demo finished in {time.perf_counter() - started:,.1f} s, peak RSS {_peak_rss_mb():,.0f} MB. "
        f"Explore: `medkg query --list`, `medkg stats`."
    )


def _demo_notes(queries) -> None:
    from kg.sources.notes import iter_notes

    s = settings()
    path = s.shared_data / DEMO_NOTES
    if not path.exists():
        err.print(f"[yellow]skipping the notes step: {path} not found[/yellow]")
        return
    console.rule(f"medkg demo: clinical notes {path.name} (pseudonymised; note text is not stored)")
    key = _demo_key(s)
    _run_ingest(iter_notes(path, key=key), source_name="note", command="demo notes", inputs=[str(path)], key=key)
    with _graph() as store:
        negated = store.query(
            "MATCH (n:Note)-[m:MENTIONS]->(c:Concept) WHERE m.assertion = 'negated' "
            "RETURN c.id AS id, c.name AS finding, count(n) AS notes ORDER BY notes DESC, id LIMIT 5"
        )
        _print_rows(negated, title="4. Findings most often negated in notes (\"denies fever\")")
        if negated:
            q = queries["assertion_counts"]
            _print_rows(store.query(q.cypher, {"concept": negated[0]["id"]}),
                        title=f"5. {q.description} ({negated[0]['finding']})")


def main() -> None:
    try:
        app()
    except MedkgError as exc:
        _say(exc, out=err, kind="error")
        sys.exit(2)


if __name__ == "__main__":
    main()
