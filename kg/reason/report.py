"""``medkg report CONCEPT``: an evidence report for a concept, or the findings of a pseudonymised patient.

Everything in a report is read from the graph and cited: a relation line names its PMIDs and
sentences, negated evidence is listed apart (a "does not cause" sentence is a result, not
noise), and co-mentions are marked as such. A patient report (``pt_…`` ids, as the notes source
writes them) lists the patient's findings over all notes (``HAS_FINDING``): status, counts per
assertion, number of notes and the years they span; it never holds note text.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from kg.config import Settings
from kg.graph.base import GraphStore
from kg.graph import cypher as q
from kg.errors import ArgumentError, Errors, ReportError
from kg.reason.ask import resolve_target
from kg.reason.contradictions import Contradiction, contradictions_in_store
from kg.reason.evidence import Citation, citations

PATIENT_PREFIX = "pt_"
ASSERTION_COUNTS = ("affirmed", "negated", "uncertain", "hypothetical", "historical", "family")


@dataclass
class Relation:
    predicate: str
    outgoing: bool
    other: str
    name: str | None
    combined_score: float
    evidence_count: int
    doc_count: int
    affirmed: int
    negated: int
    citations: list[Citation] = field(default_factory=list)


@dataclass
class ConceptReport:
    concept: dict
    relations: list[Relation]
    negated: list[dict]
    contradictions: list[Contradiction]
    papers: list[dict]


@dataclass
class PatientReport:
    patient: str
    findings: list[dict]


def concept_report(store: GraphStore, concept_id: str, *, limit: int = 10, per_relation: int = 2) -> ConceptReport:
    """Gather the report of ``concept_id``: its names and xrefs, top relations with sentences,
    negated evidence, contradicted edges and the most recent papers.

    Raises
    ------
    ReportError
        When the concept is not in the graph.
    """
    found = store.query(q.REASON_CONCEPT, {"id": concept_id})
    if not found:
        raise ReportError(Errors.E920, concept=concept_id)
    rows = store.query(q.REASON_RELATIONS, {"ids": [concept_id], "predicates": list(store.schema.triple_types),
                                            "direction": "any", "labels": [], "limit": limit})
    cites = citations(store, (r["key"] for r in rows), per_key=per_relation)
    relations = [
        Relation(r["predicate"], bool(r["outgoing"]), r["other"], r["name"], float(r["combined_score"] or 0.0),
                 int(r["evidence_count"] or 0), int(r["doc_count"] or 0), int(r["affirmed"] or 0),
                 int(r["negated"] or 0), cites.get(r["key"], []))
        for r in rows
    ]
    return ConceptReport(
        concept=found[0],
        relations=relations,
        negated=store.query(q.REASON_NEGATED_EVIDENCE, {"id": concept_id, "limit": limit}),
        contradictions=contradictions_in_store(store, concept=concept_id, top=limit),
        papers=store.query(q.REASON_RECENT_PAPERS, {"id": concept_id, "limit": limit}),
    )


def patient_report(store: GraphStore, patient: str) -> PatientReport:
    """The patient's findings over all notes: status (affirmed beats historical, uncertain,
    hypothetical, family; negated only when nothing else), counts, notes and years.

    Raises
    ------
    ReportError
        When no note of that pseudonym is in the graph.
    """
    findings = store.query(q.REASON_PATIENT_FINDINGS, {"patient": patient})
    if not findings:
        raise ReportError(Errors.E921, patient=patient)
    return PatientReport(patient, findings)


# -- rendering --------------------------------------------------------------------------------
def _assertions(row: dict) -> str:
    return ", ".join(f"{k} {int(row[k])}" for k in ASSERTION_COUNTS if row.get(k))


def _years(row: dict) -> str:
    first, last = row.get("first_year"), row.get("last_year")
    return "" if first is None else str(first) if first == last else f"{first}–{last}"


def to_markdown(report: ConceptReport | PatientReport) -> str:
    if isinstance(report, PatientReport):
        lines = [f"# Patient {report.patient}", "", "| finding | type | status | counts | notes | years |",
                 "|---|---|---|---|---|---|"]
        lines += [
            f"| {f['name']} ({f['id']}) | {f['type'] or ''} | **{f['status'] or ''}** | {_assertions(f)} | "
            f"{f['notes']} | {_years(f)} |"
            for f in report.findings
        ]
        return "\n".join(lines) + "\n"
    c = report.concept
    lines = [f"# {c['name']} ({c['id']})", "", f"- type: {c['type']}; source: {c['source']} {c['release'] or ''}"]
    if c.get("synonyms"):
        lines.append(f"- synonyms: {'; '.join(c['synonyms'][:30])}")
    if c.get("xrefs"):
        lines.append(f"- xrefs: {', '.join(c['xrefs'])}")
    lines += ["", "## Top relations", ""]
    if not report.relations:
        lines.append("No relation in the graph.")
    for n, r in enumerate(report.relations, 1):
        arrow = "->" if r.outgoing else "<-"
        lines.append(f"{n}. {arrow} **{r.predicate}** {r.name or r.other} ({r.other}): score {r.combined_score:.3f}, "
                     f"{r.evidence_count} sentence(s) in {r.doc_count} paper(s), affirmed {r.affirmed}, "
                     f"negated {r.negated}")
        lines += [f"   - {x.short()}" for x in r.citations]
    lines += ["", "## Negated evidence", ""]
    lines += [f"- {r['predicate']} {r['name']} ({r['other']}): {r['doc_id']}: \"{r['sentence']}\""
              for r in report.negated]
    if not report.negated:
        lines.append("None.")
    lines += ["", "## Contradicted edges (affirmed and negated)", ""]
    lines += [f"- {x.subject} {x.predicate} {x.object}: affirmed {x.affirmed}, negated {x.negated} "
              f"(balance {x.balance:.2f})" for x in report.contradictions]
    if not report.contradictions:
        lines.append("None.")
    lines += ["", "## Recent papers", ""]
    lines += [f"- {p['id']} ({p['year'] or 'n.d.'}) {p['title'] or ''} *{p['journal'] or ''}*" for p in report.papers]
    if not report.papers:
        lines.append("None.")
    return "\n".join(lines) + "\n"


_CSS = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;line-height:1.4}"
        "blockquote{color:#444;margin:.2rem 0 .2rem 1rem;font-size:.92em}.neg{color:#b00}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem}")


def to_html(report: ConceptReport | PatientReport) -> str:
    """A self-contained page (no script, no external resource)."""
    e = html.escape
    if isinstance(report, PatientReport):
        title = f"Patient {report.patient}"
        rows = "".join(
            f"<tr><td>{e(f['name'] or '')} ({e(f['id'])})</td><td>{e(f['type'] or '')}</td>"
            f"<td class=\"{'neg' if f['status'] == 'negated' else ''}\">{e(f['status'] or '')}</td>"
            f"<td>{e(_assertions(f))}</td><td>{f['notes']}</td><td>{e(_years(f))}</td></tr>"
            for f in report.findings
        )
        body = ("<table><tr><th>finding</th><th>type</th><th>status</th><th>counts</th><th>notes</th>"
                f"<th>years</th></tr>{rows}</table>")
    else:
        c = report.concept
        title = f"{c['name']} ({c['id']})"
        parts = [f"<p>type {e(str(c['type']))}; source {e(str(c['source']))} {e(str(c['release'] or ''))}</p>"]
        if c.get("synonyms"):
            parts.append(f"<p><b>Synonyms:</b> {e('; '.join(c['synonyms'][:30]))}</p>")
        if c.get("xrefs"):
            parts.append(f"<p><b>Xrefs:</b> {e(', '.join(c['xrefs']))}</p>")
        parts.append("<h2>Top relations</h2><ol>")
        for r in report.relations:
            cites = "".join(f"<blockquote class=\"{'neg' if x.assertion == 'negated' else ''}\">{e(x.short(400))}"
                            "</blockquote>" for x in r.citations)
            parts.append(
                f"<li>{'&rarr;' if r.outgoing else '&larr;'} <b>{e(r.predicate)}</b> {e(r.name or r.other)} "
                f"({e(r.other)}): score {r.combined_score:.3f}, {r.evidence_count} sentence(s) in {r.doc_count} "
                f"paper(s), affirmed {r.affirmed}, negated {r.negated}{cites}</li>"
            )
        parts.append("</ol><h2>Negated evidence</h2><ul>")
        parts += [f"<li class=\"neg\">{e(r['predicate'])} {e(r['name'] or '')} ({e(r['other'])}): {e(r['doc_id'])}: "
                  f"&ldquo;{e(r['sentence'] or '')}&rdquo;</li>" for r in report.negated] or ["<li>None.</li>"]
        parts.append("</ul><h2>Contradicted edges</h2><ul>")
        parts += [f"<li>{e(x.subject)} {e(x.predicate)} {e(x.object)}: affirmed {x.affirmed}, negated {x.negated} "
                  f"(balance {x.balance:.2f})</li>" for x in report.contradictions] or ["<li>None.</li>"]
        parts.append("</ul><h2>Recent papers</h2><ul>")
        parts += [f"<li>{e(p['id'])} ({e(str(p['year'] or 'n.d.'))}) {e(p['title'] or '')} "
                  f"<i>{e(p['journal'] or '')}</i></li>" for p in report.papers] or ["<li>None.</li>"]
        parts.append("</ul>")
        body = "".join(parts)
    return (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{e(title)}</title><style>{_CSS}</style>"
            f"</head><body><h1>{e(title)}</h1>{body}</body></html>\n")


def report_command(
    target: str, settings: Settings, *, out: Path | None = None, fmt: str | None = None, limit: int = 10,
    per_relation: int = 2,
) -> str:
    """What ``medkg report TARGET`` prints (or writes to ``out``; the format follows its suffix).

    ``target`` is a concept id, a concept name (resolved as ``medkg ask`` does) or a ``pt_`` patient
    pseudonym. Returns the report text, or the path written.

    Raises
    ------
    NotInGraphError
        When the target is not in the graph (ReportError for a patient or an unknown id).
    ArgumentError
        When the format is neither md nor html (a ValueError).
    """
    from kg.graph.backends import open_store

    fmt = (fmt or (out.suffix.lstrip(".") if out else "md")).lower()
    if fmt not in ("md", "markdown", "html", "htm"):
        raise ArgumentError(Errors.E922, format=fmt)
    with open_store(settings) as store:
        if target.startswith(PATIENT_PREFIX):
            report = patient_report(store, target)
        else:
            report = concept_report(store, resolve_target(store, settings, target), limit=limit,
                                    per_relation=per_relation)
    text = to_html(report) if fmt.startswith("htm") else to_markdown(report)
    if out is None:
        return text
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return str(out)

