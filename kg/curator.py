"""Applying the curation file (``kg.curation``) to the graph and the ledger, now and on every later run.

Where each decision acts, so that the same input and the same file always give the same graph,
whatever the order of ingests and curations:

=============  =====================================================================================
decision       where it acts
=============  =====================================================================================
reject         in the graph. Each Evidence of a rejected edge (or the one rejected evidence) gets
               ``rejected: true`` and ``curation: <decision id>``; edge aggregates are computed
               from the evidence that is not rejected, and an edge left with none keeps its
               evidence for audit but loses its aggregates (so every read that selects triple edges
               by ``evidence_count`` skips it) and gets ``rejected: true``, ``curation_status:
               'rejected'``. Evidence reads (citations, KGX publications) skip rejected evidence.
               A reject of one evidence that names another edge than the one the evidence supports
               is left out (E174), checked against the graph on every apply. A reject of one
               evidence recorded with where it was read follows the sentence through a same_as
               (``Curation.evidence_key``); one that matches no evidence of an edge the graph holds,
               or whose mention a wrong_link moved, does nothing and is said (E177, E176).
confirm        in the graph: ``confirmed: true``, ``curation_status: 'confirmed'``; aggregates stay
               the model's.
same_as        in the chain (``kg.link.curated``): the alias id never reaches the graph; the kept
               concept gets ``aliases``. The alias's old node goes once nothing refers to it.
wrong_link     in the chain, after the linker: the surface form links to the right id, or to nothing.
=============  =====================================================================================

Edge decisions are flags: the graph can be set right at once (:meth:`GraphStore.refresh_curation`
on the edges a decision names), and every commit refreshes the curated edges it wrote. Link
decisions change what the whole chain after the linker sees, so the documents they touch are
annotated again (the graph cannot be patched into what a fresh ingest would give). Which
documents: for a new ``same_as``, those linked to the alias (the graph's MENTIONS); for a new
``wrong_link``, those linked to the wrong id with that surface form (MENTIONS ``texts``; a link
whose texts are not stored, as for notes, or are cut off, counts as touched); for a decision
taken back or superseded, those it changed (the ledger records this per document). Those
documents, and only those, are marked stale in the ledger and redone from the input of the run
that wrote them (the ledger records that too); a document whose input cannot be read again
(an E-utilities query, a moved file) stays stale and is redone the next time its source is
ingested. A new model version redoes documents through the same chain, so it obeys too.

The ledger keeps the decisions last applied, so :func:`apply_curation` knows what changed in
the file, whether ``medkg curate`` wrote it or a curator edited it and pulled it from git.
``medkg curate ...`` applies at once; ``medkg ingest`` and the flows apply what changed first.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.assemble import MAX_TEXTS_PER_LINK
from kg.components import build_curation, build_pipeline
from kg.config import Settings
from kg.curation import HEADER, NIL, Curation, Decision
from kg.errors import CurationError, Errors, OntologyError
from kg.graph import cypher
from kg.graph.base import GraphStore
from kg.graph.curation import triple_of
from kg.ledger import Ledger
from kg.models import Document, Triple
from kg.pipeline import Pipeline
from kg.sources import read_files
from kg.vocab.conceptstore import ConceptStore, store_path

log = logging.getLogger(__name__)
Build = Callable[..., Pipeline]


@dataclass
class Applied:
    """What :func:`apply_curation` did."""

    added: list[Decision] = field(default_factory=list)
    removed: list[Decision] = field(default_factory=list)
    edges: int = 0  # edges whose flags and aggregates were refreshed
    marked: int = 0  # documents newly marked to be redone
    redone: int = 0  # documents annotated again
    pending: list[dict] = field(default_factory=list)  # stale documents not redone: doc_id, source, why
    concepts_deleted: int = 0  # alias / wrong-link nodes nothing refers to any more
    left_out: list[CurationError] = field(default_factory=list)  # lines not applied, and why (E174): warnings
    # lines in force that do nothing (E176, E177) or link to an id nothing knows (E180), and why: warnings
    idle: list[CurationError] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.redone or self.concepts_deleted)


def refuse_missing_file(path: Path | None, ledger: Ledger) -> None:
    """E170 when decisions were applied to this graph and the curation file ``path`` does not exist: a typo
    in MEDKG_CURATION must not end them all, whether an apply would read no decision from it or a
    ``medkg curate`` command would start a new file there."""
    applied = ledger.curation_applied()
    if applied and path is not None and not Path(path).exists():
        raise CurationError(Errors.E170, path=path, count=len(applied), header=HEADER.replace("\t", "\\t"))


def apply_curation(settings: Settings, store: GraphStore, ledger: Ledger, *, key: bytes | None = None,
                   redo: bool = True, curation: Curation | None = None, build: Build = build_pipeline) -> Applied:
    """Bring the graph in line with the curation file; returns what it did.

    ``key``: the pseudonymisation key notes were read with (notes are redone only with it).
    ``redo=False`` marks the touched documents stale but leaves redoing them to a later run.
    ``build``: makes the pipeline that redoes documents (``kg.components.build_pipeline``'s signature).

    A reject of one evidence whose evidence, in the graph, supports another edge than the line names is
    left out (``Applied.left_out``, E174), as if the line were not in the file (no ingest or apply flags
    that evidence under the named edge; a flag an older medkg set from the line is cleared).

    Raises
    ------
    CurationError
        When decisions were applied to this graph and the curation file does not exist (E170).
    """
    cur = curation if curation is not None else build_curation(settings).current()
    refuse_missing_file(cur.path, ledger)
    applied = {k: Decision.model_validate_json(v) for k, v in ledger.curation_applied().items()}
    mismatched = _mismatched_evidence(store, cur)
    if mismatched:
        cur = cur.without(set(mismatched))
    effective = cur.effective()
    out = Applied(added=[d for k, d in effective.items() if k not in applied],
                  removed=[d for k, d in applied.items() if k not in effective],
                  left_out=[problem for problem, _ in mismatched.values()])
    for problem in out.left_out:
        log.warning("%s", problem)
    changed = out.added + out.removed
    # a left-out line's flag on its evidence, set by a version of medkg that did not check the edge, is cleared
    repair = [t for _, edges in mismatched.values() for t in edges]
    if changed or repair:
        docs = set()
        for d in out.added:
            docs |= _touched_by_new(store, cur, d) | _relinked_by(ledger, cur, effective.values(), d)
        docs |= ledger.documents_changed_by(d.id for d in out.removed if d.is_link)
        out.marked = ledger.mark_stale(sorted(docs))
        triples = list({t["triple_key"]: t for t in (*_named_edges(cur, changed), *repair)}.values())
        store.refresh_curation(cur, triples)
        out.edges = len(triples)
        ledger.set_curation_applied({k: d.model_dump_json() for k, d in effective.items()})
    if redo and (changed or out.marked or ledger.stale()):  # documents an earlier apply could not redo, too
        out.redone, orphans = redo_stale(settings, store, ledger, key=key, build=build)
        out.concepts_deleted += orphans
    link_changes = [d for d in changed if d.is_link]
    if link_changes or (redo and out.redone):
        kept = {d.object for d in link_changes if d.decision == "same_as"} | set(cur.aliases_of())
        store.refresh_curation(cur, (), sorted(kept))
        out.concepts_deleted += _delete_orphans(store, cur, link_changes)
    if out.changed or repair:
        store.refresh_statistics()
    out.pending = [{"doc_id": row["doc_id"], "source": row["source"], "why": _why_waiting(source, inputs, key)}
                   for (source, inputs), rows in _stale_by_input(ledger).items() for row in rows.values()]
    out.idle = ([] if out.pending else list(idle_evidence(store, cur).values())) + unknown_targets(settings, store, cur)
    for problem in out.idle:
        log.warning("%s", problem)
    return out


def _mismatched_evidence(store: GraphStore, cur: Curation) -> dict[str, tuple[CurationError, list[dict]]]:
    """Decision id -> (why it is left out, the edges to set right) for each reject of one evidence in force
    whose evidence the graph holds under another edge than the line names (ids read through same_as).

    Such a line is written by hand (``medkg curate reject --evidence`` names the edge from the graph). It
    flags nothing (``cypher.CURATION_REJECT_EVIDENCE`` matches the evidence under the named edge only, so
    an ingest's refresh cannot either); it is left out, with a warning, so that no line in force is one that
    does nothing. The edges to set right are those of an evidence the line flagged all the same, under a version of
    medkg that did not check the edge; else none. An evidence the graph does not hold (yet) is not checked.
    """
    out: dict[str, tuple[CurationError, list[dict]]] = {}
    decisions = cur.evidence_decisions().values()
    if not decisions:
        return out
    # one query for all of them: this runs before every ingest. The key as written: one the line computes
    # from where the evidence was read supports the named edge by construction
    keys = sorted(d.evidence for d in decisions)
    held_by = {e["key"]: e for e in store.query(cypher.CURATION_EVIDENCE, {"keys": keys})}
    for d in decisions:
        if (e := held_by.get(d.evidence)) is None:
            continue
        held = Triple(subject=e["subject"], predicate=e["predicate"], object=e["object"])
        actual = held.model_copy(update={"subject": cur.canonical(held.subject), "object": cur.canonical(held.object)})
        if actual.key == cur.triple_key(d):
            continue
        problem = CurationError(Errors.E174, path=cur.path, line=cur.lines.get(d.id, "?"), key=d.evidence, id=d.id,
                                actual=_show(actual), named=_show(Triple(subject=d.subject, predicate=d.predicate,
                                                                         object=d.object)))
        edges = ([{"triple_key": t.key, "predicate": t.predicate, "subject": t.subject, "object": t.object}
                  for t in (held, actual)] + _named_edges(cur, [d]) if e.get("curation") == d.id else [])
        out[d.id] = (problem, edges)
    return out


def idle_evidence(store: GraphStore, cur: Curation) -> dict[str, CurationError]:
    """Decision id -> why it does nothing, for each reject of one evidence in force whose evidence
    (``Curation.evidence_key``) the graph does not hold, where the graph says why: a wrong_link in force
    moved a mention of an end of its edge in its document, which the graph holds (E176: the sentence now
    supports another fact, and the rejection is not carried over); else its edge, read through same_as,
    is in the graph (E177: the evidence has another key now). An edge the graph does not hold may come
    with a later ingest, as may the evidence: not said. Meant for a graph that is what the file says
    (no document waiting to be redone): a same_as not yet redone leaves evidence under the old keys."""
    decisions = cur.evidence_decisions()
    if not decisions:
        return {}
    held = {e["key"] for e in store.query(cypher.CURATION_EVIDENCE, {"keys": sorted(decisions)})}
    missing = {key: d for key, d in decisions.items() if key not in held}
    if not missing:
        return {}
    edges = {key: triple_of(cur, d) for key, d in missing.items()}
    rows = [{"key": t["triple_key"], "subject": t["subject"], "object": t["object"]} for t in edges.values()]
    edges_held = {r["key"] for r in store.query(cypher.CURATION_EDGES, {"rows": rows})}
    documents = sorted({d.document for d in missing.values() if d.document})
    documents_held = {r["id"] for r in store.query(cypher.CURATION_DOCUMENTS, {"ids": documents})}
    out: dict[str, CurationError] = {}
    for key, d in missing.items():
        t = edges[key]
        line = dict(path=cur.path, line=cur.lines.get(d.id, "?"), key=key, id=d.id)
        link = _moving_link(cur, d, {t["subject"], t["object"]}) if d.document in documents_held else None
        if link is not None:
            out[d.id] = CurationError(Errors.E176, **line, where=", ".join(filter(None, (d.document, d.text))),
                                      link=link.id, concept=cur.canonical(link.subject), document=d.document)
        elif t["triple_key"] in edges_held:
            out[d.id] = CurationError(Errors.E177, **line, triple=t["triple_key"],
                                      edge=_show(Triple(subject=t["subject"], predicate=t["predicate"],
                                                        object=t["object"])))
    return out


def unknown_targets(settings: Settings, store: GraphStore, cur: Curation) -> list[CurationError]:
    """E180 for each same_as and wrong_link in force whose kept or right id is neither in the graph (as a
    concept or a merged alias) nor in the concept store: the chain writes that id as the line spells it,
    so a typo ("MESH:D0018850") would replace a real concept by a made-up one. ``medkg curate`` refuses
    such an id (E162); a line written by hand is only said, at every apply and ingest. Nothing is said
    without a readable concept store to ask."""
    targets = {d.id: d.object for d in cur.effective().values()
               if d.decision in ("same_as", "wrong_link") and d.object and d.object != NIL}
    if not targets or not store_path(settings).exists():
        return []
    held = concepts_in_graph(store, targets.values())
    known = concepts_in_store(settings, {t for t in targets.values() if t not in held})
    if known is None:
        return []
    return [CurationError(Errors.E180, path=cur.path, line=cur.lines.get(did, "?"), id=did, target=target)
            for did, target in targets.items() if target not in held | known]


def concepts_in_graph(store: GraphStore, ids: Iterable[str]) -> set[str]:
    """Of ``ids``, those the graph holds as a concept or as an alias merged into one (same_as)."""
    ids = sorted(set(ids))
    if not ids:
        return set()
    held = {r["id"] for r in store.query(cypher.REASON_CONCEPTS, {"ids": ids})}
    return held | {r["alias"] for r in store.query(cypher.CURATION_CONCEPTS_BY_ALIAS, {"ids": ids})}


def concepts_in_store(settings: Settings, ids: Iterable[str]) -> set[str] | None:
    """Of ``ids``, those the concept store knows; None when there is no readable concept store to ask
    (none built yet, or one of another medkg version)."""
    path = store_path(settings)
    if not path.exists():
        return None
    try:
        return set(ConceptStore(path).get_many(sorted(set(ids))))
    except OntologyError:
        return None


def _moving_link(cur: Curation, d: Decision, ends: set[str]) -> Decision | None:
    """A wrong_link in force that can move a mention of ``ends`` (ids read through same_as) in ``d``'s
    document: its own, or one for everywhere."""
    links = [link for link in cur.link_decisions().values()
             if cur.canonical(link.subject) in ends and link.document in (d.document, "")]
    return min(links, key=lambda link: not link.document, default=None)


def _show(t: Triple) -> str:
    return f"{t.subject} -[{t.predicate}]-> {t.object}"


def _touched_by_new(store: GraphStore, cur: Curation, d: Decision) -> set[str]:
    """Documents whose annotation a newly added link decision changes, read from the graph."""
    if d.decision == "same_as":
        rows = store.query(cypher.CURATION_DOCUMENTS_MENTIONING, {"ids": [d.subject]})
        return {r["doc_id"] for r in rows}
    if d.decision != "wrong_link":
        return set()
    wrong = cur.canonical(d.subject)
    surface = d.text.strip().casefold()
    rows = store.query(cypher.CURATION_DOCUMENTS_MENTIONING, {"ids": [wrong]})
    return {r["doc_id"] for r in rows
            if (not d.document or r["doc_id"] == d.document)
            and (not r["texts"] or len(r["texts"]) >= MAX_TEXTS_PER_LINK
                 or any(t.strip().casefold() == surface for t in r["texts"]))}


def _relinked_by(ledger: Ledger, cur: Curation, in_force: Iterable[Decision], d: Decision) -> set[str]:
    """Documents an earlier wrong-link decision on the same surface form and wrong id already changed
    (so the graph no longer links them to the wrong id) that the new decision ``d`` changes again: a
    document-level correction after a global one."""
    if d.decision != "wrong_link":
        return set()
    surface, wrong = d.text.strip().casefold(), cur.canonical(d.subject)
    earlier = [o.id for o in in_force if o.id != d.id and o.decision == "wrong_link"
               and o.text.strip().casefold() == surface and cur.canonical(o.subject) == wrong]
    docs = ledger.documents_changed_by(earlier) if earlier else set()
    return {doc for doc in docs if not d.document or doc == d.document}


def _named_edges(cur: Curation, decisions: Iterable[Decision]) -> list[dict]:
    """The edges edge decisions name: read through same_as now, and as written (an alias may have changed)."""
    out: dict[str, dict] = {}
    for d in decisions:
        if d.decision in ("reject", "confirm"):
            for t in (triple_of(cur, d), triple_of(Curation(), d)):
                out[t["triple_key"]] = t
    return list(out.values())


def _delete_orphans(store: GraphStore, cur: Curation, link_changes: list[Decision]) -> int:
    """Concept nodes of the ids link decisions name (aliases, wrong and right ids) that nothing refers to:
    a fresh ingest with the same file would not have them."""
    ids = set(cur.aliases())
    for d in link_changes:
        ids |= {d.subject, d.object} - {"NIL"}
    return store.delete_orphan_concepts(sorted(ids))


# -- redoing documents ------------------------------------------------------------------------
def redo_stale(settings: Settings, store: GraphStore, ledger: Ledger, *, key: bytes | None = None,
               build: Build = build_pipeline) -> tuple[int, int]:
    """Annotate again the documents the ledger marks stale, read from the inputs of the runs that wrote
    them (only the version the ledger holds); returns how many were written, and how many concept nodes
    only their old versions mentioned were deleted with them. What cannot be read stays stale."""
    written = orphans = 0
    for (source, inputs), rows in sorted(_stale_by_input(ledger).items()):
        files = [Path(i) for i in inputs if Path(i).exists()]
        items = _documents(source, files, key)
        if items is None or not files:
            log.warning("%d stale %s documents not redone: %s", len(rows), source, _why_waiting(source, inputs, key))
            continue
        fingerprint = next(iter(rows.values()))["pipeline"]
        pipeline = _pipeline_for(build, settings, store, ledger, source, fingerprint)
        wanted = {doc_id: row["content_hash"] for doc_id, row in rows.items()}
        summary = pipeline.run(_select(items, wanted), command="curate", inputs=[str(f) for f in files], workers=1)
        written += summary.written
        orphans += summary.orphans_deleted
    return written, orphans


def _stale_by_input(ledger: Ledger) -> dict[tuple[str, tuple[str, ...]], dict[str, dict]]:
    """(source, inputs of the run that wrote them) -> doc id -> ledger row, for the stale documents."""
    by_input: dict[tuple[str, tuple[str, ...]], dict[str, dict]] = defaultdict(dict)
    inputs_of: dict[int | None, tuple[str, ...]] = {}  # a run's inputs, asked once per run, not once per document
    for row in ledger.stale():
        if (run_id := row["run_id"]) not in inputs_of:
            command_inputs = ledger.run_inputs(run_id) if run_id is not None else None
            inputs_of[run_id] = tuple(command_inputs[1]) if command_inputs else ()
        by_input[(row["source"], inputs_of[run_id])][row["doc_id"]] = row
    return by_input


def _why_waiting(source: str, inputs: tuple[str, ...], key: bytes | None) -> str:
    """Why stale documents of ``source`` written from ``inputs`` are not redone here."""
    if not inputs:
        return "the run that wrote them read no input file (an E-utilities query)"
    if not any(Path(i).exists() for i in inputs):
        return f"their input {', '.join(inputs)} is not here"
    if source == "note" and not key:
        return "notes are read again only with the key they were pseudonymised with: set MEDKG_PSEUDONYM_KEY"
    if source not in ("pubmed", "note"):
        return f"{source} documents cannot be read again"
    return "their input no longer holds the version the ledger records"


def _documents(source: str, files: list[Path], key: bytes | None) -> Iterator | None:
    if source == "pubmed":
        from kg.sources.pubmed import iter_pubmed

        return read_files(files, iter_pubmed)
    if source == "note" and key:
        from kg.sources.notes import iter_notes

        return read_files(files, lambda f: iter_notes(f, key=key))
    return None


def _select(items: Iterator, wanted: dict[str, str]) -> Iterator[Document]:
    """The documents of ``wanted`` (id -> content hash) in the exact version the ledger holds; stops
    reading once all are found."""
    wanted = dict(wanted)
    for item in items:
        if isinstance(item, Document) and wanted.get(item.id) == item.content_hash:
            del wanted[item.id]
            yield item
            if not wanted:
                return


def _pipeline_for(build: Build, settings: Settings, store: GraphStore, ledger: Ledger, source: str,
                  fingerprint: str) -> Pipeline:
    """The pipeline that wrote the documents: the one whose fingerprint they carry (notes may have been
    written with --keep-text), else today's default (as a new model version would)."""
    for keep in (False, True):
        pipeline = build(settings, store=store, ledger=ledger, source_name=source, keep_note_text=keep)
        if pipeline.fingerprint == fingerprint:
            return pipeline
    return build(settings, store=store, ledger=ledger, source_name=source, keep_note_text=False)
