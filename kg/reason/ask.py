"""``medkg ask "QUESTION"``: answers from the graph, with the PMIDs and sentences behind them, no LLM.

A question is read by ``kg.reason.question`` (concepts by medkg's own NER and linker, intent and
answer type from the cue words of ``kg.reason.cues``) and answered by parameterised Cypher
(``kg.graph.cypher.REASON_*``) or path search (``best_paths``):

- one concept and a relation word ("what causes X", "side effects of X", "what treats X", "what
  interacts with X", "genes linked to X"): the claimed relations of that kind, strongest first;
- several concepts joined by "and" or "or" ("what causes A and B?"): the concepts claimed for all of
  them first, then each one's answer;
- two concepts ("does A cause B", "how are A and B connected"): the edges between them, and the
  most believable paths when asked how they connect or when no claimed edge joins them;
- one concept and no relation word ("tell me about X"): a summary, by kind of relation.

Relation types are chosen by their biolink predicate in ``ontology/schema.yaml``, read at run
time. Every item cites documents and sentences. When no claimed relation of the asked kind
exists, co-mentions are shown instead and labelled as such (same sentence, not a claim); when
the graph has nothing, the answer says so, and that absence of evidence is not a "no". An edge
without scored evidence (only negated, hypothetical or family-history sentences, or only
retracted papers) is never a claim nor a co-mention: it is listed in a section of its own
(``claimed`` false, titled with ``UNSCORED_NOTE``), and the answer says what the graph has.

``AskAnswer`` is what ``medkg ask --json`` prints; its JSON Schema is ``docs/ask.schema.json``
(``python -m kg.reason.ask > docs/ask.schema.json``), described in ``docs/ask.md``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kg.config import Settings
from kg.errors import ArgumentError, Errors, NotInGraphError, SubgraphTooLargeError
from kg.graph import cypher as q
from kg.graph.base import GraphStore
from kg.reason import cues
from kg.reason.closure import expand
from kg.reason.evidence import (
    UNSCORED_NOTE,
    WEAK_NOTE,
    WEAK_SCORE,
    is_weak,
    Citation,
    citations,
    unscored_counts,
)
from kg.reason.paths import TIE, Path, best_paths, with_evidence
from kg.reason.question import (
    Finder,
    Found,
    OntologyLookup,
    Reading,
    StoreLookup,
    _is_hub,
    no_ner,
    read,
)
from kg.reason.subgraph import cypher_limit, extract_subgraph
from kg.vocab.curie import canonical_curie

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2  # 2: a path hop's alternatives (AskEdge)
COOCCURRENCE = "biolink:occurs_together_in_literature_with"
CAUSES = frozenset({"biolink:causes", "biolink:contributes_to", "biolink:causes_adverse_event"})
# BioRED's Negative_Correlation between a chemical and a disease is how it annotates treatment; between
# other kinds of concept (a chemical and a gene, two chemicals) it is only a correlation (see _treatment).
NEGATIVELY_CORRELATED = "biolink:negatively_correlated_with"
TREATS = frozenset({"biolink:treats", "biolink:ameliorates", NEGATIVELY_CORRELATED})
DRUG_TYPES = frozenset({"Chemical"})
TREATED_TYPES = frozenset({"Disease", "Finding"})
INTERACTS = frozenset({
    "biolink:interacts_with", "biolink:chemically_interacts_with", "biolink:physically_interacts_with",
    "biolink:directly_physically_interacts_with",
})
# intent -> (biolink predicates asked about (None: every claimed relation), direction, what it asks)
KINDS: dict[str, tuple[frozenset[str] | None, str, str]] = {
    "causes": (CAUSES, "in", "what causes {x}"),
    "effects": (CAUSES, "out", "what {x} causes"),
    "treats": (TREATS, "any", "what treats {x}"),
    "interacts": (INTERACTS, "any", "what interacts with {x}"),
    "associated": (None, "any", "what is associated with {x}"),
    "suggests": (None, "any", "which diseases {x} points to"),
}
# the same, of several concepts at once ("what both A and B cause")
COORDINATED_WHAT = {"causes": "what causes {x}", "effects": "what {x} cause", "treats": "what treats {x}",
                    "interacts": "what interacts with {x}", "associated": "what is associated with {x}",
                    "suggests": "which diseases {x} point to"}
PATH_HOPS = 3
PATH_MAX_EDGES = 50_000
SUMMARY_SHARE = 2  # a summary lists limit // 2 answers per section (at least one): 5 with the default 10
SUMMARY_SECTIONS = ("reported to cause (effects)", "reported causes",
                    "treatment relations (treats, or a drug negatively correlated with a disease or finding)",
                    "interactions", "other claimed relations (associated, correlated, ...)")
COORDINATED_POOL = 60  # relations fetched per concept of "what causes A and B?" to find the ones they share
COMENTION_MIN_DOCS = 2

Status = Literal["answered", "co_mentions_only", "no_evidence", "no_concept"]


# -- the answer, as --json prints it -------------------------------------------------------------
class _Out(BaseModel):
    # every field is always printed, so the exported (serialization) schema marks them all required
    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)


class AskConcept(_Out):
    """A concept of the graph."""

    id: str = Field(description="CURIE, e.g. MESH:D006973")
    name: str | None = Field(None, description="preferred name in the graph")
    type: str | None = Field(None, description="Disease, Chemical, Gene, Finding, Species, CellLine or Variant")


class AskFoundConcept(AskConcept):
    """A concept the question names: the words that named it and how it was found."""

    phrase: str = Field(description="the words of the question")
    found_by: Literal["id", "linker", "graph name"] = Field(
        description="written as an id; medkg's NER and linker; or the graph's names and synonyms")
    score: float = Field(description="the linker's score (1.0 for ids and exact names)")


class AskMissingConcept(_Out):
    """Words read as an entity whose concept the graph does not hold."""

    phrase: str
    ontology_id: str | None = Field(None, description="the ontology's concept for the words, if any: the linker's "
                                    "for a name, the id itself for an id the concept store has")
    ontology_name: str | None = None


class AskReading(_Out):
    """How the question was read."""

    text: str = Field(description="the reading in one sentence, as the Markdown answer prints it")
    intent: Literal["causes", "effects", "treats", "interacts", "associated", "suggests", "summary", "links"] | None = \
        Field(description="causes: what causes X; effects: what X causes (side effects); links: how A and B connect")
    pair: bool = Field(description="a question about two concepts (the first two of concepts)")
    concepts: list[AskFoundConcept] = Field(description="the asked concept first")
    answer_types: list[str] = Field(description="labels an answer may have ([]: any)")
    answer_types_asked: bool = Field(description="the question named them (else a default of the intent)")
    direction: Literal["in", "out", "any"] = Field(
        description="in: the asked concept is the object of the relation; out: the subject")
    cues: list[str] = Field(description="the cue words that decided intent and answer type")
    ignored: list[str] = Field(description="concepts named but never answered about (a hub: the human hub, a generic taxon such as Animals)")
    missing: list[AskMissingConcept] = Field(description="entities named that the graph does not hold")
    unread: list[str] = Field(description="words read as neither cue, question word nor concept")


class AskCitation(_Out):
    """One sentence of one document behind an edge."""

    doc_id: str = Field(description="PMID:… or a pseudonymised NOTE:…")
    year: int | None = None
    title: str | None = None
    sentence: str | None = Field(description="null where not stored (clinical notes without --keep-text)")
    assertion: str = Field(description="affirmed, negated, uncertain, hypothetical, historical or family")
    score: float = Field(description="the extractor's calibrated score for this sentence")
    retracted: bool = Field(description="from a retracted paper")
    spans: list[tuple[int, int]] = Field(
        default_factory=list, description="where the sentence names the edge's two concepts: [start, end) offsets in it"
    )


class AskItem(_Out):
    """One answer: the other concept, the edge between them (as stored) and its evidence."""

    concept: AskConcept = Field(description="the other end of the edge")
    predicate: str = Field(description="relationship type, e.g. INDUCES; CO_OCCURS_WITH for co-mentions")
    outgoing: bool = Field(description="the edge points from the asked concept to this one")
    claimed: bool = Field(description="a relation papers claim (false: only mentioned in the same sentence, or an "
                                      "edge without scored evidence, listed in a section of its own)")
    combined_score: float = Field(description="noisy-OR over documents of each document's best evidence score")
    evidence_count: int
    doc_count: int
    affirmed: int
    negated: int
    npmi: float | None = Field(None, description="co-mentions: normalised PMI over documents")
    about: str | None = Field(None, description="the asked concept or, with --subtypes, the subtype it holds for")
    citations: list[AskCitation]


class AskSection(_Out):
    """A titled list of items: claimed relations, co-mentions, or the edges between two concepts."""

    title: str
    kind: Literal["relations", "co-mentions", "edges"]
    items: list[AskItem]


class AskEdge(_Out):
    """An edge between two concepts of a path, as stored (subject -> object)."""

    subject: str
    predicate: str
    object: str
    claimed: bool = Field(description="a relation papers claim (false: only mentioned in the same sentence)")
    combined_score: float
    evidence_count: int


class AskHop(AskEdge):
    """One edge of a path: the strongest claimed edge of the pair (a co-mention only when no claim links it)."""

    citations: list[AskCitation]
    alternatives: list[AskEdge] = Field(
        default_factory=list, description="the pair's other edges, claims (strongest first) before the co-mention")


class AskPath(_Out):
    """A chain of edges between two concepts through others; score = product of the hops' scores."""

    nodes: list[AskConcept]
    hops: list[AskHop]
    score: float


class AskAnswer(_Out):
    """What ``medkg ask --json`` prints for one question (docs/ask.md)."""

    schema_version: Literal[2] = SCHEMA_VERSION
    question: str
    status: Status = Field(description=(
        "answered: claimed evidence; co_mentions_only: only same-sentence mentions; no_evidence: the question "
        "was read but the graph holds nothing for it; no_concept: no concept of the graph found"))
    reading: AskReading
    message: str = Field(description="the answer in one paragraph, as the Markdown answer prints it")
    sections: list[AskSection] = Field(default_factory=list)
    paths: list[AskPath] = Field(default_factory=list)

    @property
    def answered(self) -> bool:
        return self.status == "answered"

    def items(self) -> list[AskItem]:
        return [i for s in self.sections for i in s.items]


def answer_schema() -> dict:
    """The JSON Schema of what ``--json`` prints (``docs/ask.schema.json``)."""
    return AskAnswer.model_json_schema(mode="serialization")


# -- answering ---------------------------------------------------------------------------------
@dataclass
class _Context:
    store: GraphStore
    limit: int
    per_item: int
    isa: object
    include_subtypes: bool


def ask(
    question: str,
    store: GraphStore,
    find: Finder = no_ner,
    *,
    limit: int = 10,
    per_item: int = 2,
    isa=None,
    include_subtypes: bool = False,
    ontology: OntologyLookup | None = None,
) -> AskAnswer:
    """Read ``question`` and answer it from ``store``, or say plainly why there is nothing to say.

    Parameters
    ----------
    question : str
        Free text: "What can trigger asthma attacks?", "Adverse reactions of cisplatin?", ...
    store : GraphStore
        An open store.
    find : callable
        The NER + linker finder (``kg.reason.question.annotator_finder``); the default finds
        concepts by ids and graph names only.
    limit : int
        Answers (or paths) to return.
    per_item : int
        Citations per answer or path hop.
    isa : networkx.DiGraph, optional
        The is_a graph (``kg.reason.closure.isa_graph``); needed for ``include_subtypes``.
    include_subtypes : bool
        Ask about the concept and all its subtypes.
    ontology : OntologyLookup, optional
        The concept store: an id the graph lacks is said to be in the ontology only when it is there.

    Returns
    -------
    AskAnswer
        ``status`` is ``no_concept`` when the question names nothing the graph holds.

    Raises
    ------
    ValueError
        When ``include_subtypes`` is asked without ``isa``.
    """
    if include_subtypes and isa is None:
        # Internal: ask_command always passes isa with include_subtypes; only a wrong caller gets here.
        raise ValueError("include_subtypes needs the is_a graph (kg.reason.closure.isa_graph)")
    return answer(read(question, find, StoreLookup(store), ontology), store, limit=limit, per_item=per_item, isa=isa,
                  include_subtypes=include_subtypes)


def answer(reading: Reading, store: GraphStore, *, limit: int = 10, per_item: int = 2, isa=None,
           include_subtypes: bool = False) -> AskAnswer:
    """Answer a question already read (``kg.reason.question.read``)."""
    ctx = _Context(store, limit, per_item, isa, include_subtypes)
    _warn_alternatives(reading)
    if not reading.concepts:
        known = [m for m in reading.missing if m.known_as]
        if known:  # understood, but the graph has never seen it: no evidence, said plainly
            return _build(reading, "no_evidence", "; ".join(
                f"\"{m.phrase}\" is {m.name or m.known_as} ({m.known_as}) in the ontology, but no document of the "
                "graph mentions it" for m in known) + ": the graph has no evidence about it (which is not evidence "
                "that there is none).")
        return _build(reading, "no_concept", _no_concept_message(reading))
    if reading.pair and len(reading.concepts) < 2:
        # "does aspirin interact with zorblax?": the second concept is not in the graph at all
        m = reading.missing[0]
        known = f" (the ontology knows it as {m.name or m.known_as})" if m.known_as else ""
        return _build(reading, "no_evidence", (
            f"The graph holds no document that mentions \"{m.phrase}\"{known}, so it has no evidence "
            f"about it and {reading.concepts[0].name or reading.concepts[0].id} (which is not evidence that "
            "there is no relation)."))
    if reading.pair:
        return _pair(ctx, reading)
    if reading.about_two and len(reading.concepts) == 1 and reading.repeated:
        x = reading.focus
        return _build(reading, "no_concept", f"{ArgumentError(Errors.E912, concept=x.id).reason}: \"{x.phrase}\" and "
                      f"\"{reading.repeated[0]}\" both name {x.name or x.id}. Name two different concepts to ask how "
                      "they connect.")
    found = _summary(ctx, reading) if reading.intent == "summary" else _relations(ctx, reading)
    if note := _one_of_two(reading):
        return found.model_copy(update={"message": f"{note} {found.message}"})
    return found


def _one_of_two(reading: Reading) -> str:
    """What a question about how two concepts connect lost of the second, said before the answer about the first
    alone: a hub (E914), or words that name no concept of the graph; "" when nothing was lost."""
    if not reading.about_two or len(reading.concepts) != 1:
        return ""
    x = reading.focus.name or reading.focus.id
    if reading.hubs:
        phrase, cid, name = reading.hubs[0]
        why = NotInGraphError(Errors.E914, target=phrase, concept=cid, name=name or cid).reason
    elif reading.unread:
        why = ", ".join(f'"{w}"' for w in reading.unread) + " name(s) no concept of the graph"
    else:
        return ""
    return f"Only one of two concepts was found ({why}), so this answers about {x} alone."


def _no_concept_message(reading: Reading) -> str:
    parts = [f"no concept with the id {m.phrase} is in the graph" if m.how == "id" and not m.known_as
             else f"\"{m.phrase}\" is not in the graph" for m in reading.missing] + [
        f"ignored {x}" for x in reading.ignored]
    if reading.unread:
        parts.append("words I could not place: " + ", ".join(f"\"{w}\"" for w in reading.unread))
    return ("I found no concept of the graph in this question" + (f" ({'; '.join(parts)})" if parts else "") + ". "
            "Name a disease, drug, gene or finding (or an id such as MESH:D003920); for example \"What causes "
            "lactic acidosis?\", \"Side effects of cisplatin?\", \"Tell me about aspirin\", \"How are insulin and "
            "obesity connected?\". `medkg query` runs Cypher for anything else.")


def _types(store: GraphStore, biolink: frozenset[str] | None) -> list[str]:
    """Triple types whose biolink predicate is in ``biolink`` (None: every claimed relation)."""
    specs = [store.schema.relationships[t] for t in store.schema.triple_types]
    if biolink is None:
        return [s.name for s in specs if s.biolink != COOCCURRENCE]
    return [s.name for s in specs if s.biolink in biolink]


def _cooccurrence(store: GraphStore) -> list[str]:
    return [t for t in store.schema.triple_types if store.schema.relationships[t].biolink == COOCCURRENCE]


def _treatment(biolink: str, one: str | None, other: str | None) -> bool:
    """Whether a relation of these two types of concept is a treatment: biolink treats or ameliorates,
    or a negative correlation between a chemical (a drug) and a disease or finding, either way round.

    BioRED annotates "drug X lowers disease Y" as a negative correlation, and just as much "ethanol
    reduces the cross-linking of insulin" or "amphetamine raises dopamine": those are correlations only.
    """
    if biolink not in TREATS:
        return False
    if biolink != NEGATIVELY_CORRELATED:
        return True
    return (one in DRUG_TYPES and other in TREATED_TYPES) or (other in DRUG_TYPES and one in TREATED_TYPES)


def _treats_filter(ctx: _Context, reading: Reading, x: Found):
    """For "what treats X": the rows that are a treatment of (or by) ``x`` (None for other intents)."""
    if reading.intent != "treats":
        return None
    schema = ctx.store.schema.relationships
    return lambda r: _treatment(schema[r["predicate"]].biolink, x.type, r.get("type"))


def _asked_kind(ctx: _Context, reading: Reading) -> tuple[str, str, list[str], list[str], str, str]:
    """What a relation question asks: the direction, how to say it of one concept ("what causes {x}"), the
    relation types, the answer types, and how titles say those (" (only Chemical)", the type names)."""
    kinds, direction, what = KINDS[reading.intent]
    if reading.intent == "treats" and reading.direction == "out":
        # BioRED's negative correlation has no fixed direction: the answer types pick the other side
        what = "what {x} treats"
    labels = reading.answer_types
    typed = _types(ctx.store, kinds)
    only = f" (only {', '.join(labels)})" if labels else ""
    names = "any claimed relation" if kinds is None else ", ".join(typed) or "no such relation type in the schema"
    return direction, what, typed, labels, only, names


def _claimed(ctx: _Context, reading: Reading, x: Found, typed: list[str], labels: list[str], direction: str,
             limit: int | None = None) -> tuple[list[str], str, list[dict], list[dict]]:
    """What the graph claims of one asked concept: its ids (with its subtypes when asked), how titles name
    them, its claimed relation rows (for "what treats": treatments only), and the other concepts its edges
    of that kind reach only without scored evidence."""
    ids = expand(ctx.isa, [x.id], include_subtypes=True) if ctx.include_subtypes else [x.id]
    scope = f"{x.name or x.id} ({x.id})" + (f" and {len(ids) - 1} subtype(s)" if len(ids) > 1 else "")
    if not typed:
        return ids, scope, [], []
    keep = _treats_filter(ctx, reading, x)
    rows = _rows(ctx, ids, typed, labels, direction=direction, keep=keep, limit=limit)
    listed = {r["other"] for r in rows}
    unscored = [r for r in _rows(ctx, ids, typed, labels, direction=direction, scored=False, keep=keep)
                if r["other"] not in listed]
    return ids, scope, rows, unscored


def _relations(ctx: _Context, reading: Reading) -> AskAnswer:
    if reading.coordinated > 1:
        return _coordinated(ctx, reading)
    x = reading.focus
    direction, what, typed, labels, only, names = _asked_kind(ctx, reading)
    ids, scope, rows, unscored = _claimed(ctx, reading, x, typed, labels, direction)
    title = f"{what.format(x=scope)}{only}: {names}"
    apart = [_unscored_section(ctx, f"{title}: {UNSCORED_NOTE}", unscored)] if unscored else []
    apart_note = (f" {len(unscored)} other concept(s) with edges of this kind that have no scored evidence (negated, "
                  "hypothetical or family-history sentences, or retracted papers only) are listed apart, not as "
                  "claims." if unscored else "")
    if rows:
        section = AskSection(title=title, kind="relations", items=_items(ctx, rows, claimed=True))
        n = len({c.doc_id for i in section.items for c in i.citations})
        cited = f" (citing {n} document(s))" if n else ""
        weak = sum(is_weak(i.combined_score) for i in section.items)
        weak_note = f" {weak} of them weak (score {WEAK_SCORE} or below: no more likely right than wrong)." if weak else ""
        return _build(reading, "answered", f"{len(section.items)} concept(s) with a claimed relation, strongest "
                      f"first{cited}.{weak_note}{apart_note}", [section, *apart])
    comention = _rows(ctx, ids, _cooccurrence(ctx.store), labels, min_docs=1)
    message = f"The graph has no claimed relation of this kind for {scope}{only}.{apart_note}"
    if reading.intent == "treats" and typed and _rows(ctx, ids, typed, labels, direction=direction, limit=1):
        message += (f" Its negative correlations with concepts that are not a drug and a disease or finding are not "
                    f"read as treatment (\"what is associated with {x.name or x.id}\" lists them).")
    if comention:
        message += (" Concepts mentioned in the same sentences instead, most informative first (NPMI; "
                    "a co-mention is not a claim):")
        return _build(reading, "co_mentions_only", message, [AskSection(
            title=f"mentioned in the same sentence as {scope}{only}", kind="co-mentions",
            items=_items(ctx, comention, claimed=False)), *apart])
    message += " Nothing of that kind is mentioned with it in one sentence either (no evidence is not a no)."
    return _build(reading, "no_evidence", message, apart)


def _coordinated(ctx: _Context, reading: Reading) -> AskAnswer:
    """"What causes hypotension and bradycardia?": first the concepts claimed for all of them (each with its edge
    to each, strongest first by its weakest edge), then, concept by concept, what a one-concept question answers."""
    asked = reading.asked
    direction, what, typed, labels, only, names = _asked_kind(ctx, reading)
    together = ("what {x} treat" if reading.intent == "treats" and reading.direction == "out"
                else COORDINATED_WHAT[reading.intent])
    parts = []  # (concept, scope, ids, claimed rows, unscored rows)
    for x in asked:
        ids, scope, rows, unscored = _claimed(ctx, reading, x, typed, labels, direction, limit=COORDINATED_POOL)
        parts.append((x, scope, ids, rows, unscored))
    by_other = [{r["other"]: r for r in rows} for _, _, _, rows, _ in parts]
    common = sorted(set.intersection(*(set(b) for b in by_other)),
                    key=lambda o: (-min(float(b[o]["combined_score"] or 0) for b in by_other), o))[: ctx.limit]
    everyone = "both" if len(asked) == 2 else "all of"
    joined = ", ".join(p[1] for p in parts[:-1]) + f" and {parts[-1][1]}"
    short = ", ".join(x.name or x.id for x in asked[:-1]) + f" and {asked[-1].name or asked[-1].id}"
    sections: list[AskSection] = []
    if common:
        sections.append(AskSection(
            title=f"{together.format(x=f'{everyone} {joined}')}{only}: {names}", kind="relations",
            items=_items(ctx, [b[o] for o in common for b in by_other], claimed=True)))
        listed_common = ", ".join(by_other[0][o].get("name") or o for o in common)
        message = (f"{len(common)} concept(s) with a claimed relation of this kind to {everyone} {short}: "
                   f"{listed_common}.")
    else:
        message = f"No concept has a claimed relation of this kind to {everyone} {short}."
    status: Status = "no_evidence"
    each = []
    for x, scope, ids, rows, unscored in parts:
        title = f"{what.format(x=scope)}{only}: {names}"
        if rows:
            status = "answered"
            sections.append(AskSection(title=title, kind="relations", items=_items(ctx, rows[: ctx.limit],
                                                                                   claimed=True)))
            each.append(f"{x.name or x.id}: {len(rows[: ctx.limit])} concept(s) with a claimed relation")
        else:
            comention = _rows(ctx, ids, _cooccurrence(ctx.store), labels, min_docs=1)
            if comention:
                status = "co_mentions_only" if status == "no_evidence" else status
                sections.append(AskSection(title=f"mentioned in the same sentence as {scope}{only}",
                                           kind="co-mentions", items=_items(ctx, comention, claimed=False)))
            each.append(f"{x.name or x.id}: no claimed relation of this kind" + (
                ", only co-mentions (not claims)" if comention else ", nor a co-mention"))
        if unscored:
            sections.append(_unscored_section(ctx, f"{title}: {UNSCORED_NOTE}", unscored))
    message += (" Then each one's" if common else " Each one's") + ", strongest first: " + "; ".join(each) + "."
    if any(p[4] for p in parts):
        message += (" Concepts with edges of this kind that have no scored evidence (negated, hypothetical or "
                    "family-history sentences, or retracted papers only) are listed apart, not as claims.")
    return _build(reading, status, message, sections)


def _rows(ctx: _Context, ids: list[str], predicates: list[str], labels: list[str], *, direction: str | None = None,
          min_docs: int | None = None, limit: int | None = None, scored: bool = True, keep=None) -> list[dict]:
    """Relation rows (``direction`` given; ``scored`` false: the edges without scored evidence) or
    co-mention rows (``min_docs`` given), one per other concept: its strongest edge when several ids
    or types reach it (``keep``: only the rows it is true for)."""
    if not predicates:
        return []
    limit = limit or ctx.limit
    params = {"ids": ids, "predicates": predicates, "labels": labels, "hubs": list(cues.HUBS),
              "limit": cypher_limit(limit * 5)}
    if direction is not None:
        query, params["direction"], params["scored"] = q.REASON_RELATIONS, direction, scored
    else:
        query, params["min_docs"] = q.REASON_COMENTIONS, min_docs or 1
    best: dict[str, dict] = {}
    for r in ctx.store.query(query, params):  # already ordered, best first
        if keep is None or keep(r):
            best.setdefault(r["other"], r)
    return list(best.values())[:limit]


def _citation(c: Citation) -> AskCitation:
    return AskCitation(doc_id=c.doc_id, year=c.year, title=c.title, sentence=c.sentence or None,
                       assertion=c.assertion, score=c.score, retracted=c.retracted, spans=list(c.spans))


def _items(ctx: _Context, rows: list[dict], *, claimed: bool | None, other: AskConcept | None = None) -> list[AskItem]:
    """Items for relation rows (``claimed`` None: decided per row, co-occurrence types are not claims)."""
    found = citations(ctx.store, (r["key"] for r in rows), per_key=ctx.per_item)
    cooc = set(_cooccurrence(ctx.store))
    return [
        AskItem(
            concept=other or AskConcept(id=r["other"], name=r.get("name"), type=r.get("type")),
            predicate=r["predicate"], outgoing=bool(r["outgoing"]),
            claimed=(r["predicate"] not in cooc) if claimed is None else claimed,
            combined_score=float(r.get("combined_score") or 0.0), evidence_count=int(r.get("evidence_count") or 0),
            doc_count=int(r.get("doc_count") or 0), affirmed=int(r.get("affirmed") or 0),
            negated=int(r.get("negated") or 0), npmi=r.get("npmi"), about=r.get("concept"),
            citations=[_citation(c) for c in found.get(r["key"], [])],
        )
        for r in rows
    ]


def _unscored_section(ctx: _Context, title: str, rows: list[dict], other: AskConcept | None = None) -> AskSection:
    """Edges without scored evidence, apart: ``kind`` "edges" (claimed and not), every item not claimed."""
    return AskSection(title=title, kind="edges", items=_items(ctx, rows, claimed=False, other=other))


def _summary(ctx: _Context, reading: Reading) -> AskAnswer:
    """Everything claimed about one concept, by kind of relation, then its most telling co-mentions; only
    concepts of the answer types when the question names them ("hypertension drugs?": chemicals)."""
    per_section = max(1, ctx.limit // SUMMARY_SHARE)  # --limit counts: the sections share it
    x = reading.focus
    labels = reading.answer_types
    only = f" (only {', '.join(labels)})" if labels else ""
    card = ctx.store.query(q.REASON_CONCEPT, {"id": x.id})[0]
    claimed = _types(ctx.store, None)
    rows = _rows(ctx, [x.id], claimed, labels, direction="any", limit=max(60, 12 * per_section))
    schema = ctx.store.schema.relationships
    groups: dict[str, list[dict]] = {}
    for r in rows:
        biolink = schema[r["predicate"]].biolink
        if biolink in CAUSES:
            key = SUMMARY_SECTIONS[0] if r["outgoing"] else SUMMARY_SECTIONS[1]
        elif _treatment(biolink, x.type, r.get("type")):
            key = SUMMARY_SECTIONS[2]
        elif biolink in INTERACTS:
            key = SUMMARY_SECTIONS[3]
        else:  # other negative correlations too: a correlation, not a treatment
            key = SUMMARY_SECTIONS[4]
        groups.setdefault(key, []).append(r)
    sections = [AskSection(title=k + only, kind="relations",
                           items=_items(ctx, groups[k][:per_section], claimed=True))
                for k in SUMMARY_SECTIONS if k in groups]
    comention = _rows(ctx, [x.id], _cooccurrence(ctx.store), labels, min_docs=COMENTION_MIN_DOCS,
                      limit=per_section)
    if comention:
        sections.append(AskSection(title=f"most telling co-mentions (NPMI, seen in at least {COMENTION_MIN_DOCS} "
                                   f"documents; not claims){only}", kind="co-mentions",
                                   items=_items(ctx, comention, claimed=False)))
    unscored = _rows(ctx, [x.id], claimed, labels, direction="any", limit=per_section, scored=False)
    if unscored:
        sections.append(_unscored_section(ctx, f"relations{only} with {UNSCORED_NOTE}", unscored))
    docs = card.get("doc_count") or 0
    intro = f"{x.name or x.id} ({x.id}, {x.type or 'concept'}) is mentioned in {docs} document(s) of the graph."
    if labels:
        intro += f" Only what relates it to a {' or '.join(labels)}, as the question asks."
    if not sections:
        if not labels:
            return _build(reading, "no_evidence", intro + " The graph holds no relation or co-mention for it.")
        other = any(_rows(ctx, [x.id], types, [], limit=1, **kw) for types, kw in (
            (claimed, {"direction": "any"}), (_cooccurrence(ctx.store), {"min_docs": 1}),
            (claimed, {"direction": "any", "scored": False})))
        return _build(reading, "no_evidence", intro + f" The graph holds no relation or co-mention of it with a "
                      f"{' or '.join(labels)}" + (f" (it holds some with other kinds of concept: \"tell me about "
                                                  f"{x.name or x.id}\" lists them)." if other else "."))
    status: Status = "answered" if groups else "co_mentions_only" if comention else "no_evidence"
    if not groups:
        intro += (" No claimed relation; only co-mentions:" if comention else
                  " No claimed relation and no co-mention; only edges with no scored evidence (not claims):")
    return _build(reading, status, intro, sections)


def _pair(ctx: _Context, reading: Reading) -> AskAnswer:
    a, b = reading.concepts[0], reading.concepts[1]  # two different concepts: read() keeps a repeated one apart
    kinds, _, _ = KINDS.get(reading.intent or "", (None, "any", ""))
    asked = set(_types(ctx.store, kinds))  # None: any claimed relation ("is A associated with B?")
    cooc = set(_cooccurrence(ctx.store))
    found = ctx.store.query(q.REASON_EDGES_BETWEEN, {"a": a.id, "b": b.id})
    schema = ctx.store.schema.relationships

    def is_asked(r: dict) -> bool:  # "does ethanol treat insulin?": a negative correlation of a drug and a gene is not
        return r["predicate"] in asked and (
            reading.intent != "treats" or _treatment(schema[r["predicate"]].biolink, a.type, b.type))

    def rank(r: dict) -> tuple:
        forward = bool(r["outgoing"]) or reading.intent not in ("effects", "causes")
        return (not (is_asked(r) and forward), r["predicate"] in cooc, -(r["combined_score"] or 0.0))

    rows = sorted((r for r in found if r["scored"]), key=rank)
    unscored = sorted((r for r in found if not r["scored"]), key=rank)
    bref = AskConcept(id=b.id, name=b.name, type=b.type)
    items = _items(ctx, rows, claimed=None, other=bref)
    na, nb = a.name or a.id, b.name or b.id
    hit = [r for r in rows if is_asked(r)]
    claimed = [r for r in rows if r["predicate"] not in cooc]
    denied = [r for r in unscored if is_asked(r)] or [r for r in unscored if r["predicate"] not in cooc]
    if hit:
        r = hit[0]
        s, o = (na, nb) if r["outgoing"] else (nb, na)
        lead = "Directly" if reading.intent == "links" else "Yes, the graph has evidence"
        score = float(r["combined_score"] or 0)
        notes = f"; {WEAK_NOTE}" if r["predicate"] not in cooc and is_weak(score) else ""
        notes += f"; negated in {r['negated']} sentence(s)" if r.get("negated") else ""
        message = (f"{lead}: {s} -[{r['predicate']}]-> {o} in {r['doc_count']} document(s) "
                   f"(score {score:.3f}{notes})" + (
                       f", and {len(claimed) - 1} other claimed relation(s) between them." if len(claimed) > 1 else "."))
        if reading.intent == "effects" and not r["outgoing"]:
            message = (f"{_sources(ctx.store, [r['key']])} report the reverse direction: {nb} -[{r['predicate']}]-> "
                       f"{na} ({r['doc_count']} document(s)); none reports {na} causing {nb}.")
    elif claimed:
        message = (f"{_sources(ctx.store, [r['key'] for r in claimed])} relate {na} and {nb}"
                   + (", but not as asked" if asked else "") + ": "
                   + ", ".join(sorted({r['predicate'] for r in claimed})) + ".")
    elif denied:
        message = f"No claimed relation between {na} and {nb}. " + _what_the_graph_has(denied[0], na, nb)
        if rows:
            message += " Apart from that, they are only mentioned in the same sentences."
    elif rows:
        message = f"No claimed relation between {na} and {nb}; they are only mentioned in the same sentences."
    else:
        absent = {"interacts": "that they do not interact", "effects": f"that {na} does not cause {nb}",
                  "treats": "that one does not treat the other"}.get(reading.intent or "", "that they are unrelated")
        message = f"The graph has no edge between {na} and {nb} (which is not evidence {absent})."
    sections = [AskSection(title=f"edges between {na} ({a.id}) and {nb} ({b.id})", kind="edges", items=items)] \
        if items else []
    if unscored:
        sections.append(_unscored_section(ctx, f"edges between {na} ({a.id}) and {nb} ({b.id}) with {UNSCORED_NOTE}",
                                          unscored, other=bref))
    paths: list[AskPath] = []
    if reading.intent == "links" or not claimed:
        paths, searched = _paths(ctx, a.id, b.id)
        if searched < PATH_HOPS:  # never "no chain connects them" for chains nobody looked for
            message += (f" Their neighbourhood is too large to search whole (over {PATH_MAX_EDGES} edges), so "
                        + (f"only chains of at most {searched} edges were looked for" if searched else
                           "no chain through other concepts was looked for")
                        + f"; a longer one (up to {PATH_HOPS} edges) may connect them.")
        if paths:
            message += (f" Paths through other concepts (up to {searched} hops), most believable first: path "
                        f"score = product of the hops' scores, ranked with each hop {TIE:.0%} to {2 * TIE:.0%} weaker "
                        "(so of near-equal paths the shorter, then the one read in more documents, comes first, "
                        "even above a slightly higher score); CO_OCCURS_WITH hops are same-sentence mentions, "
                        "not claims:")
        elif not rows and not unscored and searched == PATH_HOPS:
            message += f" No chain of at most {PATH_HOPS} edges connects them either."
    any_claim = bool(claimed) or any(h.claimed for p in paths for h in p.hops)
    status: Status = "answered" if any_claim else ("co_mentions_only" if rows or paths else "no_evidence")
    return _build(reading, status, message, sections, paths)


def _sources(store: GraphStore, keys: list[str]) -> str:
    """"Papers", "Notes" or "Papers and notes": what the documents behind these triples are."""
    found = store.query(q.REASON_DOCUMENT_KINDS, {"keys": keys})
    papers = any((r["documents"] or 0) > (r["notes"] or 0) for r in found)
    notes = any(r["notes"] for r in found)
    return "Papers and notes" if papers and notes else "Notes" if notes else "Papers" if papers else "Documents"


def _what_the_graph_has(r: dict, na: str, nb: str) -> str:
    """What an edge without scored evidence holds, said plainly: never a yes, and not a no either
    unless its sentences say no."""
    s, o = (na, nb) if r["outgoing"] else (nb, na)
    n, negated, retracted = (int(r.get(k) or 0) for k in ("evidence_count", "negated", "retracted_count"))
    kind = ("negated evidence" if negated == n else "evidence from retracted papers only" if retracted == n
            else "evidence with no scored reading")
    return (f"What the graph has is {kind}: {s} -[{r['predicate']}]-> {o} in {r['doc_count']} document(s) "
            f"({unscored_counts(n, negated, retracted)}). Negated, hypothetical and family-history sentences and "
            "retracted papers are counted but never scored, so this is not a claim (the sentences are listed below).")


def _paths(ctx: _Context, a: str, b: str) -> tuple[list[AskPath], int]:
    """The best paths between ``a`` and ``b`` through other concepts, and the most hops they were looked for with.

    Two hops around both ends hold every chain of up to ``PATH_HOPS`` (3) edges. Where that is over
    ``PATH_MAX_EDGES`` edges, one hop around them still holds the chains of 2 (through one other
    concept); where even that is too large, nothing was searched (0). The caller says so: an empty
    list from a cut search is no evidence that no chain exists.
    """
    for hops, reach in ((2, PATH_HOPS), (1, 2)):
        try:
            g = extract_subgraph(ctx.store, [a, b], hops=hops, max_edges=PATH_MAX_EDGES)
        except SubgraphTooLargeError:
            continue
        return _best_paths(ctx, g, a, b, reach), reach
    return [], 0


def _best_paths(ctx: _Context, g, a: str, b: str, max_hops: int) -> list[AskPath]:
    """The paths of at most ``max_hops`` hops in the extracted ``g``, without hubs and the direct edges."""
    g.remove_nodes_from([n for n in list(g.nodes) if n not in (a, b) and n in cues.HUBS])
    # the direct edges are listed on their own: paths here go through at least one other concept
    for u, v in ((a, b), (b, a)):
        while g.has_edge(u, v):
            g.remove_edge(u, v)
    found = best_paths(g, a, b, k=ctx.limit, max_hops=max_hops) if a in g and b in g else []
    cooc = set(_cooccurrence(ctx.store))
    return [_path(p, g, cooc) for p in with_evidence(ctx.store, found, per_hop=ctx.per_item)]


def _path(p: Path, g, cooc: set[str]) -> AskPath:
    def edge(h) -> dict:
        return {"subject": h.subject, "predicate": h.predicate, "object": h.object, "claimed": h.predicate not in cooc,
                "combined_score": h.combined_score, "evidence_count": h.evidence_count}

    return AskPath(
        nodes=[AskConcept(id=n, name=g.nodes[n].get("name"), type=g.nodes[n].get("type")) for n in p.nodes],
        hops=[AskHop(**edge(h), citations=[_citation(c) for c in h.evidence],
                     alternatives=[AskEdge(**edge(x)) for x in h.alternatives]) for h in p.hops],
        score=p.score,
    )


def _build(reading: Reading, status: Status, message: str, sections: Sequence[AskSection] = (),
           paths: Sequence[AskPath] = ()) -> AskAnswer:
    out = AskReading(
        text=reading.describe(), intent=reading.intent, pair=reading.pair and bool(reading.concepts),
        concepts=[AskFoundConcept(id=c.id, name=c.name, type=c.type, phrase=c.phrase, found_by=c.how, score=c.score)
                  for c in reading.concepts],
        answer_types=reading.answer_types, answer_types_asked=reading.types_asked, direction=reading.direction,
        cues=reading.cues, ignored=reading.ignored,
        missing=[AskMissingConcept(phrase=m.phrase, ontology_id=m.known_as, ontology_name=m.name)
                 for m in reading.missing],
        unread=reading.unread,
    )
    return AskAnswer(question=reading.question, status=status, reading=out, message=message, sections=list(sections),
                     paths=list(paths))


# -- rendering ---------------------------------------------------------------------------------
def _cite(c: AskCitation, width: int = 220) -> str:
    return Citation(doc_id=c.doc_id, sentence=c.sentence or "", score=c.score, assertion=c.assertion, year=c.year,
                    retracted=c.retracted, spans=tuple(c.spans)).short(width)


def to_markdown(ans: AskAnswer) -> str:
    """The answer as ``medkg ask`` prints it: the question, how it was read, the answer, the evidence."""
    r = ans.reading
    lines = [f"**Q:** {ans.question}", f"**Read as:** {r.text}"]
    if r.concepts:
        lines.append("**Concepts:** " + "; ".join(
            f"\"{c.phrase}\" -> {c.name or c.id} ({c.id}, {c.type or '?'}, by {c.found_by})" for c in r.concepts))
    if r.ignored:
        lines.append("**Ignored:** " + "; ".join(r.ignored))
    lines += ["", f"**Answer:** {ans.message}"]
    asked = {c.id: c.name or c.id for c in r.concepts} if not r.pair else {}
    for s in ans.sections:
        lines += ["", f"*{s.title}*"]
        unscored = s.title.endswith(UNSCORED_NOTE)
        several = len({it.about for it in s.items} & set(asked)) > 1  # "what causes both A and B": which one
        for n, it in enumerate(s.items, 1):
            arrow = "->" if it.outgoing else "<-"
            kind = "" if it.claimed else " (no scored evidence, not a claim)" if unscored else \
                " (same sentence, not a claimed relation)"
            if several and it.about in asked:
                kind += f" [for {asked[it.about]}]"
            elif it.about and r.concepts and it.about not in asked and it.about != r.concepts[0].id and (
                    s.kind != "edges" or unscored):
                kind += f" [via subtype {it.about}]"
            npmi = f", NPMI {it.npmi:.2f}" if it.npmi is not None and not it.claimed else ""
            neg = f", negated in {it.negated}" if it.negated else ""
            weak = f" ({WEAK_NOTE})" if it.claimed and is_weak(it.combined_score) else ""
            score = "" if unscored else f"score {it.combined_score:.3f}{weak}{npmi}, "
            lines.append(f"{n}. {it.concept.name or it.concept.id} ({it.concept.id}): {arrow} {it.predicate}{kind}, "
                         f"{score}{it.evidence_count} sentence(s) in {it.doc_count} document(s){neg}")
            lines += [f"   - {_cite(c)}" for c in it.citations]
    for n, p in enumerate(ans.paths, 1):
        names = {c.id: f"{c.name} ({c.id})" if c.name else c.id for c in p.nodes}
        chain = [names[p.nodes[0].id]]
        for node, hop in zip(p.nodes[1:], p.hops, strict=True):
            chain.append(f"-[{hop.predicate}]->" if hop.object == node.id else f"<-[{hop.predicate}]-")
            chain.append(names[node.id])
        lines.append(f"{n}. {' '.join(chain)}  (path score {p.score:.3f})")
        for h in p.hops:
            lines.append(f"   - hop {h.subject} -[{h.predicate}]-> {h.object}: score {h.combined_score:.3f}, "
                         f"{h.evidence_count} sentence(s)")
            lines += [f"     - {_cite(c)}" for c in h.citations]
            if h.alternatives:
                lines.append("     - also between them: " + "; ".join(
                    f"{x.subject} -[{x.predicate}]-> {x.object}{'' if x.claimed else ' (same sentence, not a claim)'}"
                    f" score {x.combined_score:.3f}" for x in h.alternatives))
    return "\n".join(lines)


# -- the command ---------------------------------------------------------------------------------
def default_finder(settings: Settings) -> tuple[Finder, object | None]:
    """The ingestion chain (``build_annotator(settings, relations=False)``) and the concept store,
    when the concept store is built; else ids and graph names only.

    A missing concept store is not built here (that takes a minute): ``medkg ontology build`` does it.
    One that cannot be opened (built by another medkg version) is reported and left aside.
    """
    from kg.components import build_annotator, build_linker
    from kg.errors import OntologyError
    from kg.reason.question import annotator_finder
    from kg.vocab.conceptstore import store_path

    if not store_path(settings).exists():
        log.warning("no concept store: names are matched exactly against the graph (`medkg ontology build`)")
        return no_ner, None
    try:
        annotator = build_annotator(settings, relations=False)
        concepts = build_linker(settings).store
    except OntologyError as exc:
        log.warning("names are matched exactly against the graph, without NER and linker: %s", exc)
        return no_ner, None
    return annotator_finder(annotator), concepts


def ask_command(
    questions: str | Sequence[str], settings: Settings, *, limit: int = 10, per_item: int = 2, subtypes: bool = False,
    as_json: bool = False,
) -> tuple[str, int]:
    """What ``medkg ask`` prints and its exit status: 2 when a question names no concept of the graph,
    or names one the graph does not hold (the answer then says so); else 0.

    Several questions are answered with the models loaded once; with ``as_json`` each answer is one
    line of JSON (JSON Lines), a single question one indented object.

    Raises
    ------
    OntologyError
        When ``subtypes`` is asked and no concept store is built (the hierarchy lives there).
    """
    answers = answer_all([questions] if isinstance(questions, str) else questions, settings, limit=limit,
                         per_item=per_item, subtypes=subtypes)
    if as_json:
        text = answers[0].model_dump_json(indent=2) if isinstance(questions, str) else "\n".join(
            a.model_dump_json() for a in answers)
    else:
        text = "\n\n---\n\n".join(to_markdown(a) for a in answers)
    return text, exit_status(answers)


def answer_all(questions: Sequence[str], settings: Settings, *, limit: int = 10, per_item: int = 2,
               subtypes: bool = False) -> list[AskAnswer]:
    """The answers to ``questions``, the models loaded once (see :func:`ask_command`)."""
    from kg.errors import OntologyError
    from kg.graph.backends import open_store
    from kg.reason.closure import isa_graph

    find, concepts = default_finder(settings)
    isa = None
    if subtypes:
        if concepts is None:
            raise OntologyError(Errors.E540)
        isa = isa_graph(concepts)
    with open_store(settings) as store:
        return [ask(x, store, find, limit=limit, per_item=per_item, isa=isa, include_subtypes=subtypes,
                    ontology=concepts) for x in questions]


def exit_status(answers: Sequence[AskAnswer]) -> int:
    """2 when a question names no concept of the graph, or names one the graph does not hold; else 0."""
    return 2 if any(a.status == "no_concept" or a.reading.missing for a in answers) else 0


def resolve_target(store: GraphStore, settings: Settings, target: str) -> str:
    """A concept id for a command-line argument (``report``, ``viz``): an id the graph has, or the concept
    its name reads as.

    A name several concepts answer to goes to the one more documents mention, then to the one whose
    preferred name it is (not a synonym), and a warning (E913) names the others and their ids. The human
    hub is refused, as ``ask`` refuses it.

    Raises
    ------
    NotInGraphError
        When nothing in the graph answers to it, or only a hub does (E914).
    """
    lookup = StoreLookup(store)
    if found := lookup.concepts([canonical_curie(target)]):
        row = next(iter(found.values()))  # an alias id curators merged answers with the kept concept
        _refuse_hub(target, row)
        return row["id"]
    if rows := lookup.by_names([target]).get(target.lower()):
        kept = [r for r in rows if not _is_hub(r)]
        if not kept:
            _refuse_hub(target, rows[0])
        return _choose(target, kept)["id"]
    find, _ = default_finder(settings)
    reading = read(target, find, lookup)
    if reading.concepts:
        _warn_alternatives(reading)
        return reading.concepts[0].id
    if reading.hubs:
        _, cid, name = reading.hubs[0]
        raise NotInGraphError(Errors.E914, target=target, concept=cid, name=name or cid)
    raise NotInGraphError(Errors.E910, target=target)


def _refuse_hub(target: str, row: dict) -> None:
    if _is_hub(row):
        raise NotInGraphError(Errors.E914, target=target, concept=row["id"], name=row.get("name") or row["id"])


def _label(row: dict) -> str:
    return f"{row.get('name') or row['id']} ({row['id']}, {row.get('doc_count') or 0} document(s))"


def _choose(target: str, rows: list[dict]) -> dict:
    """The concept a name names: the one more documents mention ("insulin": INS, not the rat gene whose
    preferred name it is), then the one it is the preferred name of; not silently when there were several (E913)."""
    def exact(r: dict) -> bool:
        return (r.get("name") or "").lower() == target.lower()

    best = max(rows, key=lambda r: (r.get("doc_count") or 0, exact(r), r["id"]))
    others = [r for r in rows if r["id"] != best["id"]]
    if others:
        why = ("mentioned in the most documents, and its preferred name" if exact(best) else
               "mentioned in the most documents")
        log.warning("%s", ArgumentError(Errors.E913, target=target, count=len(rows), chosen=_label(best), why=why,
                                        others="; ".join(_label(r) for r in others), example=others[0]["id"]))
    return best


def _warn_alternatives(reading: Reading) -> None:
    """A coded warning (E913) for each phrase of a question that names more concepts than the one used."""
    for c in reading.concepts:
        if others := reading.alternatives.get(c.phrase):
            why = "the linker's reading of the words" if c.how == "linker" else "mentioned in the most documents"
            log.warning("%s", ArgumentError(
                Errors.E913, target=c.phrase, count=len(others) + 1, chosen=f"{c.name or c.id} ({c.id})", why=why,
                others="; ".join(f"{n} ({i})" if n else i for i, n in others), example=others[0][0]))


if __name__ == "__main__":
    print(json.dumps(answer_schema(), indent=2))
