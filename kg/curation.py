"""The curation file: curators' decisions about the graph, kept as data that every run applies.

No extraction is perfect, and a fix made by hand in the database is lost on the next rebuild.
So a curator's decision is a line in a plain TSV file (``MEDKG_CURATION``, default
``<data_dir>/curation.tsv``; keep it under version control, outside the data dir, so that a
rebuild from scratch finds it), and the pipeline obeys the file on every run.

The format
----------
A header line, then one decision per line, tab-separated, in these columns (``#`` starts a
comment line; blank lines are skipped)::

    id  date  author  decision  subject  predicate  object  text  document  evidence  reason

==============  ===================================================================================
decision        what the columns mean
==============  ===================================================================================
``reject``      the edge ``subject -[predicate]-> object``; or, with ``evidence`` (an Evidence key),
                that one evidence (subject/predicate/object then say which edge it supports; a line
                naming another edge than the graph's evidence supports is left out, E174), and where
                it was read: ``document`` and, in ``text``, the spans of its two mentions
                (``subject 120-127, object 140-152``; see "Where an evidence was read")
``confirm``     the edge ``subject -[predicate]-> object`` is right (its score stays the model's)
``same_as``     ``subject`` (the alias) is the same concept as ``object`` (the id that is kept)
``wrong_link``  the surface form ``text`` linked to ``subject`` is wrong: it means ``object`` (a
                concept id, or ``NIL`` for nothing); in ``document`` only, or everywhere if empty
``retract``     takes back decision ``subject`` (the target returns to what the models say)
==============  ===================================================================================

Every line needs a ``reason``, an ``author`` (``medkg curate`` uses ``$USER``) and a ``date``
(UTC, ``YYYY-MM-DD``, a real day); a column its kind does not use is empty (E178: a ``reject`` of an
edge with a ``document`` would otherwise reject the edge in every document).
A ``predicate`` is a triple type of the graph schema
(``ontology/schema.yaml``), spelled as there: ``INDUCES``, not ``induces`` (E167), so that what the
file says is what applies; a concept id is spelled as the graph spells it (known prefixes in the
concept store's case, MeSH ids upper case: ``MESH:D014196``, not ``mesh:d014196``; E175,
:func:`kg.vocab.curie.canonical_curie`). A TSV rather than YAML: one decision per line diffs, merges
and blames line by line, and an error can name its line.

History and the last word
-------------------------
Lines are never edited or removed: a later decision about the same *target* supersedes an
earlier one, and the later line wins (file order, not the date, which has only a day's
resolution; after a git merge, the merged order). The targets: an edge (reject and confirm of
the same edge supersede each other), an evidence key, an alias id (``same_as``), and a surface
form with its wrong id and document (``wrong_link``). ``retract`` ends its decision's target.

Ids
---
A decision's id is a hash of its line (date, author, decision, fields, reason), so it is stable,
needs no counter (two curators on two branches cannot both take "c42"), and the same decision
recorded twice is recognised: a decision identical to one in force is not recorded again, and an
exact copy of a line (same id, same fields) is ignored with a warning. A decision identical to an
earlier one that is no longer in force (retracted, or overruled by a later decision) is recorded
anew: its id hashes in how many identical lines come before it too (the first one's id is the plain
hash). A hand-written line may leave ``id`` empty; it gets that id. An id
that is not the hash of its line means the line was edited after it was recorded, and is refused
(E168): the id would name two different decisions, in the graph's flags, the ledger's record of
what was applied, and a retraction. Emptying the id column records the edited line as a new
decision instead (the old one is then gone from the file, so the next apply ends it).

Concept ids in decisions are read through ``same_as``: a rejected edge of an alias is the
rejected edge of the kept id, once the two are one node.

Where an evidence was read
--------------------------
An evidence key hashes its edge (:attr:`kg.models.Evidence.key`), so a ``same_as`` that merges an end
of the edge gives the redone sentence another key, and a line rejecting the old key would reject
nothing. ``medkg curate reject --evidence`` therefore records where the evidence was read: its
document, and its mention spans in ``text`` (:func:`place`). The key such a line rejects is computed
again from the line, its ids read through ``same_as`` (:meth:`Curation.evidence_key`): the rejection
follows the sentence through a merge, with no graph query, in a fresh ingest too. It does not follow
a ``wrong_link``, which links a mention to another concept: the sentence then supports another fact,
which the curator did not judge (``kg.curator`` warns, E176). A line without a place (written by hand,
or by an older medkg) rejects the key in its ``evidence`` column.

This module is data only (it imports nothing above ``kg.models``, ``kg.errors``, ``kg.config``,
the schema whitelist, :mod:`kg.graph.schema`, and the spelling of ids, :mod:`kg.vocab.curie`); where
each decision acts is said in ``kg.curator``.
"""

from __future__ import annotations

import functools
import getpass
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from kg.errors import CurationError, Errors
from kg.models import Triple, stable_hash, validate_curie
from kg.vocab.curie import canonical_curie

COLUMNS = ("id", "date", "author", "decision", "subject", "predicate", "object", "text", "document", "evidence",
           "reason")
HEADER = "\t".join(COLUMNS)
DECISIONS = ("reject", "confirm", "same_as", "wrong_link", "retract")
NIL = "NIL"
Kind = Literal["reject", "confirm", "same_as", "wrong_link", "retract"]
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BLANKS = re.compile(r"[\t\r\n]+")
_PLACE = re.compile(r"^subject (\d+)-(\d+), object (\d+)-(\d+)$")
log = logging.getLogger(__name__)


class Decision(BaseModel):
    """One line of the curation file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    date: str
    author: str
    decision: Kind
    subject: str = ""
    predicate: str = ""
    object: str = ""
    text: str = ""
    document: str = ""
    evidence: str = ""
    reason: str

    @property
    def is_link(self) -> bool:
        """Decisions that act in the chain (what mentions link to), not on graph flags."""
        return self.decision in ("same_as", "wrong_link")

    def line(self) -> str:
        return "\t".join(_clean(getattr(self, c)) for c in COLUMNS)


def decision_id(date: str, author: str, decision: str, fields: dict[str, str], reason: str, repeat: int = 0) -> str:
    """``c`` + 12 hex digits of the line's content and of ``repeat``, the number of identical lines before
    it (see the module docstring); without one, the ids of files written before repeats existed."""
    parts = (date, author, decision, *(fields.get(c, "") for c in COLUMNS[4:10]), reason)
    return "c" + stable_hash(*parts, *((repeat,) if repeat else ()))[:12]


def _repeat_id(d: Decision, repeat: int) -> str:
    """The id ``d`` gets as the ``repeat``-th recording of its content."""
    return decision_id(d.date, d.author, d.decision, d.model_dump(include=set(COLUMNS[4:10])), d.reason, repeat)


def new_decision(decision: Kind, *, reason: str, author: str | None = None, date: str | None = None,
                 **fields: str) -> Decision:
    """A decision as ``medkg curate`` records it: author ``$USER``, date today (UTC), reason required.

    Raises
    ------
    CurationError
        When the reason is empty or no author is given and ``$USER`` is unset.
    """
    author = (author or os.environ.get("USER") or _login() or "").strip()
    if not author:
        raise CurationError(Errors.E165)
    if not reason.strip():
        raise CurationError(Errors.E164)
    date = date or datetime.now(UTC).date().isoformat()
    fields = {k: _clean(v) for k, v in fields.items() if v}
    return Decision(id=decision_id(date, _clean(author), decision, fields, _clean(reason)), date=date,
                    author=_clean(author), decision=decision, reason=_clean(reason), **fields)


def _login() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user database (containers): the caller asks for --author
        return None


def _clean(value: str) -> str:
    """Tabs and line breaks would break the line: they become single spaces."""
    return _BLANKS.sub(" ", value).strip()


# -- reading and writing ----------------------------------------------------------------------
def read_decisions(path: Path) -> list[Decision]:
    """Every decision of the file, in file order, validated; a missing file has none.

    Raises
    ------
    CurationError
        Naming the file and line of the first problem.
    """
    return _read(path)[0]


def _read(path: Path) -> tuple[list[Decision], dict[str, int]]:
    """:func:`read_decisions`, and the line of each decision (by id), for messages that name it."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()  # a BOM (Windows editors) is not part of the header
    except FileNotFoundError:
        return [], {}
    except (OSError, UnicodeDecodeError) as exc:
        raise CurationError(Errors.E159, path=path, error=exc) from exc
    out: list[Decision] = []
    where: dict[str, tuple[int, Decision]] = {}  # id -> its line and decision
    twins: dict[str, list[Decision]] = {}  # plain hash -> the decisions recorded with that content
    header_seen = False
    for number, raw in enumerate(lines, start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if not header_seen:
            if raw.rstrip("\r\n") != HEADER:
                raise CurationError(Errors.E150, path=path, line=number, expected=HEADER.replace("\t", " "),
                                    got=raw.replace("\t", " ")[:200])
            header_seen = True
            continue
        decision = _parse(path, number, raw)  # its id as written, "" when empty
        if decision.id in where:
            first, earlier = where[decision.id]
            if earlier != decision:
                raise CurationError(Errors.E156, path=path, line=number, id=decision.id, first=first)
            log.warning("curation file %s: line %d is an exact copy of line %d: ignored", path, number, first)
            continue
        same = twins.setdefault(_repeat_id(decision, 0), [])
        expected = _repeat_id(decision, len(same))
        if not decision.id and (holding := _still_said(out, same)):
            log.warning("curation file %s: line %d says what line %d says (decision %s, in force): ignored",
                        path, number, where[holding.id][0], holding.id)
            continue
        if decision.id and decision.id != expected:
            raise CurationError(Errors.E168, path=path, line=number, id=decision.id, expected=expected)
        decision = decision.model_copy(update={"id": expected})
        _check_retract(path, number, decision, out)
        where[decision.id] = (number, decision)
        same.append(decision)
        out.append(decision)
    Curation(path, tuple(out)).aliases()  # a same_as cycle is an error of the file, found now
    return out, {d.id: where[d.id][0] for d in out}


def _parse(path: Path, number: int, raw: str) -> Decision:
    cells = raw.rstrip("\r\n").split("\t")
    if len(cells) != len(COLUMNS):
        raise CurationError(Errors.E151, path=path, line=number, count=len(cells), expected=len(COLUMNS))
    row = dict(zip(COLUMNS, (c.strip() for c in cells), strict=True))
    if row["decision"] not in DECISIONS:
        raise CurationError(Errors.E152, path=path, line=number, value=row["decision"],
                            decisions=", ".join(DECISIONS))
    if not _is_date(row["date"]):
        problem = "not a day of the calendar" if _DATE.match(row["date"]) else "not YYYY-MM-DD"
        raise CurationError(Errors.E155, path=path, line=number, value=row["date"], problem=problem)
    if not row["author"]:
        raise CurationError(Errors.E153, path=path, line=number, decision=row["decision"], column="author",
                            problem="empty")
    if not row["reason"]:
        raise CurationError(Errors.E154, path=path, line=number)
    for column, problem in _problems(row):
        raise CurationError(Errors.E153, path=path, line=number, decision=row["decision"], column=column,
                            problem=problem)
    for column, why in _unused(row):
        raise CurationError(Errors.E178, path=path, line=number, decision=row["decision"], column=column,
                            value=row[column], why=why, uses=", ".join(_uses(row)))
    if row["decision"] in ("reject", "confirm") and row["predicate"] not in predicates():
        known = predicates()
        suggestion = f"; did you mean {row['predicate'].upper()!r}?" if row["predicate"].upper() in known else ""
        raise CurationError(Errors.E167, path=path, line=number, decision=row["decision"], value=row["predicate"],
                            suggestion=suggestion, predicates=", ".join(known))
    if row["decision"] != "retract":
        for column in ("subject", "object"):
            if (canonical := canonical_curie(row[column])) != row[column]:
                raise CurationError(Errors.E175, path=path, line=number, decision=row["decision"], column=column,
                                    value=row[column], canonical=canonical)
    return Decision(**row)


def _still_said(earlier: list[Decision], same: list[Decision]) -> Decision | None:
    """The decision among ``same`` (identical ones of ``earlier``) that still holds, so that saying it again
    adds nothing: one in force, or a retraction (what it took back cannot return under its old id)."""
    in_force = Curation(None, tuple(earlier)).effective() if same else {}
    return next((d for d in same if d.decision == "retract" or d.id in in_force), None)


def _is_date(value: str) -> bool:
    """YYYY-MM-DD and a day of the calendar (2026-13-45 is not)."""
    try:
        datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        return False
    return bool(_DATE.match(value))  # strptime also takes 2025-3-1


@functools.cache
def predicates() -> tuple[str, ...]:
    """The relationship types a reject or confirm can name: the schema's triple types.

    Raises
    ------
    SchemaError
        When the schema file is missing or invalid (see :meth:`kg.graph.schema.Schema.load`).
    """
    from kg.graph.schema import Schema

    return Schema.load().triple_types


def _problems(row: dict[str, str]) -> Iterator[tuple[str, str]]:
    """(column, what is wrong) for the first fields a decision of this kind lacks or gets wrong."""
    kind = row["decision"]

    def curie(column: str, *, nil: bool = False, optional: bool = False) -> Iterator[tuple[str, str]]:
        value = row[column]
        if not value and optional:
            return
        if not value:
            yield column, "empty"
        elif column == "document" and not validate_curie(value):
            yield column, f"{value!r} is not a document id (PREFIX:LOCAL, such as PMID:123)"
        elif not (validate_curie(value) or (nil and value == NIL)):
            yield column, f"{value!r} is not a concept id (PREFIX:LOCAL{' or NIL' if nil else ''})"

    if kind in ("reject", "confirm"):
        yield from curie("subject")
        yield from curie("object")
        if not row["predicate"]:
            yield "predicate", "empty: a relationship type such as INDUCES"
        if row["evidence"]:
            yield from curie("document", optional=True)
            if row["text"] and not _PLACE.match(row["text"]):
                yield "text", f"{row['text']!r} is not where the evidence was read ('subject 120-127, object 140-152')"
            elif row["text"] and not row["document"]:
                yield "document", "empty: the spans in text are offsets in a document"
    elif kind == "same_as":
        yield from curie("subject")
        yield from curie("object")
        if row["subject"] and row["subject"] == row["object"]:
            yield "object", "an id cannot be an alias of itself"
    elif kind == "wrong_link":
        if not row["text"]:
            yield "text", "empty: the surface form that was linked wrongly"
        yield from curie("subject")
        yield from curie("object", nil=True)
        yield from curie("document", optional=True)
        if row["subject"] and row["subject"] == row["object"]:
            yield "object", "the right id is the wrong one"
    elif kind == "retract" and not row["subject"]:
        yield "subject", "empty: the id of the decision taken back"


_USES = {"reject": ("subject", "predicate", "object", "evidence"), "confirm": ("subject", "predicate", "object"),
         "same_as": ("subject", "object"), "wrong_link": ("text", "subject", "object", "document"),
         "retract": ("subject",)}
_WHY_UNUSED = {
    ("reject", "document"): ": a reject of an edge acts in every document; to reject what one document says, reject "
                            "its evidence (`medkg curate reject --evidence KEY`)",
    ("reject", "text"): ": text is where a rejected evidence was read, and this line rejects an edge",
    ("confirm", "evidence"): ": confirm takes an edge, not one evidence",
    ("confirm", "document"): ": a confirm acts on the edge in every document",
}


def _uses(row: dict[str, str]) -> tuple[str, ...]:
    """The columns (after ``decision``) a line of this kind reads: a reject of one evidence reads where it was read."""
    extra = ("document", "text") if row["decision"] == "reject" and row["evidence"] else ()
    return _USES[row["decision"]] + extra


def _unused(row: dict[str, str]) -> Iterator[tuple[str, str]]:
    """(column, why) for a filled column the line's kind does not read: ignored, it would make the line do less
    than it says (a reject with a document rejects the edge everywhere)."""
    uses = _uses(row)
    for column in COLUMNS[4:10]:
        if row[column] and column not in uses:
            yield column, _WHY_UNUSED.get((row["decision"], column), "")


def place(subject_span: tuple[int, int], object_span: tuple[int, int]) -> str:
    """Where an evidence was read, for the ``text`` column of a reject of one evidence: the character spans of
    its subject and object mentions in its document (``subject 120-127, object 140-152``)."""
    return f"subject {subject_span[0]}-{subject_span[1]}, object {object_span[0]}-{object_span[1]}"


def append_decision(path: Path, decision: Decision) -> Decision | None:
    """Add a line (and the header to a new file); returns the decision as recorded, or None when an identical
    decision is in force. Identical to one no longer in force, it is recorded anew under a new id.

    Raises
    ------
    CurationError
        When the file cannot be written, or the new line would make it invalid (it is then not written).
    """
    path = Path(path)
    existing = read_decisions(path)
    same = [d for d in existing if _repeat_id(d, 0) == _repeat_id(decision, 0)]
    if _still_said(existing, same):
        return None
    decision = decision.model_copy(update={"id": _repeat_id(decision, len(same))})
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    line = len(text.splitlines()) + 1 + (not text.strip())
    _parse(path, line, decision.line())  # the checks a hand-written line gets
    _check_retract(path, line, decision, existing)
    try:
        Curation(path, (*existing, decision)).aliases()  # refuse a same_as cycle before writing it
    except CurationError as exc:
        if exc.code != "E158":
            raise
        raise CurationError(Errors.E171, alias=decision.subject, kept=decision.object) from exc
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8", newline="\n") as fh:
            if not text.strip():
                fh.write(HEADER + "\n")
            elif not text.endswith("\n"):
                fh.write("\n")
            fh.write(decision.line() + "\n")
    except OSError as exc:
        raise CurationError(Errors.E160, path=path, error=exc) from exc
    return decision


def _check_retract(path: Path, line: int, decision: Decision, earlier: list[Decision]) -> None:
    if decision.decision != "retract":
        return
    retracted = next((d for d in earlier if d.id == decision.subject), None)
    if retracted is None:
        raise CurationError(Errors.E157, path=path, line=line, id=decision.subject)
    if retracted.decision == "retract":
        raise CurationError(Errors.E166, path=path, line=line, id=decision.subject)


# -- what the file says now -------------------------------------------------------------------
Target = tuple[str, ...]


@dataclass(frozen=True)
class Curation:
    """The decisions of one curation file, and what they say now (the last word per target)."""

    path: Path | None = None
    history: tuple[Decision, ...] = ()
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)  # decision id -> its line
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(cls, path: Path | None) -> Curation:
        if not path:
            return cls()
        decisions, lines = _read(path)
        return cls(path, tuple(decisions), lines)

    def without(self, ids: set[str]) -> Curation:
        """The file as if the lines of decisions ``ids`` were not in it. For decisions in force only: no
        retraction names one of those, so what is left stays a valid file."""
        return Curation(self.path, tuple(d for d in self.history if d.id not in ids), self.lines)

    def __bool__(self) -> bool:
        return bool(self.history)

    # the last word --------------------------------------------------------------------------
    def effective(self) -> dict[str, Decision]:
        """Decision id -> decision, for the decisions in force (superseded and retracted ones left out), in file order.

        A retraction of a decision that is no longer in force (a later one superseded it) changes nothing.
        In force means not a retraction and not ended (``ended_by``): decision ids are unique (E156).
        """
        if "effective" not in self._cache:
            ended = self.ended_by()
            self._cache["effective"] = {d.id: d for d in self.history
                                        if d.decision != "retract" and d.id not in ended}
        return self._cache["effective"]

    def ended_by(self) -> dict[str, str]:
        """Decision id -> the later decision that ended it (a newer decision on its target, or a retraction)."""
        by_id = {d.id: d for d in self.history}
        last: dict[Target, str] = {}
        out: dict[str, str] = {}
        for d in self.history:
            if d.decision == "retract":
                target = self.target(by_id[d.subject])
                if last.get(target) == d.subject:
                    del last[target]
                    out[d.subject] = d.id
                continue
            target = self.target(d)
            if target in last:
                out[last[target]] = d.id
            last[target] = d.id
        return out

    @staticmethod
    def target(d: Decision) -> Target:
        """What a decision is about: a later decision with the same target supersedes it."""
        if d.decision == "reject" and d.evidence:
            return ("evidence", d.evidence)
        if d.decision in ("reject", "confirm"):
            return ("edge", d.subject, d.predicate, d.object)
        if d.decision == "same_as":
            return ("alias", d.subject)
        return ("link", d.text.casefold(), d.subject, d.document)

    # same_as --------------------------------------------------------------------------------
    def aliases(self) -> dict[str, str]:
        """Alias id -> the id kept, followed to the end of a chain (a -> b -> c gives a -> c).

        Raises
        ------
        CurationError
            When ``same_as`` decisions form a cycle.
        """
        if "aliases" not in self._cache:
            direct = {d.subject: d.object for d in self.effective().values() if d.decision == "same_as"}
            out: dict[str, str] = {}
            for alias in direct:
                seen = [alias]
                target = direct[alias]
                while target in direct:
                    if target in seen:
                        raise CurationError(Errors.E158, path=self.path, cycle=" -> ".join([*seen, target]))
                    seen.append(target)
                    target = direct[target]
                out[alias] = target
            self._cache["aliases"] = out
        return self._cache["aliases"]

    def canonical(self, concept_id: str) -> str:
        """The id kept for ``concept_id`` (itself unless it is an alias)."""
        return self.aliases().get(concept_id, concept_id)

    def aliases_of(self) -> dict[str, list[str]]:
        """Kept id -> its aliases, sorted."""
        out: dict[str, list[str]] = {}
        for alias, kept in sorted(self.aliases().items()):
            out.setdefault(kept, []).append(alias)
        return out

    # edges and evidence ---------------------------------------------------------------------
    def triple_key(self, d: Decision) -> str:
        """The key of the edge a reject/confirm decision names, read through ``same_as``."""
        return Triple(subject=self.canonical(d.subject), predicate=d.predicate, object=self.canonical(d.object)).key

    def edge_decisions(self) -> dict[str, Decision]:
        """Triple key -> the reject or confirm decision in force for that edge."""
        if "edges" not in self._cache:
            self._cache["edges"] = {self.triple_key(d): d for d in self.effective().values()
                                    if d.decision in ("reject", "confirm") and not d.evidence}
        return self._cache["edges"]

    def evidence_key(self, d: Decision) -> str:
        """The key of the evidence a reject of one evidence rejects now: with the place it was read (its
        ``document`` and the spans of :func:`place` in ``text``), computed as :attr:`kg.models.Evidence.key`
        is from the edge read through ``same_as``, so that it follows the sentence when an end is merged;
        else the key the line holds."""
        if not (d.document and (spans := _PLACE.match(d.text))):
            return d.evidence
        s0, s1, o0, o1 = map(int, spans.groups())
        return stable_hash(self.triple_key(d), d.document, (s0, s1), (o0, o1))

    def evidence_decisions(self) -> dict[str, Decision]:
        """Evidence key (:meth:`evidence_key`) -> the reject decision in force for that evidence."""
        if "evidence" not in self._cache:
            self._cache["evidence"] = {self.evidence_key(d): d for d in self.effective().values()
                                       if d.decision == "reject" and d.evidence}
        return self._cache["evidence"]

    def curated_triples(self) -> set[str]:
        """Keys of every edge some decision in force is about (the edge, or one of its evidence)."""
        return set(self.edge_decisions()) | {self.triple_key(d) for d in self.evidence_decisions().values()}

    # links ----------------------------------------------------------------------------------
    def link_decisions(self) -> dict[tuple[str, str, str], Decision]:
        """(casefolded surface form, wrong id, document or '') -> the wrong_link decision in force.

        Wrong ids are read through ``same_as`` (the chain maps aliases first); the right id is
        too, when it is not NIL.
        """
        if "links" not in self._cache:
            self._cache["links"] = {(d.text.casefold(), self.canonical(d.subject), d.document): d
                                    for d in self.effective().values() if d.decision == "wrong_link"}
        return self._cache["links"]

    def right_id(self, d: Decision) -> str | None:
        """What a wrong_link decision links its surface form to: a kept id, or None for NIL."""
        return None if d.object == NIL else self.canonical(d.object)


class CurationSource:
    """The curation file as the pipeline reads it: loaded once, loaded again when the file changes.

    A long-lived process (a Dask worker, ``medkg serve``) thus obeys decisions recorded after it
    started; one ``stat`` per batch is all it costs.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = Path(path) if path else None
        self._stamp: tuple[int, int] | None = None
        self._curation = Curation(self.path)

    def current(self) -> Curation:
        if self.path is None:
            return self._curation
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp != self._stamp:
            self._curation = Curation.load(self.path) if stamp else Curation(self.path)
            self._stamp = stamp
        return self._curation

    def __getstate__(self) -> dict:  # sent to workers as a path: they read the file themselves
        return {"path": self.path}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["path"])


def describe(d: Decision) -> str:
    """One line for people: what the decision says."""
    if d.decision in ("reject", "confirm"):
        what = f"evidence {d.evidence} of " if d.evidence else ""
        where = f" ({', '.join(filter(None, (d.document, d.text)))})" if d.evidence and d.document else ""
        return f"{d.decision} {what}{d.subject} -[{d.predicate}]-> {d.object}{where}"
    if d.decision == "same_as":
        return f"same_as {d.subject} = {d.object} (kept)"
    if d.decision == "wrong_link":
        where = f"in {d.document}" if d.document else "everywhere"
        return f"wrong_link {d.text!r}: {d.subject} -> {d.object} {where}"
    return f"retract {d.subject}"

