"""``medkg report CONCEPT`` and ``medkg report --patient ID``: evidence reports, Markdown or HTML.

A concept report puts what the documents *claim* first: typed relations (INDUCES, ASSOCIATED_WITH,
...) ranked by their calibrated combined score and then the number of documents, each with the
documents and sentences behind it, counted as papers and clinical notes. Co-mentions (same
sentence, not a claim) follow in their own section, ranked by NPMI, so a frequent word such as
"patients" cannot crowd out a relation; the hubs (``cues.HUBS``: the human hub NCBITaxon:9606,
which people words such as "patients" link to, and generic taxa such as Animals) are never listed.
An edge with no scored evidence (every sentence negated, hypothetical or family history, or read
in a retracted paper) is no claim: it is listed apart. Negated evidence and evidence from retracted
papers are marked where they are cited and listed in sections of their own; contradicted edges are
claimed relations read both affirmed and negated (a co-mention asserts nothing to contradict), named
as every other section names concepts. Text from the data is escaped in both formats (the Markdown
too, so that a renderer shows an abstract's "<script>" as text).

A patient report (``pt_…`` pseudonyms, as the notes source writes them) lists the findings of
the patient's notes by assertion status, present first and pertinent negatives next, each with
the pseudonymised note ids it was read in: what a clinician skims. Findings are the concepts of
the types a patient's HAS_FINDING edges hold (``cypher.PATIENT_FINDING_TYPES``: diseases, clinical
findings, chemicals), never the species, genes, variants or cell lines a note names. It never
holds note text.
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kg.config import Settings
from kg.errors import ArgumentError, Errors, ReportError
from kg.graph import cypher as q
from kg.graph.base import GraphStore
from kg.reason import cues
from kg.reason.ask import COMENTION_MIN_DOCS, _cooccurrence, _types, resolve_target
from kg.reason.contradictions import Contradiction, contradictions_in_store
from kg.reason.evidence import (
    WEAK_NOTE,
    WEAK_SCORE,
    is_weak,
    Citation,
    citations,
    unscored_counts,
)
from kg.reason.subgraph import cypher_limit

PATIENT_PREFIX = "pt_"
ASSERTION_COUNTS = ("affirmed", "negated", "uncertain", "hypothetical", "historical", "family")
# How a clinician skims: what the patient has, what was ruled out, what is possible, then history.
STATUS_SECTIONS = (
    ("affirmed", "Present (affirmed)"),
    ("negated", "Absent (negated: pertinent negatives)"),
    ("uncertain", "Possible (uncertain)"),
    ("historical", "History (historical)"),
    ("family", "Family history"),
    ("hypothetical", "Hypothetical or conditional"),
)
FINDING_TYPES = ("Disease", "Finding")  # listed before the drugs (Chemical) in each section


@dataclass
class Relation:
    predicate: str
    outgoing: bool
    other: str
    name: str | None
    type: str | None
    combined_score: float
    evidence_count: int
    doc_count: int
    affirmed: int
    negated: int
    npmi: float | None = None
    citations: list[Citation] = field(default_factory=list)
    notes: int = 0  # of the doc_count documents, those that are clinical notes (the rest are papers)
    retracted_count: int = 0  # sentences read in retracted papers (all of them, cited or not)

    @property
    def retracted(self) -> int:
        """Cited sentences from retracted papers."""
        return sum(c.retracted for c in self.citations)

    @property
    def documents(self) -> str:
        """"2 paper(s)", "1 paper(s) and 1 note(s)", "1 note(s)": what the documents behind it are."""
        papers = self.doc_count - self.notes
        parts = ([f"{papers} paper(s)"] if papers or not self.notes else []) + (
            [f"{self.notes} note(s)"] if self.notes else [])
        return " and ".join(parts)


@dataclass
class ConceptReport:
    concept: dict
    relations: list[Relation]
    comentions: list[Relation]
    comention_min_docs: int
    unscored: list[Relation]
    negated: list[dict]
    retracted: list[dict]
    contradictions: list[Contradiction]
    papers: list[dict]


@dataclass
class PatientFinding:
    """One finding of a patient under one assertion status, with the notes it was read in."""

    id: str
    name: str | None
    type: str | None
    notes: list[tuple[str, int | None]]
    mentions: int
    also: dict[str, list[str]]  # the other statuses it was read with, and in which notes


@dataclass
class PatientReport:
    patient: str
    notes: list[dict]
    sections: dict[str, list[PatientFinding]]


def _relations(store: GraphStore, rows: list[dict], per_relation: int) -> list[Relation]:
    keys = [r["key"] for r in rows]
    cites = citations(store, keys, per_key=per_relation)
    notes = {k["key"]: int(k["notes"] or 0) for k in store.query(q.REASON_DOCUMENT_KINDS, {"keys": keys})} \
        if keys else {}
    return [
        Relation(r["predicate"], bool(r["outgoing"]), r["other"], r["name"], r.get("type"),
                 float(r["combined_score"] or 0.0), int(r["evidence_count"] or 0), int(r["doc_count"] or 0),
                 int(r["affirmed"] or 0), int(r["negated"] or 0), r.get("npmi"), cites.get(r["key"], []),
                 notes.get(r["key"], 0), int(r.get("retracted_count") or 0))
        for r in rows
    ]


def concept_report(store: GraphStore, concept_id: str, *, limit: int = 10, per_relation: int = 2) -> ConceptReport:
    """Gather the report of ``concept_id``: names and xrefs, claimed relations, co-mentions by NPMI,
    relations without scored evidence, negated and retracted evidence, contradicted edges and the
    most recent papers.

    Raises
    ------
    ReportError
        When the concept is not in the graph.
    """
    found = store.query(q.REASON_CONCEPT, {"id": concept_id})
    if not found:
        raise ReportError(Errors.E920, concept=concept_id)
    typed, cooc = _types(store, None), _cooccurrence(store)
    hubs = list(cues.HUBS)
    params = {"ids": [concept_id], "predicates": typed, "direction": "any", "labels": [], "hubs": hubs,
              "limit": cypher_limit(limit)}
    rows = store.query(q.REASON_RELATIONS, {**params, "scored": True})
    unscored = store.query(q.REASON_RELATIONS, {**params, "scored": False})
    comentions, min_docs = [], COMENTION_MIN_DOCS
    for min_docs in (COMENTION_MIN_DOCS, 1):  # a small graph may have no pair seen twice
        comentions = store.query(q.REASON_COMENTIONS, {"ids": [concept_id], "predicates": cooc, "labels": [],
                                                       "hubs": hubs, "min_docs": min_docs,
                                                       "limit": cypher_limit(limit)})
        if comentions:
            break
    negated = [r for r in store.query(q.REASON_NEGATED_EVIDENCE, {"id": concept_id, "limit": cypher_limit(limit * 3)})
               if r["other"] not in cues.HUBS][:limit]
    contradicted = [x for x in contradictions_in_store(store, concept=concept_id, top=limit * 3)
                    if not ({x.subject, x.object} - {concept_id}) & set(cues.HUBS)][:limit]
    return ConceptReport(
        concept=found[0],
        relations=_relations(store, rows, per_relation),
        comentions=_relations(store, comentions, per_relation),
        comention_min_docs=min_docs,
        unscored=_relations(store, unscored, per_relation),
        negated=negated,
        retracted=store.query(q.REASON_RETRACTED_EVIDENCE, {"id": concept_id, "hubs": hubs,
                                                                      "limit": cypher_limit(limit)}),
        contradictions=contradicted,
        papers=store.query(q.REASON_RECENT_PAPERS, {"id": concept_id, "limit": cypher_limit(limit)}),
    )


def patient_report(store: GraphStore, patient: str) -> PatientReport:
    """The patient's findings by assertion status, each with the notes it was read in.

    Raises
    ------
    ReportError
        When no note of that pseudonym is in the graph.
    """
    notes = store.query(q.REASON_PATIENT_NOTES, {"patient": patient})
    if not notes:
        raise ReportError(Errors.E921, patient=patient)
    rows = store.query(q.REASON_PATIENT_NOTE_FINDINGS, {"patient": patient, "hubs": list(cues.HUBS)})
    per_concept: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if r["type"] in q.PATIENT_FINDING_TYPES:  # as the patient's HAS_FINDING edges: no species, no genes
            per_concept[r["id"]].append(r)
    sections: dict[str, list[PatientFinding]] = {status: [] for status, _ in STATUS_SECTIONS}
    for cid, reads in per_concept.items():
        by_status = {s: [r for r in reads if (r.get(s) or 0) > 0] for s, _ in STATUS_SECTIONS}
        for status, hits in by_status.items():
            if not hits:
                continue
            also = {s: [r["note"] for r in other] for s, other in by_status.items() if other and s != status}
            sections[status].append(PatientFinding(
                id=cid, name=hits[0]["name"], type=hits[0]["type"], notes=[(r["note"], r["year"]) for r in hits],
                mentions=sum(int(r[status] or 0) for r in hits), also=also))
    for findings in sections.values():  # diseases and clinical findings before the drugs the notes mention
        findings.sort(key=lambda f: (f.type not in FINDING_TYPES, -len(f.notes), -f.mentions, (f.name or f.id).lower()))
    return PatientReport(patient, notes, sections)


def patient_pseudonym(patient: str, settings: Settings) -> str:
    """``pt_…`` as it is; a source patient id is pseudonymised with MEDKG_PSEUDONYM_KEY, as ingestion does.

    Raises
    ------
    ConfigError
        When a source id is given and no pseudonymisation key is set.
    """
    if patient.startswith(PATIENT_PREFIX):
        return patient
    from kg.privacy import load_key, pseudonymize

    return pseudonymize(patient, load_key(settings), "pt")


def _check_pseudonym_key(settings: Settings) -> None:
    """Why a source patient id found no note, when it is the key: MEDKG_PSEUDONYM_KEY is another than the one
    the data dir's notes were written with (the ledger keeps its fingerprint), so every pseudonym differs and
    "no note of patient pt_…" would send the reader looking for the wrong cause.

    Raises
    ------
    LedgerError
        E803, when the ledger pins another key than the one set.
    """
    if not settings.ledger_path.exists():
        return
    from kg.ledger import Ledger
    from kg.privacy import key_fingerprint, load_key

    with Ledger(settings.ledger_path) as ledger:
        ledger.check_pseudonym_key(key_fingerprint(load_key(settings)))


# -- rendering --------------------------------------------------------------------------------
def _md(text: object) -> str:
    """Text from the data for Markdown: HTML-significant characters escaped, so that a renderer shows an
    abstract's "<script>" or "<img onerror=…>" as text instead of running it, and no "[text](url)" made
    into a link (a name "[x](javascript:…)" stays text)."""
    return html.escape(str(text), quote=False).replace("](", "]\\(")


def plain(markdown: str) -> str:
    """A report's Markdown as a terminal shows it: the characters :func:`_md` escaped, as written."""
    return html.unescape(markdown.replace("]\\(", "]("))


def _cell(text: object) -> str:
    """``_md`` for a Markdown table cell, where a '|' would end the cell."""
    return _md(text).replace("|", "\\|")


def _notes(notes: list[tuple[str, int | None]]) -> str:
    return ", ".join(f"{n} ({y})" if y else n for n, y in notes)


def _also(also: dict[str, list[str]]) -> str:
    return "; ".join(f"{s} in {', '.join(ns)}" for s, ns in also.items())


QUOTES = (chr(8220), chr(8221))  # the HTML's curly quotes


def _sentence(r: dict, quotes: tuple[str, str] = ('"', '"')) -> str:
    """A negated or retracted evidence row's sentence in quotes, or, as citations say it, why there is none
    (note text is not stored unless ingested with --keep-text). Plain text: escape it for the format."""
    if r.get("sentence"):
        return f"{quotes[0]}{r['sentence']}{quotes[1]}"
    return Citation(doc_id=r["doc_id"], sentence="", score=0.0, assertion=r.get("assertion") or "negated").text()


def _concept(r: Relation) -> str:
    """``name (id, type)`` of the other end, as plain text (escape it for the format)."""
    return f"{r.name or r.other} ({r.other}{', ' + r.type if r.type else ''})"


def _contradiction(x: Contradiction) -> tuple[str, str, str, str]:
    """``name (id)`` of the subject, the predicate, ``name (id)`` of the object and the counts, as plain text."""
    return (f"{x.subject_name or x.subject} ({x.subject})", x.predicate, f"{x.object_name or x.object} ({x.object})",
            f"affirmed {x.affirmed}, negated {x.negated} (balance {x.balance:.2f})")


def _head(r: Relation) -> str:
    """``-> **PREDICATE** name (id, type)`` of a relation, in Markdown."""
    return f"{'->' if r.outgoing else '<-'} **{_md(r.predicate)}** {_md(_concept(r))}"


def _head_html(r: Relation) -> str:
    """The same in HTML: arrow, predicate, the other end's name in bold, its id and type."""
    e = html.escape
    return (f"{'&rarr;' if r.outgoing else '&larr;'} <span class=\"pred\">{e(r.predicate)}</span> "
            f"<b>{e(r.name or r.other)}</b> ({e(r.other)}{', ' + e(r.type) if r.type else ''})")


def _relation_line(r: Relation) -> str:
    flags = f", negated in {r.negated}" if r.negated else ""
    flags += f", {r.retracted} cited sentence(s) from RETRACTED papers" if r.retracted else ""
    weak = f" ({WEAK_NOTE})" if is_weak(r.combined_score) else ""
    return (f"{_head(r)}: score {r.combined_score:.3f}{weak}, {r.documents}, {r.evidence_count} sentence(s), "
            f"affirmed {r.affirmed}{flags}")


def _comention_line(r: Relation) -> str:
    """Plain text (the Markdown escapes it, the HTML too)."""
    npmi = f"NPMI {r.npmi:.2f}" if r.npmi is not None else "NPMI n/a"
    return f"{_concept(r)}: {npmi}, {r.documents}, {r.evidence_count} sentence(s)"


def _unscored_line(r: Relation) -> str:
    """What an edge without scored evidence rests on, as plain text (escape it for the format)."""
    return f"{unscored_counts(r.evidence_count, r.negated, r.retracted_count)}, in {r.documents}"


RELATIONS_NOTE = ("What the documents claim (papers, and clinical notes where they were ingested), strongest first: "
                  "calibrated combined score (noisy-OR over the documents of each document's score), then the number "
                  f"of documents; a score of {WEAK_SCORE} or below is marked weak (no more likely right than wrong). The human "
                  "hub (NCBITaxon:9606) and generic taxa such as Animals are not listed.")
UNSCORED_TITLE = "Relations without scored evidence (not claims)"
UNSCORED_SECTION_NOTE = ("Edges whose every sentence is negated, hypothetical or family history, or was read in a "
                         "retracted paper: such sentences are counted but never scored, so these edges have no scored "
                         "evidence and are no claims.")


def _comentions_note(report: ConceptReport) -> str:
    return (f"Mentioned in the same sentence (not a claimed relation), most informative first: NPMI over documents, "
            f"pairs seen in at least {report.comention_min_docs} document(s).")


def to_markdown(report: ConceptReport | PatientReport) -> str:
    if isinstance(report, PatientReport):
        return _patient_markdown(report)
    c = report.concept
    lines = [f"# {_md(c['name'])} ({_md(c['id'])})", "",
             (f"- type: {_md(c['type'])}; source: {_md(c['source'])} {_md(c['release'] or '')}; mentioned in "
             f"{c.get('doc_count') or 0} document(s)")]
    if c.get("synonyms"):
        lines.append(f"- synonyms: {_md('; '.join(c['synonyms'][:30]))}")
    if c.get("xrefs"):
        lines.append(f"- xrefs: {_md(', '.join(c['xrefs']))}")
    lines += ["", "## Claimed relations", "", RELATIONS_NOTE, ""]
    if not report.relations:
        lines.append("No claimed relation in the graph.")
    for n, r in enumerate(report.relations, 1):
        lines.append(f"{n}. {_relation_line(r)}")
        lines += [f"   - {_md(x.short())}" for x in r.citations]
    lines += ["", "## Co-mentions (same sentence, not claims)", "", _comentions_note(report), ""]
    if not report.comentions:
        lines.append("None.")
    for n, r in enumerate(report.comentions, 1):
        lines.append(f"{n}. {_md(_comention_line(r))}")
        lines += [f"   - {_md(x.short())}" for x in r.citations]
    lines += ["", f"## {UNSCORED_TITLE}", "", UNSCORED_SECTION_NOTE, ""]
    for r in report.unscored:
        lines.append(f"- {_head(r)}: {_md(_unscored_line(r))}")
        lines += [f"   - {_md(x.short())}" for x in r.citations]
    if not report.unscored:
        lines.append("None.")
    lines += ["", "## Negated evidence", ""]
    lines += [f"- {_md(r['predicate'])} {_md(r['name'])} ({_md(r['other'])}): {_md(r['doc_id'])}: "
              f"{_md(_sentence(r))}" for r in report.negated] or ["None."]
    lines += ["", "## Evidence from retracted papers", ""]
    lines += [f"- [RETRACTED] {_md(r['predicate'])} {_md(r['name'])} ({_md(r['other'])}): {_md(r['doc_id'])}: "
              f"{_md(_sentence(r))}" for r in report.retracted] or ["None."]
    lines += ["", "## Contradicted edges (affirmed and negated)", ""]
    lines += [f"- {_md(subject)} **{_md(predicate)}** {_md(obj)}: {counts}"
              for subject, predicate, obj, counts in map(_contradiction, report.contradictions)] or ["None."]
    lines += ["", "## Recent papers", ""]
    lines += [f"- {_md(p['id'])} ({_md(p['year'] or 'n.d.')}) {_md(p['title'] or '')} *{_md(p['journal'] or '')}*"
              for p in report.papers] or ["None."]
    return "\n".join(lines) + "\n"


def _patient_markdown(report: PatientReport) -> str:
    notes = _md(_notes([(n["id"], n["year"]) for n in report.notes]))
    lines = [f"# Patient {_md(report.patient)}", "",
             (f"{len(report.notes)} note(s): {notes}. Findings by assertion status (ConText rules and note sections); "
             "ids are pseudonyms and no note text is stored."), ""]
    for status, title in STATUS_SECTIONS:
        found = report.sections[status]
        lines += [f"## {title}: {len(found)}", ""]
        if not found:
            lines += ["None.", ""]
            continue
        lines += ["| finding | type | notes | also read as |", "|---|---|---|---|"]
        lines += [f"| {_cell(f.name or f.id)} ({_cell(f.id)}) | {_cell(f.type or '')} | {_cell(_notes(f.notes))} | "
                  f"{_cell(_also(f.also))} |" for f in found]
        lines.append("")
    return "\n".join(lines)


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:62rem;margin:2rem auto;line-height:1.45;color:#222}"
    "h1{font-size:1.6rem}h2{font-size:1.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}"
    ".note{color:#555;font-size:.92em}blockquote{color:#444;margin:.2rem 0 .2rem 1rem;font-size:.92em}"
    ".pred{display:inline-block;padding:0 .4rem;border-radius:.3rem;background:#e8eefc;color:#1f3c88;"
    "font-weight:600;font-size:.9em}.cooc .pred{background:#eee;color:#555}"
    ".neg{color:#b00}.badge{display:inline-block;padding:0 .35rem;border-radius:.3rem;font-size:.8em;"
    "font-weight:700;margin-left:.3rem}.badge.neg{background:#fde2e2}.badge.retracted{background:#b00;color:#fff}"
    ".badge.weak{background:#eee;color:#555}"
    "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;"
    "vertical-align:top}th{background:#f4f4f4}"
)


def _cite_html(x: Citation) -> str:
    e = html.escape
    badges = ""
    if x.assertion not in ("affirmed", None):
        badges += f"<span class=\"badge neg\">{e(x.assertion)}</span>"
    if x.retracted:
        badges += "<span class=\"badge retracted\">RETRACTED</span>"
    year = f" ({x.year})" if x.year else ""
    cls = " ".join(c for c in ("neg" if x.assertion == "negated" else "", "retracted" if x.retracted else "") if c)
    return (f"<blockquote class=\"{cls}\"><b>{e(x.doc_id)}</b>{year}{badges}: "
            f"{e(x.text() if not x.sentence else chr(8220) + x.sentence[:400] + chr(8221))}</blockquote>")


def _contradiction_html(x: Contradiction) -> str:
    """A contradicted edge as a list item: the ends' names in bold with their ids, the predicate as a pill."""
    e = html.escape
    return (f"<li class=\"contradiction\" data-predicate=\"{e(x.predicate)}\"><b>{e(x.subject_name or x.subject)}</b> "
            f"({e(x.subject)}) <span class=\"pred\">{e(x.predicate)}</span> <b>{e(x.object_name or x.object)}</b> "
            f"({e(x.object)}): {e(_contradiction(x)[3])}</li>")


def to_html(report: ConceptReport | PatientReport) -> str:
    """A self-contained page (no script, no external resource); sections have ids for links and tests."""
    e = html.escape
    if isinstance(report, PatientReport):
        title = f"Patient {report.patient}"
        parts = [(f"<p class=\"note\">{len(report.notes)} note(s): {e(_notes([(n['id'], n['year']) for n in report.notes]))}"
                 ". Findings by assertion status (ConText rules and note sections); ids are pseudonyms and no note "
                 "text is stored.</p>")]
        for status, heading in STATUS_SECTIONS:
            found = report.sections[status]
            parts.append(f"<section id=\"{status}\" class=\"status\"><h2>{e(heading)}: {len(found)}</h2>")
            if not found:
                parts.append("<p>None.</p></section>")
                continue
            rows = "".join(
                f"<tr class=\"finding\"><td>{e(f.name or f.id)} ({e(f.id)})</td><td>{e(f.type or '')}</td>"
                f"<td>{e(_notes(f.notes))}</td><td>{e(_also(f.also))}</td></tr>" for f in found)
            parts.append("<table><tr><th>finding</th><th>type</th><th>notes</th><th>also read as</th></tr>"
                         f"{rows}</table></section>")
        body = "".join(parts)
    else:
        c = report.concept
        title = f"{c['name']} ({c['id']})"
        parts = [(f"<p>type {e(str(c['type']))}; source {e(str(c['source']))} {e(str(c['release'] or ''))}; "
                 f"mentioned in {c.get('doc_count') or 0} document(s)</p>")]
        if c.get("synonyms"):
            parts.append(f"<p><b>Synonyms:</b> {e('; '.join(c['synonyms'][:30]))}</p>")
        if c.get("xrefs"):
            parts.append(f"<p><b>Xrefs:</b> {e(', '.join(c['xrefs']))}</p>")
        parts.append(f"<section id=\"relations\"><h2>Claimed relations</h2><p class=\"note\">"
                     f"{e(RELATIONS_NOTE)}</p><ol>")
        for r in report.relations:
            flags = f"<span class=\"badge neg\">negated in {r.negated}</span>" if r.negated else ""
            flags += (f"<span class=\"badge retracted\">{r.retracted} from retracted papers</span>"
                      if r.retracted else "")
            flags += f"<span class=\"badge weak\">{e(WEAK_NOTE)}</span>" if is_weak(r.combined_score) else ""
            parts.append(
                f"<li class=\"relation\" data-predicate=\"{e(r.predicate)}\">{_head_html(r)}: "
                f"score {r.combined_score:.3f}, {e(r.documents)}, {r.evidence_count} sentence(s), "
                f"affirmed {r.affirmed}{flags}{''.join(_cite_html(x) for x in r.citations)}</li>")
        if not report.relations:
            parts.append("<li>No claimed relation in the graph.</li>")
        parts.append(f"</ol></section><section id=\"co-mentions\"><h2>Co-mentions (same sentence, not claims)</h2>"
                     f"<p class=\"note\">{e(_comentions_note(report))}</p><ol>")
        for r in report.comentions:
            parts.append(f"<li class=\"comention cooc\"><span class=\"pred\">{e(r.predicate)}</span> "
                         f"{e(_comention_line(r))}{''.join(_cite_html(x) for x in r.citations)}</li>")
        if not report.comentions:
            parts.append("<li>None.</li>")
        parts.append(f"</ol></section><section id=\"unscored\"><h2>{e(UNSCORED_TITLE)}</h2>"
                     f"<p class=\"note\">{e(UNSCORED_SECTION_NOTE)}</p><ul>")
        parts += [f"<li class=\"unscored\" data-predicate=\"{e(r.predicate)}\">{_head_html(r)}: "
                  f"{e(_unscored_line(r))}{''.join(_cite_html(x) for x in r.citations)}</li>"
                  for r in report.unscored] or ["<li>None.</li>"]
        parts.append("</ul></section><section id=\"negated\"><h2>Negated evidence</h2><ul>")
        parts += [f"<li class=\"neg\">{e(r['predicate'])} {e(r['name'] or '')} ({e(r['other'])}): {e(r['doc_id'])}: "
                  f"{e(_sentence(r, QUOTES))}</li>" for r in report.negated] or ["<li>None.</li>"]
        parts.append("</ul></section><section id=\"retracted\"><h2>Evidence from retracted papers</h2><ul>")
        parts += [f"<li class=\"retracted\"><span class=\"badge retracted\">RETRACTED</span> {e(r['predicate'])} "
                  f"{e(r['name'] or '')} ({e(r['other'])}): {e(r['doc_id'])}: {e(_sentence(r, QUOTES))}"
                  "</li>" for r in report.retracted] or ["<li>None.</li>"]
        parts.append("</ul></section><section id=\"contradictions\"><h2>Contradicted edges</h2><ul>")
        parts += [_contradiction_html(x) for x in report.contradictions] or ["<li>None.</li>"]
        parts.append("</ul></section><section id=\"papers\"><h2>Recent papers</h2><ul>")
        parts += [f"<li>{e(p['id'])} ({e(str(p['year'] or 'n.d.'))}) {e(p['title'] or '')} "
                  f"<i>{e(p['journal'] or '')}</i></li>" for p in report.papers] or ["<li>None.</li>"]
        parts.append("</ul></section>")
        body = "".join(parts)
    return (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{e(title)}</title><style>{_CSS}</style>"
            f"</head><body><h1>{e(title)}</h1>{body}</body></html>\n")


def report_command(
    target: str | None, settings: Settings, *, patient: str | None = None, out: Path | None = None,
    fmt: str | None = None, limit: int = 10, per_relation: int = 2,
) -> str:
    """What ``medkg report`` prints (or writes to ``out``; the format follows its suffix).

    ``target`` is a concept id, a concept name (read as ``medkg ask`` reads it) or a ``pt_``
    pseudonym; ``patient`` a ``pt_`` pseudonym or a source patient id (pseudonymised with
    MEDKG_PSEUDONYM_KEY). Returns the report text, or the path written.

    Raises
    ------
    NotInGraphError
        When the target is not in the graph (ReportError for a patient or an unknown id).
    ArgumentError
        When the format is neither md nor html (a ValueError).
    ConfigError
        When a source patient id is given without MEDKG_PSEUDONYM_KEY.
    LedgerError
        When a source patient id finds no note and MEDKG_PSEUDONYM_KEY is not the key the data dir's notes
        were pseudonymised with (E803).
    """
    from kg.graph.backends import open_store

    fmt = (fmt or (out.suffix.lstrip(".") if out else "md")).lower()
    if fmt not in ("md", "markdown", "html", "htm"):
        raise ArgumentError(Errors.E922, format=fmt)
    if patient is None and target is not None and target.startswith(PATIENT_PREFIX):
        patient = target
    with open_store(settings) as store:
        if patient is not None:
            pseudonym = patient_pseudonym(patient, settings)
            try:
                report = patient_report(store, pseudonym)
            except ReportError:
                if pseudonym != patient:
                    _check_pseudonym_key(settings)
                raise
        else:
            report = concept_report(store, resolve_target(store, settings, target or ""), limit=limit,
                                    per_relation=per_relation)
    text = to_html(report) if fmt.startswith("htm") else to_markdown(report)
    if out is None:
        return text
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return str(out)
