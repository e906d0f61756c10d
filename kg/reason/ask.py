"""``medkg ask "QUESTION"``: answers from the graph, with the PMIDs and sentences behind them, no LLM.

A question is matched against a few templates (regular expressions, tried in order); the
phrases it names are resolved to concepts by the linker (a CURIE is taken as it is, and
without a concept store an exact name or synonym in the graph is used); the template becomes
parameterised Cypher (``kg.graph.cypher.REASON_*``) or a reasoning call (``best_paths``).
Relation types are chosen by their biolink predicate in ``ontology/schema.yaml``, read at run
time. When no claimed relation of the asked kind exists, co-mentions are shown instead and
labelled as such ("same sentence", not "causes"). A question of another shape, or a phrase
that resolves to nothing in the graph, gets a message saying what can be asked: never a guess.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

from kg.config import Settings
from kg.errors import Errors, NotInGraphError, SubgraphTooLargeError
from kg.graph.base import GraphStore
from kg.graph import cypher as q
from kg.models import validate_curie
from kg.reason.closure import expand
from kg.reason.evidence import Citation, citations
from kg.reason.paths import Path, best_paths, with_evidence
from kg.reason.subgraph import extract_subgraph

log = logging.getLogger(__name__)

COOCCURRENCE = "biolink:occurs_together_in_literature_with"
CAUSES = frozenset({"biolink:causes", "biolink:contributes_to", "biolink:causes_adverse_event"})
# BioRED's Negative_Correlation between a chemical and a disease is how it annotates treatment.
TREATS = frozenset({"biolink:treats", "biolink:ameliorates", "biolink:negatively_correlated_with"})
INTERACTS = frozenset({
    "biolink:interacts_with", "biolink:chemical_interacts_with", "biolink:physically_interacts_with",
    "biolink:directly_physically_interacts_with",
})
LINKER_TYPES = ("Disease", "Chemical", "Gene", "Finding", "Species", "CellLine", "Variant")
NOUN_LABELS = {
    "Chemical": ("drug", "drugs", "chemical", "chemicals", "medication", "medications", "medicine", "medicines",
                 "compound", "compounds", "substance", "substances", "agent", "agents"),
    "Gene": ("gene", "genes", "protein", "proteins"),
    "Disease": ("disease", "diseases", "condition", "conditions", "disorder", "disorders", "illness", "illnesses"),
}
PATH_HOPS = 3
PATH_MAX_EDGES = 50_000


@dataclass(frozen=True)
class Resolved:
    """How a phrase of the question was read: the concept, its name and the resolver's confidence."""

    phrase: str
    id: str
    name: str | None
    score: float


Resolver = Callable[[str], list[Resolved]]


@dataclass
class Item:
    """One ranked answer: the other concept, the edge that supports it, and its sentences."""

    concept: str
    name: str | None
    predicate: str
    outgoing: bool
    combined_score: float
    evidence_count: int
    doc_count: int
    key: str | None
    claimed: bool
    citations: list[Citation] = field(default_factory=list)
    about: str | None = None  # the asked concept, or the subtype of it that has this relation


@dataclass
class Answer:
    question: str
    supported: bool
    template: str | None = None
    reading: str = ""
    concepts: list[Resolved] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    message: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    def to_markdown(self) -> str:
        lines = [f"**Q:** {self.question}"]
        if self.reading:
            lines.append(f"**Read as:** {self.reading}")
        if self.message:
            lines += ["", self.message]
        for n, it in enumerate(self.items, 1):
            arrow = "->" if it.outgoing else "<-"
            kind = "" if it.claimed else " (same sentence, not a claimed relation)"
            if it.about and self.concepts and it.about != self.concepts[0].id:
                kind += f" [via subtype {it.about}]"
            lines.append(
                f"{n}. {it.name or it.concept} ({it.concept}): {arrow} {it.predicate}{kind}, score "
                f"{it.combined_score:.3f}, {it.evidence_count} sentence(s) in {it.doc_count} paper(s)"
            )
            lines += [f"   - {c.short()}" for c in it.citations]
        for n, p in enumerate(self.paths, 1):
            lines.append(f"{n}. {p.describe()}  (path score {p.score:.3f})")
            for h in p.hops:
                lines.append(f"   - hop {h.subject} -[{h.predicate}]-> {h.object}: score {h.combined_score:.3f}, "
                             f"{h.evidence_count} sentence(s)")
                lines += [f"     - {c.short()}" for c in h.evidence]
        return "\n".join(lines)


def what_i_can_answer() -> str:
    """The message for questions of another shape: every template with an example."""
    rows = "\n".join(f"  - {t.example}" for t in TEMPLATES)
    return (
        "I can only answer questions of these shapes (the words in capitals are concepts: a name the "
        f"linker knows, or an id such as MESH:D003920):\n{rows}\n"
        "With --subtypes, a question about X covers X's subtypes too. For anything else, use `medkg query`."
    )


# -- resolving phrases ------------------------------------------------------------------------
def graph_resolver(store: GraphStore) -> Resolver:
    """Exact (case-insensitive) name or synonym of a concept in the graph: no concept store needed."""

    def resolve(phrase: str) -> list[Resolved]:
        rows = store.query(q.REASON_CONCEPTS_BY_NAME, {"name": phrase.lower()})
        return [Resolved(phrase, r["id"], r["name"], 1.0) for r in rows]

    return resolve


def linker_resolver(linker, store: GraphStore) -> Resolver:
    """The linker's candidates for the phrase read as each entity type, kept when in the graph, best first."""

    def resolve(phrase: str) -> list[Resolved]:
        found: dict[str, Resolved] = {}
        for cands in linker.candidates([(phrase, t) for t in LINKER_TYPES]):
            for c in cands:
                if c.concept_id not in found or found[c.concept_id].score < c.score:
                    found[c.concept_id] = Resolved(phrase, c.concept_id, c.name, c.score)
        present = _present(store, list(found))
        return sorted((r for r in found.values() if r.id in present), key=lambda r: (-r.score, r.id))

    return resolve


def _present(store: GraphStore, ids: Sequence[str]) -> dict[str, dict]:
    return {r["id"]: r for r in store.query(q.REASON_CONCEPTS, {"ids": list(ids)})} if ids else {}


def _clean(phrase: str) -> str:
    phrase = re.sub(r",?\s+and\s+(?:where|in which papers|why)$", "", phrase.strip(" ,.?!\"'"), flags=re.I)
    phrase = re.sub(r"^(?:the|a|an|finding|findings|of)\s+", "", phrase, flags=re.I)
    return re.sub(r"^(?:the|a|an)\s+", "", phrase, flags=re.I).strip(" ,.?!\"'")


# -- templates --------------------------------------------------------------------------------
_WH = r"(?:what|which(?:\s+(?P<noun>\w+))?)"


@dataclass(frozen=True)
class Template:
    name: str
    example: str
    patterns: tuple[re.Pattern, ...]


def _p(*patterns: str) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p, re.I) for p in patterns)


TEMPLATES: tuple[Template, ...] = (
    Template("associated", "what is associated with X? / what is X associated with?", _p(
        rf"^{_WH}\s+(?:is|are)\s+(?:associated|linked|related|correlated)\s+(?:with|to)\s+(?P<x>.+)$",
        r"^what\s+(?:is|are)\s+(?P<x>.+?)\s+(?:associated|linked|related|correlated)\s+(?:with|to)$",
    )),
    Template("links", "what links X and Y? / what could link X to Y? / how is X related to Y?", _p(
        r"^(?:what|how)\s+(?:could\s+|might\s+|may\s+|can\s+|does\s+|do\s+)?(?:link|links|connect|connects)\s+"
        r"(?P<a>.+?)\s+(?:to|and|with)\s+(?P<b>.+)$",
        r"^what\s+is\s+the\s+(?:link|connection|relation|relationship)\s+between\s+(?P<a>.+?)\s+and\s+(?P<b>.+)$",
        r"^how\s+(?:is|are)\s+(?P<a>.+?)\s+(?:related|linked|connected)\s+(?:to|with)\s+(?P<b>.+)$",
    )),
    Template("interacts", "does A interact with B? / do A and B interact?", _p(
        r"^(?:does|do|can|could)\s+(?P<a>.+?)\s+(?:interact|interacts|bind|binds)\s+with\s+(?P<b>.+)$",
        r"^(?:does|do|can|could)\s+(?P<a>.+?)\s+and\s+(?P<b>.+?)\s+interact$",
    )),
    Template("causes", "what causes X? / which drugs are reported to cause X?", _p(
        rf"^{_WH}\s+(?:(?:is|are)\s+(?:reported|known|said|thought)\s+to\s+)?(?:can\s+|could\s+|may\s+|might\s+)?"
        r"(?:cause|causes|induce|induces|lead\s+to|leads\s+to|trigger|triggers)\s+(?P<x>.+)$",
    )),
    Template("treats", "what treats X? / which drugs are used to treat X?", _p(
        rf"^{_WH}\s+(?:(?:is|are)\s+(?:used|reported|known)\s+to\s+)?(?:can\s+|may\s+)?"
        r"(?:treat|treats|cure|cures|relieve|relieves)\s+(?P<x>.+)$",
        r"^what\s+(?:is|are)\s+(?P<x>.+?)\s+treated\s+with$",
    )),
    Template("suggests", "what does finding X suggest? / what does X point to?", _p(
        r"^what\s+(?:does|do|could|might|may|can)\s+(?P<x>.+?)\s+(?:suggest|point\s+to|indicate|imply)$",
    )),
)


def match(question: str) -> tuple[Template, dict[str, str]] | None:
    """The first template whose pattern matches, with its cleaned phrases (and ``noun``, if any)."""
    text = " ".join(question.strip().rstrip("?.! ").split())
    for template in TEMPLATES:
        for pattern in template.patterns:
            if m := pattern.match(text):
                groups = {k: v for k, v in m.groupdict().items() if v}
                return template, {k: (v.lower() if k == "noun" else _clean(v)) for k, v in groups.items()}
    return None


# -- answering --------------------------------------------------------------------------------
def answer(
    question: str,
    store: GraphStore,
    resolve: Resolver,
    *,
    limit: int = 10,
    per_item: int = 2,
    isa=None,
    include_subtypes: bool = False,
) -> Answer:
    """Answer ``question`` from ``store`` or say why not.

    Parameters
    ----------
    question : str
        Free text in one of the template shapes (``what_i_can_answer`` lists them).
    store : GraphStore
        An open store.
    resolve : callable
        Phrase -> concepts in the graph, best first (``linker_resolver`` or ``graph_resolver``).
    limit : int
        Answers (or paths) to return.
    per_item : int
        Citations per answer or path hop.
    isa : networkx.DiGraph, optional
        The is_a graph (``kg.reason.closure.isa_graph``); needed for ``include_subtypes``.
    include_subtypes : bool
        Ask about the concept and all its subtypes.

    Returns
    -------
    Answer
        ``supported`` is False for a question of another shape or a phrase not found in the graph.

    Raises
    ------
    ValueError
        When ``include_subtypes`` is asked without ``isa``.
    """
    if include_subtypes and isa is None:
        # Internal: ask_command always passes isa with include_subtypes; only a wrong caller gets here.
        raise ValueError("include_subtypes needs the is_a graph (kg.reason.closure.isa_graph)")
    matched = match(question)
    if matched is None:
        return Answer(question, supported=False, message="I do not understand this question's shape.\n"
                      + what_i_can_answer())
    template, parts = matched
    concepts: dict[str, Resolved] = {}
    for slot in ("x", "a", "b"):
        if slot not in parts:
            continue
        found = resolve_phrase(parts[slot], resolve, store)
        if not found:
            return Answer(question, supported=False, template=template.name, message=(
                f"I read this as a '{template.name}' question, but found no concept in the graph for "
                f"\"{parts[slot]}\". Try another name or the concept id (`medkg query --saved concept_by_xref`)."
            ))
        concepts[slot] = found[0]
    ans = Answer(question, supported=True, template=template.name, concepts=list(concepts.values()))
    labels = [label for label, nouns in NOUN_LABELS.items() if parts.get("noun") in nouns]
    ctx = _Context(store, limit, per_item, isa, include_subtypes)
    if template.name in ("links", "interacts"):
        (_links if template.name == "links" else _interacts)(ctx, ans, concepts["a"], concepts["b"])
    else:
        x = concepts["x"]
        if template.name == "causes":
            kinds, direction, what = CAUSES, "in", "what causes {x}"
        elif template.name == "treats":
            kinds, direction, what = TREATS, "any", "what treats {x}"
            labels = labels or ["Chemical"]
        elif template.name == "suggests":
            kinds, direction, what = None, "any", "which diseases {x} points to"
            labels = ["Disease"]
        else:
            kinds, direction, what = None, "any", "what is associated with {x}"
        _relations(ctx, ans, x, kinds, direction, labels, what)
    return ans


@dataclass
class _Context:
    store: GraphStore
    limit: int
    per_item: int
    isa: object
    include_subtypes: bool


def resolve_phrase(phrase: str, resolve: Resolver, store: GraphStore) -> list[Resolved]:
    """An id (``MESH:D003920``) is taken as it is when the graph has it, or as the concept curators merged
    it into (``same_as``: the kept node lists it in ``aliases``); any other phrase goes to ``resolve``."""
    if validate_curie(phrase) and re.match(r"^[A-Za-z][A-Za-z0-9_.-]*:\S+$", phrase):
        cid = phrase.upper() if phrase.lower().startswith("mesh:") else phrase
        if found := [Resolved(phrase, cid, r["name"], 1.0) for r in _present(store, [cid]).values()]:
            return found
        return [Resolved(phrase, r["id"], r["name"], 1.0)
                for r in store.query(q.CURATION_CONCEPTS_BY_ALIAS, {"ids": [cid]})]
    return resolve(phrase)


def _types(store: GraphStore, biolink: frozenset[str] | None) -> list[str]:
    """Triple types whose biolink predicate is in ``biolink`` (None: every claimed relation)."""
    specs = [store.schema.relationships[t] for t in store.schema.triple_types]
    if biolink is None:
        return [s.name for s in specs if s.biolink != COOCCURRENCE]
    return [s.name for s in specs if s.biolink in biolink]


def _cooccurrence(store: GraphStore) -> list[str]:
    return [t for t in store.schema.triple_types if store.schema.relationships[t].biolink == COOCCURRENCE]


def _relations(ctx: _Context, ans: Answer, x: Resolved, kinds, direction: str, labels: list[str], what: str) -> None:
    ids = expand(ctx.isa, [x.id], include_subtypes=True) if ctx.include_subtypes else [x.id]
    scope = f"{x.name or x.id} ({x.id})" + (f" and {len(ids) - 1} subtype(s)" if len(ids) > 1 else "")
    only = f" (only {', '.join(labels)})" if labels else ""
    typed = _types(ctx.store, kinds)
    ans.reading = f"{what.format(x=scope)}{only}; relation types: {', '.join(typed) or 'none in the schema'}"
    rows = _rows(ctx, ids, typed, direction, labels) if typed else []
    claimed = bool(rows)
    if not rows:
        rows = _rows(ctx, ids, _cooccurrence(ctx.store), "any", labels)
        ans.message = (
            f"No claimed relation of these types is in the graph for {scope}. "
            + ("Concepts mentioned in the same sentence instead, strongest first (co-mention is not a claim):"
               if rows else "Nothing is mentioned with it in one sentence either.")
        )
    found = citations(ctx.store, (r["key"] for r in rows), per_key=ctx.per_item)
    ans.items = [
        Item(concept=r["other"], name=r["name"], predicate=r["predicate"], outgoing=bool(r["outgoing"]),
             combined_score=float(r["combined_score"] or 0.0), evidence_count=int(r["evidence_count"] or 0),
             doc_count=int(r["doc_count"] or 0), key=r["key"], claimed=claimed, citations=found.get(r["key"], []),
             about=r["concept"])
        for r in rows
    ]


def _rows(ctx: _Context, ids: list[str], predicates: list[str], direction: str, labels: list[str]) -> list[dict]:
    """Relation rows, one per other concept (its strongest edge when several ids or types reach it)."""
    if not predicates:
        return []
    rows = ctx.store.query(q.REASON_RELATIONS, {"ids": ids, "predicates": predicates, "direction": direction,
                                                "labels": labels, "limit": ctx.limit * 5})
    best: dict[str, dict] = {}
    for r in rows:  # already ordered by score
        best.setdefault(r["other"], r)
    return list(best.values())[: ctx.limit]


def _links(ctx: _Context, ans: Answer, a: Resolved, b: Resolved) -> None:
    ans.reading = f"paths of up to {PATH_HOPS} hops between {a.name or a.id} ({a.id}) and {b.name or b.id} ({b.id})"
    if a.id == b.id:
        ans.supported = False
        ans.message = f"Both phrases resolve to the same concept {a.id}; name two different concepts."
        return
    g = None
    for hops in (2, 1):
        try:
            g = extract_subgraph(ctx.store, [a.id, b.id], hops=hops, max_edges=PATH_MAX_EDGES)
            break
        except SubgraphTooLargeError:
            continue
    if g is None:
        ans.message = "The neighbourhoods of these concepts are too large to search for paths."
        return
    paths = best_paths(g, a.id, b.id, k=ctx.limit, max_hops=PATH_HOPS) if a.id in g and b.id in g else []
    ans.paths = with_evidence(ctx.store, paths, per_hop=ctx.per_item)
    if not paths:
        ans.message = f"No chain of at most {PATH_HOPS} supported edges connects them in the graph."
    else:
        ans.message = ("Paths, most believable first (path score = product of the hops' combined scores; "
                       "CO_OCCURS_WITH hops are same-sentence mentions, not claims):")


def _interacts(ctx: _Context, ans: Answer, a: Resolved, b: Resolved) -> None:
    kinds = _types(ctx.store, INTERACTS)
    ans.reading = (f"edges between {a.name or a.id} ({a.id}) and {b.name or b.id} ({b.id}); interaction types: "
                   f"{', '.join(kinds) or 'none in the schema'}")
    rows = ctx.store.query(q.REASON_EDGES_BETWEEN, {"a": a.id, "b": b.id})
    found = citations(ctx.store, (r["key"] for r in rows), per_key=ctx.per_item)
    cooc = set(_cooccurrence(ctx.store))
    ans.items = [
        Item(concept=b.id, name=b.name, predicate=r["predicate"], outgoing=bool(r["outgoing"]),
             combined_score=float(r["combined_score"] or 0.0), evidence_count=int(r["evidence_count"] or 0),
             doc_count=int(r["doc_count"] or 0), key=r["key"], claimed=r["predicate"] not in cooc,
             citations=found.get(r["key"], []))
        for r in sorted(rows, key=lambda r: (r["predicate"] not in kinds, -(r["combined_score"] or 0.0)))
    ]
    if any(r["predicate"] in kinds for r in rows):
        ans.message = "Yes: papers report an interaction."
    elif any(r["predicate"] not in cooc for r in rows):
        ans.message = "Papers relate them, but not as an interaction:"
    elif rows:
        ans.message = "No reported interaction; they are only mentioned in the same sentences:"
    else:
        ans.message = "The graph has no edge between them (which is not evidence that they do not interact)."


# -- the command ------------------------------------------------------------------------------
def default_resolver(store: GraphStore, settings: Settings) -> tuple[Resolver, object | None]:
    """The linker then exact graph names, and the concept store, when one is built; else graph names only.

    A missing concept store is not built here (that takes a minute): ``medkg ontology build`` does it.
    One that cannot be opened (built by another medkg version) is reported and left aside.
    """
    from kg.components import build_linker
    from kg.errors import OntologyError
    from kg.vocab.conceptstore import store_path

    if not store_path(settings).exists():
        return graph_resolver(store), None
    try:
        linker = build_linker(settings)
    except OntologyError as exc:
        log.warning("names are matched exactly, without the linker: %s", exc)
        return graph_resolver(store), None
    return _first(linker_resolver(linker, store), graph_resolver(store)), linker.store


def ask_command(
    question: str, settings: Settings, *, limit: int = 10, per_item: int = 2, subtypes: bool = False,
    as_json: bool = False,
) -> tuple[str, int]:
    """What ``medkg ask`` prints and its exit status (0 answered, 2 not a question it can answer).

    Raises
    ------
    OntologyError
        When ``subtypes`` is asked and no concept store is built (the hierarchy lives there).
    """
    from kg.errors import OntologyError
    from kg.graph.backends import open_store
    from kg.reason.closure import isa_graph

    with open_store(settings) as store:
        resolve, concepts = default_resolver(store, settings)
        isa = None
        if subtypes:
            if concepts is None:
                raise OntologyError(Errors.E540)
            isa = isa_graph(concepts)
        result = answer(question, store, resolve, limit=limit, per_item=per_item, isa=isa, include_subtypes=subtypes)
    text = json.dumps(result.to_dict(), indent=2, default=str) if as_json else result.to_markdown()
    return text, 0 if result.supported else 2


def resolve_target(store: GraphStore, settings: Settings, target: str) -> str:
    """A concept id for a command-line argument: an id the graph has, or the best concept its name resolves to.

    Raises
    ------
    NotInGraphError
        When nothing in the graph answers to it.
    """
    resolve, _ = default_resolver(store, settings)
    if found := resolve_phrase(target, resolve, store):
        return found[0].id
    raise NotInGraphError(Errors.E910, target=target)


def _first(*resolvers: Resolver) -> Resolver:
    def resolve(phrase: str) -> list[Resolved]:
        for r in resolvers:
            if found := r(phrase):
                return found
        return []

    return resolve
