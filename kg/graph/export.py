"""Export the graph for tools that do not speak medkg: Neo4j's bulk importer, and KGX.

``export_neo4j_admin`` writes one CSV per node type and relationship type with typed headers,
plus IMPORT.md with the exact ``neo4j-admin database import full`` command: for a whole PubMed
baseline, where transactional MERGE into Neo4j is too slow. ``export_kgx`` writes KGX TSV
(Biolink categories and the predicates of ontology/schema.yaml) for other KG tools: what
publications state, with neither clinical notes nor what only they hold, and no edge that no
scored evidence supports.

Both read any GraphStore page by page (keyset pagination on node keys) and spool to disk, so
memory stays flat however large the graph is. The neo4j-admin export copies every property, so
it carries the curation state as it is (``rejected``, ``confirmed``, ``curation_status``,
``curation`` on edges and evidence, ``aliases`` on concepts): an imported graph is the curated one.
It carries retraction the same way (``retracted`` on evidence and documents, ``retracted_count`` on
edges, whose ``evidence_count`` and ``doc_count`` include retracted papers as the graph's do); KGX has
no column for it, so the KGX export leaves retracted papers out of an edge's publications and counts.
An empty string stays apart from no value: it is written ``""``, which neo4j-admin imports as ``''``,
where an empty field imports as no property. An empty list cannot: neo4j-admin stores no empty array,
so a ``[]`` (written ``""`` too) imports as no property; IMPORT.md says so and counts them (:data:`EMPTY_LISTS`).

Both write into a temporary folder inside ``outdir`` and move the finished files into place, so a
failure leaves the files of an earlier export as they were, never a mix of two exports. A file of
the export that cannot be replaced (a folder or a link in its place) is refused before any work (E004).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import ArgumentError, Errors, MedkgError
from kg.graph import cypher
from kg.graph.base import GraphStore
from kg.graph.schema import Schema
from kg.models import UNSCORED_ASSERTIONS

PAGE_SIZE = 10_000
# neo4j-admin splits array properties on this character: the ASCII unit separator never occurs in
# medkg's text, unlike the default ';' (synonyms, titles).
ARRAY_DELIMITER = "\x1f"
ARRAY_DELIMITER_OPTION = "U+001F"
# How neo4j-admin reads a field (Neo4j 5, org.neo4j.csv.reader.Extractors and CsvInputParser): an empty
# field is no value, so no property; a quoted empty one ("") is the empty string unless
# --ignore-empty-strings=true, which the command rules out. An array column is the exception: the
# importer skips every empty array ("" included; neo4j/neo4j#4299, #13566), so an empty list cannot be
# imported. The export writes it "" all the same (the file keeps it apart from no value), and IMPORT.md
# tells how it reads after the import.
EMPTY_LISTS = """neo4j-admin stores no empty list: it skips an empty array whatever its field holds (Neo4j
issue 13566). So a property that holds `[]` in medkg's graph (a concept without synonyms, a document
without chemicals) is written `""` and imports as no property; read it as `coalesce(n.synonyms, [])`."""
BIOLINK_CATEGORIES = {
    "Chemical": "biolink:ChemicalEntity",
    "Disease": "biolink:Disease",
    "Gene": "biolink:Gene",
    "Variant": "biolink:SequenceVariant",
    "Species": "biolink:OrganismTaxon",
    "CellLine": "biolink:CellLine",
    "Finding": "biolink:PhenotypicFeature",
}
# What kind of knowledge each predicate is, in Biolink's terms: co-mention is a statistic of the
# corpus; the extracted relations are claims the text makes.
KNOWLEDGE_LEVEL = {"CO_OCCURS_WITH": "statistical_association"}
KGX_NODE_COLUMNS = ("id", "category", "name", "synonym", "xref", "provided_by", "publication_year", "journal",
                    "same_as")
KGX_EDGE_COLUMNS = (
    "id", "subject", "predicate", "object", "category", "knowledge_level", "agent_type",
    "primary_knowledge_source", "publications", "evidence_count", "doc_count", "max_score", "combined_score",
    "affirmed_count", "negated_count", "curation_status",
)
# Curation in KGX: a confirmed edge was checked by a person (Biolink's agent type for that); a
# rejected one is not knowledge, so it is left out (and counted); a merged id is the kept node's same_as.
CONFIRMED_AGENT = "manual_validation_of_automated_agent"
# What export_kgx leaves out, as its summary counts it (summary.skipped keys).
REJECTED = "edges rejected by curation (all their evidence rejected)"
NOTES_ONLY = "edges only clinical notes support (private)"
NOTE_CONCEPTS = "concepts no publication mentions (only clinical notes: private)"
# An edge without scored evidence in publications is left out rather than flagged: KGX has no
# standard slot for "retracted" or "negated", and a consumer that ignores an extra column would read
# the row as an assertion of the predicate.
RETRACTED_ONLY = "edges resting only on retracted papers (no scored evidence)"
UNSCORED = "edges with no scored evidence in publications (only negated, hypothetical or family-history sentences)"
KGX_SOURCE = "infores:medkg"
PUBLICATION_PREFIX = "PMID:"
KGX_FILES = ("nodes.tsv", "edges.tsv")


@dataclass
class ExportSummary:
    outdir: Path
    rows: dict[str, int] = field(default_factory=dict)  # file name -> data rows written
    skipped: dict[str, int] = field(default_factory=dict)  # what was left out, and why (as the key)
    command: str | None = None
    # neo4j-admin only: file -> {property: rows holding an empty list}, which import as no property
    empty_lists: dict[str, dict[str, int]] = field(default_factory=dict)


def neo4j_admin_files(schema: Schema) -> list[str]:
    """The files ``export_neo4j_admin`` writes, IMPORT.md last."""
    return ([f"nodes_{t}.csv" for t in schema.nodes] + [f"relationships_{r}.csv" for r in schema.relationships]
            + ["IMPORT.md"])


def check_targets(outdir: Path, names: list[str] | tuple[str, ...]) -> None:
    """E004 naming the first file of an export that could not be replaced: a folder, or a link (dangling or
    not: the export replaces its files and never writes through a link), in its place."""
    for name in names:
        path = Path(outdir) / name
        if path.is_symlink():
            raise ArgumentError(Errors.E004, path=path,
                                error=f"it is a symbolic link (to {os.readlink(path)}); remove it or choose another folder")
        if path.is_dir():
            raise ArgumentError(Errors.E004, path=path, error="it is a folder; remove it or choose another folder")


@contextmanager
def _staged(outdir: Path, names: list[str] | tuple[str, ...]) -> Iterator[Path]:
    """A temporary folder inside ``outdir`` (same filesystem) to write ``names`` into; once all are written
    they replace ``outdir``'s, in order. On a failure the folder is removed and ``outdir`` is left as it was:
    an OSError while writing is E009, not a traceback beside a half-written export."""
    outdir.mkdir(parents=True, exist_ok=True)
    check_targets(outdir, names)
    staging = Path(tempfile.mkdtemp(prefix=".medkg-export-", dir=outdir))
    try:
        try:
            yield staging
        except OSError as exc:
            raise MedkgError(Errors.E009, path=outdir, error=exc.strerror or exc) from exc
        for name in names:
            try:
                os.replace(staging / name, outdir / name)
            except OSError as exc:
                raise ArgumentError(Errors.E004, path=outdir / name, error=exc.strerror or exc) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _pages(store: GraphStore, statement: str, cursor: str, page_size: int) -> Iterator[list[dict]]:
    """Pages of a keyset-paginated statement; ``cursor`` is the column that orders it."""
    after = ""
    while True:
        rows = store.query(statement, {"after": after, "limit": page_size})
        if not rows:
            return
        yield rows
        starts = {r[cursor] for r in rows}
        if len(starts) < page_size:
            return
        after = rows[-1][cursor]


def iter_nodes(store: GraphStore, node_type: str, page_size: int = PAGE_SIZE) -> Iterator[dict]:
    """Rows {key, labels, props} of every node of a schema node type, by key."""
    for page in _pages(store, cypher.export_nodes(store.schema, node_type), "key", page_size):
        yield from page


def iter_relationships(store: GraphStore, rel_type: str, page_size: int = PAGE_SIZE) -> Iterator[dict]:
    """Rows {start, end, props} of every relationship of a schema type."""
    for page in _pages(store, cypher.export_relationships(store.schema, rel_type), "start", page_size):
        yield from (r for r in page if r["end"] is not None)


# ------------------------------------------------------------------------------ neo4j-admin

_SCALAR_TYPES = ((bool, "boolean"), (int, "long"), (float, "double"), (str, "string"))


def _type_of(value: Any) -> str | None:
    """neo4j-admin header type of a property value; None for an empty list (no evidence either way)."""
    if isinstance(value, list):
        kinds = {_type_of(v) for v in value}
        if not kinds:
            return None
        kind = kinds.pop() if len(kinds) == 1 else "string"
        return f"{kind}[]" if kind and not kind.endswith("[]") else "string"
    for py, name in _SCALAR_TYPES:
        if isinstance(value, py):
            return name
    return "string"


def _merge_types(a: str | None, b: str | None) -> str | None:
    if a is None or a == b:
        return b
    if b is None:
        return a
    if {a, b} == {"long", "double"}:
        return "double"
    if {a, b} == {"long[]", "double[]"}:
        return "double[]"
    return "string"  # mixed: written as text (lists as JSON) rather than lost


def _cell(value: Any, kind: str) -> str | None:
    """The text of a property value in a column of type ``kind``; None for no value (an empty field).
    An empty list is '' (as is a list of one empty string: neither can be imported, see EMPTY_LISTS)."""
    if value is None:
        return None
    if kind.endswith("[]"):
        return ARRAY_DELIMITER.join(_cell(v, kind[:-2]) or "" for v in value)
    if kind == "string" and isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _field(text: str | None) -> str:
    """One CSV field. No value is an empty field, which neo4j-admin imports as no property; an empty
    string is quoted (``""``), which it imports as one. Others are quoted where Python's csv module
    quotes them (a comma, a quote, a newline) and where they hold a carriage return, which neo4j-admin
    reads as the end of the record when it is bare (csv with lineterminator '\\n' leaves it bare)."""
    if text is None:
        return ""
    if not text or "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _texts(values: list[Any]) -> list[str | None]:
    return [None if v is None else str(v) for v in values]


def _csv_line(cells: list[str | None]) -> str:
    return ",".join([_field(c) for c in cells]) + "\n"


class _TypedCsv:
    """Spools rows to JSON lines while learning each column's type, then writes the typed CSV."""

    def __init__(self, path: Path, fixed: list[str], tmp: Path) -> None:
        self.path, self.fixed = path, fixed
        self.types: dict[str, str | None] = {}
        self.rows = 0
        self.empty_lists: dict[str, int] = {}  # property -> rows whose list is written empty (imports as none)
        self._spool_path = tmp / (path.name + ".jsonl")
        self._spool = self._spool_path.open("w", encoding="utf-8")

    def add(self, fixed: list[Any], props: dict[str, Any]) -> None:
        for k, v in props.items():
            self.types[k] = _merge_types(self.types.get(k), _type_of(v))
        self._spool.write(json.dumps([fixed, props], ensure_ascii=False) + "\n")
        self.rows += 1

    def write(self, trailer: str | None = None) -> None:
        self._spool.close()
        props = {k: t or "string[]" for k, t in self.types.items()}
        header = self.fixed + [f"{k}:{t}" for k, t in props.items()] + ([trailer] if trailer else [])
        arrays = [k for k, t in props.items() if t.endswith("[]")]
        with self.path.open("w", encoding="utf-8", newline="") as out, self._spool_path.open(encoding="utf-8") as spool:
            out.write(_csv_line(header))
            for line in spool:
                fixed, values = json.loads(line)
                extra = [fixed.pop()] if trailer else []
                cells = {k: _cell(values.get(k), t) for k, t in props.items()}
                for k in arrays:
                    if cells[k] == "":
                        self.empty_lists[k] = self.empty_lists.get(k, 0) + 1
                out.write(_csv_line(_texts(fixed) + list(cells.values()) + _texts(extra)))
        self._spool_path.unlink()


def export_neo4j_admin(store: GraphStore, outdir: Path, *, database: str = "neo4j",
                       page_size: int = PAGE_SIZE) -> ExportSummary:
    """Node and relationship CSVs for ``neo4j-admin database import full``, and IMPORT.md with the command.

    Each node type is its own ID space (``id:ID(Document)``), so a document and a concept can
    never be confused; labels go in a ``:LABEL`` column (Concept plus its type label).
    """
    outdir = Path(outdir)
    schema = store.schema
    summary = ExportSummary(outdir)
    node_files, rel_files = [], []
    with _staged(outdir, neo4j_admin_files(schema)) as staging, \
            tempfile.TemporaryDirectory(prefix="medkg-export-") as tmp:
        for node_type, spec in schema.nodes.items():
            f = _TypedCsv(staging / f"nodes_{node_type}.csv", [f"{spec.key}:ID({node_type})"], Path(tmp))
            for row in iter_nodes(store, node_type, page_size):
                props = {k: v for k, v in row["props"].items() if k != spec.key}
                f.add([row["key"], ARRAY_DELIMITER.join(sorted(row["labels"]))], props)
            f.write(":LABEL")
            node_files.append(f.path.name)
            summary.rows[f.path.name] = f.rows
            if f.empty_lists:
                summary.empty_lists[f.path.name] = f.empty_lists
        for rel_type, spec in schema.relationships.items():
            fixed = [f":START_ID({spec.source})", f":END_ID({spec.target})"]
            f = _TypedCsv(staging / f"relationships_{rel_type}.csv", fixed, Path(tmp))
            for row in iter_relationships(store, rel_type, page_size):
                f.add([row["start"], row["end"], rel_type], row["props"] or {})
            f.write(":TYPE")
            rel_files.append(f.path.name)
            summary.rows[f.path.name] = f.rows
            if f.empty_lists:
                summary.empty_lists[f.path.name] = f.empty_lists
        # absolute: the command must work from any folder, not only the one the export ran in
        summary.command = import_command(outdir.resolve(), node_files, rel_files, database)
        docker = import_command(Path("/import"), node_files, rel_files, database)
        (staging / "IMPORT.md").write_text(_import_md(summary, summary.command, docker), encoding="utf-8")
    return summary


def import_command(folder: Path, node_files: list[str], rel_files: list[str], database: str) -> str:
    """The Neo4j 5 bulk import command for these files (the database must be stopped or new).

    The database name comes right after ``full``, before the options: since Neo4j 5.19 the
    importer reads a name after ``--relationships=…`` as one more file ("File 'neo4j' doesn't exist").
    """
    parts = [  # quoted for the shell: an export folder may be "my export (v2)"
        f"neo4j-admin database import full {shlex.quote(database)}",
        "--overwrite-destination=true",
        "--id-type=string",
        f"--array-delimiter={ARRAY_DELIMITER_OPTION}",
        "--ignore-empty-strings=false",  # the default, pinned: "" is an empty string, not no value
        "--multiline-fields=true",
        "--bad-tolerance=0",
    ]
    parts += [f"--nodes={shlex.quote(str(folder / n))}" for n in node_files]
    parts += [f"--relationships={shlex.quote(str(folder / r))}" for r in rel_files]
    return " \\\n  ".join(parts)


def _import_md(summary: ExportSummary, command: str, docker: str) -> str:
    counts = "\n".join(f"| {name} | {n:,} |" for name, n in summary.rows.items())
    empties = "\n".join(f"| {name} | {prop} | {n:,} |" for name, props in summary.empty_lists.items()
                        for prop, n in props.items())
    empties = (f"In this export:\n\n| file | property | rows with an empty list |\n|---|---|---|\n{empties}" if empties
               else "This export holds no empty list.")
    return f"""# Bulk load into Neo4j

Written by `medkg export neo4j-admin`. The import builds a new database offline (much faster than
transactional MERGE for a whole PubMed baseline). It replaces the target database's contents.

| file | rows |
|---|---|
{counts}

## Empty values

A property with no value is an empty field and imports as no property. An empty string is written
`""` and imports as an empty string (`--ignore-empty-strings=false`).

{EMPTY_LISTS}

{empties}

## Neo4j installed locally (stop it first: `neo4j stop`)

```bash
{command}
```

## docker compose (docker/compose.yaml mounts this folder as /import via MEDKG_IMPORT_DIR)

```bash
docker compose -f docker/compose.yaml stop neo4j
MEDKG_IMPORT_DIR={shlex.quote(str(summary.outdir.resolve()))} docker compose -f docker/compose.yaml run --rm --no-deps neo4j \\
  {docker.replace(chr(10), chr(10) + "  ")}
docker compose -f docker/compose.yaml up -d neo4j
```

Then create medkg's constraints and indexes (the importer makes none) and check the counts:

```bash
MEDKG_STORE=neo4j NEO4J_URI=neo4j://localhost:7687 NEO4J_PASSWORD=... medkg stats
```
"""


# -------------------------------------------------------------------------------------- KGX

def _tsv(value: Any) -> str:
    """KGX TSV has no quoting: tabs and newlines become spaces, and '|' separates multiple values, so a
    '|' inside one value (a title "A | B") becomes '/': KGX readers split any cell on '|'."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(_tsv(v) for v in value)
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value).replace("\t", " ").replace("\r", " ").replace("\n", " ").replace("|", "/")


class _TsvWriter:
    def __init__(self, fh: Any) -> None:
        self._fh = fh

    def writerow(self, values: Any) -> None:
        self._fh.write("\t".join(_tsv(v) for v in values) + "\n")


def _category(labels: list[str]) -> str:
    for label in labels:
        if label in BIOLINK_CATEGORIES:
            return BIOLINK_CATEGORIES[label]
    return "biolink:NamedThing"


def export_kgx(store: GraphStore, outdir: Path, *, page_size: int = PAGE_SIZE) -> ExportSummary:
    """``nodes.tsv`` (concepts and publications) and ``edges.tsv`` (every Evidence-backed triple type).

    Evidence nodes are folded into each edge's ``publications`` and counts; clinical notes are
    never exported (they are private and not publications), so neither are edges' note ids, the
    edges only notes support, nor the concepts only notes mention (a cohort's diagnoses).
    An edge with no scored evidence in publications (only retracted papers, or only negated,
    hypothetical or family-history sentences) is left out too. ``summary.skipped`` counts
    everything left out, by reason.
    Curation: rejected edges and evidence are left out, confirmed edges say so (``agent_type``,
    ``curation_status``), and a concept's merged ids are its ``same_as``.
    """
    outdir = Path(outdir)
    summary = ExportSummary(outdir)
    with _staged(outdir, KGX_FILES) as staging:
        _write_kgx(store, staging, summary, page_size)
    return summary


def _write_kgx(store: GraphStore, outdir: Path, summary: ExportSummary, page_size: int) -> None:
    schema = store.schema
    with (outdir / "nodes.tsv").open("w", encoding="utf-8", newline="") as fh:
        w = _TsvWriter(fh)
        w.writerow(KGX_NODE_COLUMNS)
        n = 0
        for page in _pages(store, cypher.export_nodes(schema, "Concept"), "key", page_size):
            published = {r["id"] for r in store.query(cypher.CONCEPTS_PUBLICATIONS_MENTION,
                                                       {"ids": [row["key"] for row in page]})}
            for row in page:
                if row["key"] not in published:
                    _skip(summary, NOTE_CONCEPTS)
                    continue
                p = row["props"]
                w.writerow((row["key"], _category(row["labels"]), p.get("name"), p.get("synonyms"), p.get("xrefs"),
                            KGX_SOURCE, None, None, p.get("aliases")))
                n += 1
        skipped_notes = 0
        for row in iter_nodes(store, "Document", page_size):
            p = row["props"]
            if p.get("source") == "note":
                skipped_notes += 1
                continue
            w.writerow((row["key"], "biolink:Publication", p.get("title"), None, None, KGX_SOURCE, p.get("year"),
                        p.get("journal"), None))
            n += 1
    summary.rows["nodes.tsv"] = n
    if skipped_notes:
        summary.skipped["clinical notes (private, not publications)"] = skipped_notes

    with (outdir / "edges.tsv").open("w", encoding="utf-8", newline="") as fh:
        w = _TsvWriter(fh)
        w.writerow(KGX_EDGE_COLUMNS)
        n = 0
        for rel_type in schema.triple_types:
            spec = schema.relationships[rel_type]
            if not spec.biolink:
                summary.skipped[f"{rel_type} (no biolink predicate in schema.yaml)"] = 1
                continue
            page: list[dict] = []
            for row in iter_relationships(store, rel_type, page_size):
                if row["props"].get("evidence_count") is None:  # rejected: kept in the graph for audit only
                    _skip(summary, REJECTED)
                    continue
                page.append(row)
                if len(page) >= page_size:
                    n += _write_edges(store, w, rel_type, spec.biolink, page, summary)
                    page = []
            n += _write_edges(store, w, rel_type, spec.biolink, page, summary)
    summary.rows["edges.tsv"] = n


def _skip(summary: ExportSummary, reason: str) -> None:
    summary.skipped[reason] = summary.skipped.get(reason, 0) + 1


def _write_edges(store: GraphStore, w: _TsvWriter, rel_type: str, predicate: str, rows: list[dict],
                 summary: ExportSummary) -> int:
    """The edges of ``rows`` that a publication supports, with their counts and scores over the
    publications alone (:func:`publication_figures`); those clinical notes alone support are left
    out (counted in ``summary.skipped``): notes are private, and so is what only they state. So are
    those whose publications hold no scored evidence: no max_score means no claim."""
    if not rows:
        return 0
    evidence: dict[str, list[dict]] = {}
    for e in store.query(cypher.EVIDENCE_FIGURES_OF_TRIPLES, {"keys": [r["props"]["key"] for r in rows]}):
        evidence.setdefault(e["key"], []).append(e)
    level = KNOWLEDGE_LEVEL.get(rel_type, "knowledge_assertion")
    written = 0
    for r in rows:
        p = r["props"]
        found = evidence.get(p["key"], [])
        figures = publication_figures(found)
        if figures is None:
            _skip(summary, NOTES_ONLY)
            continue
        if figures[3] is None:  # max_score: nothing scored
            papers = [e for e in found if _is_publication(e["doc"])]
            _skip(summary, RETRACTED_ONLY if all(e.get("retracted") for e in papers) else UNSCORED)
            continue
        written += 1
        agent = CONFIRMED_AGENT if p.get("confirmed") else "text_mining_agent"
        w.writerow((p["key"], r["start"], predicate, r["end"], "biolink:Association", level, agent,
                    KGX_SOURCE, *figures, p.get("curation_status")))
    return written


def _is_publication(doc_id: object) -> bool:
    return str(doc_id).startswith(PUBLICATION_PREFIX)


def publication_figures(evidence: list[dict]) -> tuple | None:
    """``(publications, evidence_count, doc_count, max_score, combined_score, affirmed, negated)`` of
    an edge over the evidence read in publications (``PMID:`` documents) that are not retracted, by
    the rule the graph's aggregates follow over all documents (``cypher._AGGREGATE``: a document
    counts once at its best score; negated, hypothetical or family-history sentences are counted but
    not scored, so an edge with nothing else has max_score None and combined_score 0; combined is
    the noisy-OR over documents); None when no publication supports it. An edge that papers and
    notes both support must not tell, through its counts, how many patients' notes state it.
    Retracted papers are left out of the publications and counts, not only the scores (the graph
    counts them, as ``retracted_count``): KGX has no column to say so, and a consumer would cite
    them; an edge resting only on them has no publications and max_score None."""
    papers = [e for e in evidence if _is_publication(e["doc"])]
    if not papers:
        return None
    papers = [e for e in papers if not e.get("retracted")]
    best: dict[str, float | None] = {}
    for e in papers:
        unscored = (e.get("assertion") or "affirmed") in UNSCORED_ASSERTIONS
        score = None if unscored else e.get("score")
        top = best.get(e["doc"])
        best[e["doc"]] = score if top is None else (top if score is None else max(top, score))
    scores = [s for s in best.values() if s is not None]
    combined = 1.0
    for s in scores:
        combined *= 1.0 - s
    return (sorted(best), len(papers), len(best), max(scores) if scores else None, 1.0 - combined,
            sum(e.get("assertion") == "affirmed" for e in papers), sum(e.get("assertion") == "negated" for e in papers))
