"""Reading a question: which concepts it names, what it asks about them, what kind of answer it wants.

The concepts come from medkg's own chain (``build_annotator(settings, relations=False)``: the
same text analysis, NER and linker ingestion runs), so a question names a drug the way an
abstract does, in any case. A mention whose concept is not in the graph falls back to the
graph's own names and synonyms, and words the NER missed are looked up there too, longest
first. Ids such as ``MESH:D003920`` are taken as they are.

The intent and the answer type are read from the words around the concepts, with the cue lists
of ``kg.reason.cues`` (data; this module is the little code that reads them). Nothing is
guessed: a question without a concept of the graph says so, and every reading says which words
decided it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kg.graph import cypher as q
from kg.models import Concept, validate_curie
from kg.reason import cues
from kg.vocab.curie import canonical_curie

MAX_NAME_WORDS = 6  # the longest run of words looked up as a graph name
_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script: "médicaments" is one word
_CURIE = re.compile(r"\b[A-Za-z][A-Za-z0-9_.-]*:[A-Za-z0-9][A-Za-z0-9_.:-]*")


def stem(word: str) -> str:
    """A crude stem, the same for a cue and a question word: plural, then -ing/-ed, then a final e.

    ``induces``, ``induced``, ``inducing`` and ``induce`` all give ``induc``; ``findings`` and
    ``finding`` give ``find``. It only has to be consistent, not linguistic.
    """
    w = word.lower()
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("es", ""), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not w.endswith(("ss", "us", "is")):
            w = w[: -len(suffix)] + repl
            break
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            break
    return w[:-1] if w.endswith("e") and len(w) > 3 else w


def stems(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in _WORD.findall(text.lower()))


# -- what the reader needs from the graph and the NER ------------------------------------------
@dataclass(frozen=True)
class Span:
    """A stretch of the question the NER and linker read as an entity, with ranked concept ids."""

    start: int
    end: int
    text: str
    candidates: tuple[tuple[str, float, str | None], ...] = ()  # (concept id, score, name), best first
    how: str = "linker"  # or "id" (written as an id) or "graph name"


Finder = Callable[[str], list[Span]]


class GraphLookup(Protocol):
    """The two reads the reader makes: concepts by id, and concepts by exact name or synonym."""

    def concepts(self, ids: Sequence[str]) -> dict[str, dict]:
        """id -> {id, name, type, labels, doc_count, generic} for the ids the graph has."""
        ...

    def by_names(self, names: Sequence[str]) -> dict[str, list[dict]]:
        """lower-case name -> the concepts (as ``concepts`` gives them) with that name or synonym."""
        ...


class OntologyLookup(Protocol):
    """The one read the reader makes of the concept store (``ConceptStore``): is an id written in the
    question a concept of the ontology, and by what name."""

    def get(self, concept_id: str) -> Concept | None:
        ...


class StoreLookup:
    """``GraphLookup`` over an open GraphStore (one query per call)."""

    def __init__(self, store) -> None:
        self.store = store

    def concepts(self, ids: Sequence[str]) -> dict[str, dict]:
        """Cards of the concepts ``ids`` name; an id curators merged into another (``same_as``: the kept
        node lists it in ``aliases``) gets the kept concept's card, and so does a cross-reference one
        concept of the graph lists (``xrefs``: a DOID, HPO or OMIM id of a MeSH concept)."""
        ids = list(dict.fromkeys(ids))
        if not ids:
            return {}
        found = {r["id"]: r for r in self.store.query(q.REASON_CONCEPT_CARDS, {"ids": ids})}
        for statement, key in ((q.CURATION_CONCEPTS_BY_ALIAS, "alias"), (q.REASON_CONCEPTS_BY_XREF, "xref")):
            missing = [i for i in ids if i not in found]
            if not missing:
                break
            targets: dict[str, set[str]] = {}
            for r in self.store.query(statement, {"ids": missing}):
                targets.setdefault(r[key], set()).add(r["id"])
            kept = {i: next(iter(t)) for i, t in targets.items() if len(t) == 1}  # an ambiguous xref names none
            cards = {r["id"]: r for r in self.store.query(q.REASON_CONCEPT_CARDS, {"ids": sorted(set(kept.values()))})}
            found.update({i: cards[cid] for i, cid in kept.items() if cid in cards})
        return found

    def by_names(self, names: Sequence[str]) -> dict[str, list[dict]]:
        names = list(dict.fromkeys(n.lower() for n in names))
        out: dict[str, list[dict]] = {}
        if not names:
            return out
        wanted = set(names)
        for r in self.store.query(q.REASON_CONCEPTS_BY_NAMES, {"names": names}):
            for n in {r["lname"], *(r["lsynonyms"] or ())} & wanted:
                out.setdefault(n, []).append(r)
        return out


def no_ner(text: str) -> list[Span]:
    """A finder that finds nothing: the reader then relies on ids and graph names alone."""
    return []


def annotator_finder(annotator) -> Finder:
    """The ingestion chain as a finder: each mention with its linker candidates.

    A question typed in capitals ("WHAT CAUSES GOUT?") is read in lower case: the NER learned
    from abstracts, where capitals mark acronyms, not shouting. Offsets are unchanged.
    """
    from kg.models import Document

    def find(text: str) -> list[Span]:
        shouted = sum(c.isupper() for c in text) > 0.6 * max(sum(c.isalpha() for c in text), 1)
        analysed = text.lower() if shouted else text
        docs, _ = annotator.annotate([Document(id="QUESTION:1", source="text", text=analysed)])
        if not docs:
            return []
        return [Span(m.start, m.end, text[m.start : m.end], tuple((c.concept_id, c.score, c.name) for c in m.candidates))
                for m in docs[0].mentions]

    return find


# -- the reading -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Found:
    """A concept of the graph the question names, and how it was found."""

    phrase: str
    id: str
    name: str | None
    type: str | None
    how: str  # "id", "linker" or "graph name"
    score: float
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class Missing:
    """A phrase read as an entity whose concept the graph does not hold (``known_as``: the linker's guess,
    or for an id the id itself, only when the ontology has it)."""

    phrase: str
    known_as: str | None = None
    name: str | None = None
    start: int = 0
    how: str = "linker"  # or "id" (written as an id)


@dataclass(frozen=True)
class Cue:
    intent: str
    words: str
    start: int  # token positions
    end: int


@dataclass
class Reading:
    """How a question was read; ``describe()`` says it in one sentence for the answer."""

    question: str
    intent: str | None = None
    concepts: list[Found] = field(default_factory=list)
    answer_types: list[str] = field(default_factory=list)
    types_asked: bool = False  # the question named the answer type (not a default)
    direction: str = "any"  # for a one-concept question: 'in' (the concept is the object), 'out', 'any'
    cues: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # words read as neither cue, question word nor concept
    # "what causes A and B?": the first ``coordinated`` concepts are asked about alike, each on its own
    # (0: one concept, or a pair); never a pair question
    coordinated: int = 0
    # phrase -> the other concepts of the graph it also names, as (id, name), when one had to be chosen
    alternatives: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    # (phrase, id, name) of each hub named: those in ``ignored``, and people words ("humans", "patients") the
    # linker reads as the human hub, which are never a concept (cues.NOT_CONCEPTS) and so not listed there
    hubs: list[tuple[str, str, str | None]] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)  # phrases naming a concept an earlier phrase named
    # the question asks how two concepts connect: a link word (cues.LINK_WORDS) and "and" or "between"
    about_two: bool = False

    @property
    def focus(self) -> Found | None:
        return self.concepts[0] if self.concepts else None

    @property
    def pair(self) -> bool:
        """A question about two concepts (one of them may be missing from the graph)."""
        named = len(self.concepts) + len(self.missing)
        return named >= 2 and not self.coordinated and (self.intent == "links" or not self.types_asked)

    @property
    def asked(self) -> list[Found]:
        """The concepts a one-concept question asks about: the focus, or every coordinated one."""
        return self.concepts[: max(self.coordinated, 1)]

    def describe(self) -> str:
        if not self.concepts and not self.missing:
            return "no concept of the graph found in the question"
        names = [f"{c.name or c.id} ({c.id})" for c in self.concepts] + [
            f"\"{m.phrase}\" ({f'{m.name or m.known_as} ({m.known_as}), ' if m.known_as else ''}not in the graph)"
            for m in self.missing]
        types = f"; answers: {', '.join(self.answer_types)}" if self.answer_types else ""
        if self.pair and len(names) > 1:
            a, b = names[0], names[1]
            text = {"effects": f"whether {a} causes {b}", "causes": f"whether {b} causes {a}",
                    "treats": f"whether one of {a} and {b} treats the other",
                    "interacts": f"whether {a} and {b} interact"}.get(
                self.intent or "", f"how {a} and {b} are related" if self.intent != "links"
                else f"how {a} and {b} are connected (direct edges and paths)")
        else:
            x, s = names[0], "s"
            if self.coordinated > 1:  # "what causes A and B", "what A and B cause"
                x, s = ", ".join(names[: self.coordinated - 1]) + f" and {names[self.coordinated - 1]}", ""
            text = {
                "causes": f"what causes {x}",
                "effects": f"what {x} cause{s} (effects, adverse effects)",
                "treats": f"what treats {x}" if self.direction != "out" else f"what {x} treat{s}",
                "interacts": f"what interacts with {x}",
                "associated": f"what is associated with {x}",
                "suggests": f"what {x} point{s} to",
                "summary": f"a summary of what the graph holds on {x}",
            }[self.intent or "summary"]
            if self.coordinated > 1:
                text += f", for {'both' if self.coordinated == 2 else 'all of them'} first, then for each"
        cue = f"; cue words: {', '.join(repr(c) for c in self.cues)}" if self.cues else "; no relation word found"
        # the first names, concepts before missing ones
        shown = 2 if self.pair and len(names) > 1 else max(self.coordinated, 1)
        extra = ""
        if rest := self.concepts[shown:]:
            extra = f"; also named, not used: {', '.join(c.name or c.id for c in rest)}"
        if absent := self.missing[max(shown - len(self.concepts), 0):]:
            extra += "; not in the graph, not used: " + ", ".join(
                f"{m.phrase} ({m.known_as})" if m.known_as else m.phrase for m in absent)
        if self.unread:
            extra += f"; not understood: {', '.join(repr(w) for w in self.unread)}"
        if negations := [w for w in self.unread if stem(w) in _NEGATIONS]:
            extra += (f" (the answer ignores {', '.join(repr(w) for w in negations)}: negations are not read, so it "
                      "answers the question without it)")
        for phrase, others in self.alternatives.items():
            extra += (f"; \"{phrase}\" also names {', '.join(f'{n} ({i})' if n else i for i, n in others)} "
                      "(write the id to ask about one of them)")
        return f"{text}{types}{cue}{extra}"


# -- reading -----------------------------------------------------------------------------------
def _phrases(items) -> list[tuple[str, tuple[str, ...]]]:
    """(phrase, stems), longest first, so "adverse reaction" wins over "adverse"."""
    return sorted(((p, stems(p)) for p in items), key=lambda x: -len(x[1]))


_CAUSAL = (
    [("active", p, s) for p, s in _phrases(cues.CAUSE_ACTIVE)]
    + [("passive", p, s) for p, s in _phrases(cues.CAUSE_PASSIVE)]
    + [("effect", p, s) for p, s in _phrases(cues.EFFECT_NOUNS)]
    + [("cause", p, s) for p, s in _phrases(cues.CAUSE_NOUNS)]
)
_INTENT_PHRASES = {intent: _phrases(words) for intent, words in cues.INTENT_CUES.items()}
_TYPE_PHRASES = _phrases(cues.ANSWER_TYPES)
_NOT_CONCEPTS = {stem(w) for w in cues.NOT_CONCEPTS}
_CUE_STEMS = {s for _, _, s in _CAUSAL} | {s for ps in _INTENT_PHRASES.values() for _, s in ps} | {
    s for _, s in _TYPE_PHRASES}
_CUE_WORDS = {w for s in _CUE_STEMS for w in s}
_TYPE_WORDS = {w for _, s in _TYPE_PHRASES for w in s}
_LINK_STEMS = {stems(w) for w in cues.LINK_WORDS}
_NOUN_LINKS = {stem(w) for w in ("of", "for", "the", "a", "an")}  # "side effects of the X", "a risk factor for X"
_NEGATIONS = {stem(w) for w in cues.NEGATIONS}


def _not_a_concept(text: str) -> bool:
    """A span made only of question words, cue words or answer-type nouns ("side effects", "drugs", "How")."""
    s = stems(text)
    return not s or s in _CUE_STEMS or all(w in _NOT_CONCEPTS or w in _CUE_WORDS for w in s)


def _is_hub(row: dict) -> bool:
    return row["id"] in cues.HUBS or bool(row.get("generic"))


def read(question: str, find: Finder, graph: GraphLookup, ontology: OntologyLookup | None = None) -> Reading:
    """Read ``question``: its concepts (in the graph), intent, answer types and the cue words used.

    Parameters
    ----------
    question : str
        Free text; case and punctuation do not matter.
    find : callable
        Text -> entity spans with linker candidates (``annotator_finder``; ``no_ner`` in tests).
    graph : GraphLookup
        Which concepts the graph holds (``StoreLookup``).
    ontology : OntologyLookup, optional
        The concept store, asked about ids the graph does not hold; without it such an id is only
        "not in the graph".

    Returns
    -------
    Reading
        ``concepts`` empty when the question names nothing the graph holds (``missing`` then says
        what was recognised but is absent).

    Examples
    --------
    >>> r = read("Adverse reactions of cisplatin?", find, graph)  # doctest: +SKIP
    >>> r.intent, r.concepts[0].id, r.answer_types                 # doctest: +SKIP
    ('effects', 'MESH:D002945', ['Disease', 'Finding'])
    """
    reading = Reading(question)
    text = " ".join(question.split())
    found = find(text)
    spans = _non_overlapping(_curie_spans(text) + [s for s in found if not _not_a_concept(s.text)])
    people = [(s.text, s.candidates[0][0]) for s in found
              if _not_a_concept(s.text) and s.candidates and s.candidates[0][0] in cues.HUBS]
    if people:
        cards = graph.concepts([cid for _, cid in people])
        reading.hubs = [(phrase, cid, cards.get(cid, {}).get("name")) for phrase, cid in people]
    tokens = [(m.start(), m.end(), stem(m.group())) for m in _WORD.finditer(text.lower())]
    words = tuple(t[2] for t in tokens)
    reading.about_two = _has_link_words(words) and bool(set(words) & _PAIR_JOINS)
    used = [any(s.start <= a < s.end for s in spans) for a, _, _ in tokens]

    # cue words outside the concepts, longest first; then graph names for the words the NER did not
    # take, before the answer-type nouns: "Legionnaires' Disease" is a name, "diseases" alone an answer type
    found_cues = _match(tokens, used, [("causal:" + kind, p, s) for kind, p, s in _CAUSAL]
                        + [(intent, p, s) for intent, ps in _INTENT_PHRASES.items() for p, s in ps])
    spans = sorted(spans + _name_spans(text, tokens, used, graph), key=lambda s: s.start)
    types = _match(tokens, used, [("type", p, s) for p, s in _TYPE_PHRASES])
    free = [t[2] for t, u in zip(tokens, used, strict=True) if not u]
    reading.unread = [text[a:b] for (a, b, w), u in zip(tokens, used, strict=True)
                      if not u and w not in _NOT_CONCEPTS]
    _resolve(reading, spans, graph, ontology)
    if not reading.concepts:
        if reading.missing:  # still say what was asked: "what causes Ebola (not in the graph)"
            _intent(reading, found_cues, [_token_of(tokens, reading.missing[0].start)], free, [])
        return reading
    labels = [lab for c in types for lab in cues.ANSWER_TYPES[c.words]]
    if labels:
        reading.answer_types = list(dict.fromkeys(labels))
        reading.types_asked = True
    positions = [_token_of(tokens, c.start) for c in reading.concepts]
    if reading.types_asked and len(reading.concepts) > 1 and found_cues:
        _focus(reading, positions, found_cues[0].end)
    _intent(reading, found_cues, positions, free, [t[2] for t in tokens])
    _coordinate(reading, tokens)
    reading.cues += [c.words for c in types]
    if reading.pair and reading.intent == "causes" and len(reading.concepts) > 1:
        # "Is pain caused by ibuprofen?": the cause first, as in "does ibuprofen cause pain?"
        reading.concepts[0], reading.concepts[1] = reading.concepts[1], reading.concepts[0]
        reading.intent = "effects"
    if not reading.pair and not reading.types_asked:
        defaults = cues.DEFAULT_TYPES.get(reading.intent or "", {})
        focus_type = reading.focus.type or ""
        reading.answer_types = list(defaults.get(focus_type, defaults.get("*", ())))
    if reading.intent == "treats" and not reading.pair and reading.focus.type == "Chemical":
        reading.direction = "out"  # "what does nitroglycerin treat?"
    return reading


def _curie_spans(text: str) -> list[Span]:
    out = []
    for m in _CURIE.finditer(text):
        raw = m.group().rstrip(".:")
        if validate_curie(raw):
            out.append(Span(m.start(), m.start() + len(raw), raw, ((canonical_curie(raw), 1.0, None),), "id"))
    return out


def _non_overlapping(spans: list[Span]) -> list[Span]:
    """Earlier spans first (ids before NER), then longer; a span overlapping a kept one is dropped."""
    kept: list[Span] = []
    for s in spans:
        if all(s.end <= k.start or s.start >= k.end for k in kept):
            kept.append(s)
    return sorted(kept, key=lambda s: s.start)


def _match(tokens, used: list[bool], phrases) -> list[Cue]:
    """Cue phrases found as consecutive unused tokens; the tokens they take are marked used."""
    found: list[Cue] = []
    for intent, phrase, s in sorted(phrases, key=lambda x: -len(x[2])):
        n = len(s)
        for i in range(len(tokens) - n + 1):
            if not any(used[i : i + n]) and tuple(t[2] for t in tokens[i : i + n]) == s:
                found.append(Cue(intent, phrase, i, i + n))
                for k in range(i, i + n):
                    used[k] = True
    return sorted(found, key=lambda c: c.start)


def _name_spans(text: str, tokens, used: list[bool], graph: GraphLookup) -> list[Span]:
    """Runs of free words that are, as a whole, a name or synonym in the graph (longest first).

    A run neither starts nor ends with a question word ("of" may sit inside: "tetralogy of
    fallot"); a name of three letters or fewer must be written in capitals ("AR", not "ar"), so
    gene symbols do not match ordinary words.
    """
    runs, run = [], []
    for i, u in enumerate(used):
        if u:
            if run:
                runs.append(run)
            run = []
        else:
            run.append(i)
    if run:
        runs.append(run)
    grams: dict[str, tuple[int, int]] = {}
    for run in runs:
        for n in range(min(len(run), MAX_NAME_WORDS), 0, -1):
            for k in range(len(run) - n + 1):
                first, last = tokens[run[k]], tokens[run[k + n - 1]]
                if first[2] in _NOT_CONCEPTS or last[2] in _NOT_CONCEPTS:
                    continue
                if all(t[2] in _TYPE_WORDS or t[2] in _NOT_CONCEPTS for t in tokens[run[k] : run[k + n - 1] + 1]):
                    continue  # "diseases", "drugs": the answer type asked for, not the concept "Disease"
                original = text[first[0] : last[1]]
                if len(original) <= 3 and not original.isupper():
                    continue
                phrase = original.lower()
                for variant in (phrase, phrase + "s", phrase.removesuffix("s")):
                    grams.setdefault(variant, (first[0], last[1]))
    if not grams:
        return []
    hits = graph.by_names(list(grams))
    out: list[Span] = []
    for name, (a, b) in sorted(((n, grams[n]) for n in hits), key=lambda x: (-(x[1][1] - x[1][0]), x[1][0])):
        if all(b <= s.start or a >= s.end for s in out):
            rows = sorted(hits[name], key=lambda r: -(r.get("doc_count") or 0))
            out.append(Span(a, b, text[a:b], tuple((r["id"], 1.0, r.get("name")) for r in rows), "graph name"))
    for s in out:
        for i, (ta, _, _) in enumerate(tokens):
            if s.start <= ta < s.end:
                used[i] = True
    return out


def _resolve(reading: Reading, spans: list[Span], graph: GraphLookup, ontology: OntologyLookup | None) -> None:
    """Each span to its best concept in the graph: linker candidates, then the graph's names for the text.

    A span the graph does not hold is missing; an id is said to be known (``known_as``) only when
    the ontology has it: writing an id does not make it one.
    """
    known = graph.concepts([c[0] for s in spans for c in s.candidates])
    by_name = graph.by_names([s.text for s in spans if s.how == "linker"])
    for s in spans:
        options = [(score, known[cid], s.how) for cid, score, _ in s.candidates if cid in known]
        seen = {o[1]["id"] for o in options}
        options += [(1.0, r, "graph name") for r in by_name.get(s.text.lower(), ()) if r["id"] not in seen]
        if not options:
            top = s.candidates[0] if s.candidates else (None, 0.0, None)
            if s.how == "id":
                concept = ontology.get(top[0]) if ontology is not None else None
                top = (concept.id, 1.0, concept.name) if concept is not None else (None, 0.0, None)
            reading.missing.append(Missing(s.text, top[0], top[2], s.start, s.how))
            continue
        score, row, how = max(options, key=lambda o, text=s.text: _rank(o, text))
        if _is_hub(row):
            reading.ignored.append(f"{s.text} ({row['id']}: the human hub, never an answer)")
            reading.hubs.append((s.text, row["id"], row.get("name")))
            continue
        if any(c.id == row["id"] for c in reading.concepts):
            reading.repeated.append(s.text)
            continue
        # not chosen silently: the other concepts the words are a name or synonym of, or that scored as well
        named = {r["id"] for r in by_name.get(s.text.lower(), ())}
        others = [o[1] for o in options if o[1]["id"] != row["id"] and not _is_hub(o[1])
                  and (o[2] == "graph name" or o[1]["id"] in named or round(o[0], 2) == round(score, 2))]
        if s.how != "id" and others:
            reading.alternatives[s.text] = list(dict.fromkeys((o["id"], o.get("name")) for o in others))
        reading.concepts.append(Found(s.text, row["id"], row.get("name"), row.get("type"), how, float(score),
                                      s.start, s.end))


def _rank(option: tuple[float, dict, str], text: str) -> tuple:
    """The linker's best score first; at equal scores the linker's (or the id's) own concept before one found
    by the graph's names for the words, then the concept more documents mention (INS, in 57 documents,
    before the rat gene whose preferred name is "insulin", in 14), then one whose preferred name the words are."""
    score, row, how = option
    return (round(score, 2), how != "graph name", row.get("doc_count") or 0,
            (row.get("name") or "").lower() == text.lower())


def _token_of(tokens, offset: int) -> int:
    return next((i for i, (a, b, _) in enumerate(tokens) if a <= offset < b), len(tokens))


def _intent(reading: Reading, found: list[Cue], positions: list[int], free: list[str], words: list[str]) -> None:
    """The intent (for cause and effect, who causes what) from the cues and where the concepts are
    (``positions``: their first tokens, the focus concept first; ``words``: the question's stems)."""
    focus = positions[0]
    candidates: list[tuple[str, Cue]] = []
    for c in found:
        if c.intent.startswith("causal:"):
            kind = c.intent.split(":", 1)[1]
            after = focus >= c.end  # the concept comes after the cue
            intent = {"active": "causes" if after else "effects", "passive": "effects" if after else "causes",
                      "effect": "effects", "cause": "causes"}[kind]
            if kind in ("effect", "cause") and not reading.types_asked and _noun_object(c, positions, words) == 1:
                # two concepts, the noun naming the second: "is pain a side effect of ibuprofen?" asks whether
                # ibuprofen causes pain, "is glucose a risk factor for obesity?" whether glucose causes obesity
                intent = "causes" if kind == "effect" else "effects"
            candidates.append((intent, c))
        else:
            candidates.append((c.intent, c))
    if not candidates:
        reading.intent = "links" if len(reading.concepts) >= 2 else "summary"
        return
    intent, _ = min(candidates, key=lambda x: cues.PRIORITY.index(x[0]))
    reading.intent = intent
    reading.cues = list(dict.fromkeys(c.words for _, c in candidates))
    reading.direction = {"causes": "in", "effects": "out"}.get(intent, "any")
    if len(reading.concepts) >= 2 and intent in ("associated", "summary"):
        words = {stems(c.words) for _, c in candidates} | {(w,) for w in free}
        if words & _LINK_STEMS:
            reading.intent = "links"


def _noun_object(cue: Cue, positions: list[int], words: list[str]) -> int | None:
    """Which concept a cause or effect noun names with "of" or "for" (or right after it): 1 in "is pain a
    side effect of ibuprofen?" and in "is glucose a risk factor for obesity?"; None when no concept follows
    so ("aspirin toxicity", "toxic to the kidney": the noun's own rule decides)."""
    i = cue.end
    while i < len(words) and words[i] in _NOUN_LINKS and i not in positions:
        i += 1
    return positions.index(i) if i in positions else None


# "what causes A and B?", "side effects of A, B or C": concepts joined by these words alone are asked about alike
_JOINS = {stem(w) for w in ("and", "or")}
# "both A and B", "A as well as B"
_JOIN_FILLERS = {stem(w) for w in ("both", "either", "as", "well", "the", "a", "an")}
_YES_NO = {stem(w) for w in ("is", "are", "was", "were", "does", "do", "did", "can", "could", "may", "might", "will",
                             "would", "should", "has", "have", "had")}
_ONE_SIDED = ("causes", "effects", "treats", "interacts", "associated", "suggests")


_PAIR_JOINS = _JOINS | {stem("between")}


def _has_link_words(words: tuple[str, ...]) -> bool:
    """Whether the question's stems hold a link word or phrase ("how", "between", "in common")."""
    return any(words[i : i + len(s)] == s for s in _LINK_STEMS for i in range(len(words)))


def _coordinate(reading: Reading, tokens) -> None:
    """"What causes hypotension and bradycardia?": the asked concept and those joined to it by "and" or "or" alone
    ("both A and B", "A, B or C") are each asked about (the unknown is what causes them), not whether one causes
    the other.

    Only in a question for an unknown: not a yes/no question ("does A cause B and C?", "is A caused by B?"),
    not one about the pair itself ("how", "between", "in common": ``cues.LINK_WORDS``), nor a links or summary one.
    Concepts the graph does not hold count in the run (and are then said to be left out)."""
    if reading.intent not in _ONE_SIDED or not tokens or tokens[0][2] in _YES_NO:
        return
    words = tuple(t[2] for t in tokens)
    if _has_link_words(words):
        return
    # every named phrase, found or missing, as a token range, in question order
    named = sorted([(c.start, c.end, c) for c in reading.concepts]
                   + [(m.start, m.start + len(m.phrase), m) for m in reading.missing], key=lambda x: x[0])
    if len(named) < 2:
        return
    ranges = [(_token_of(tokens, a), _token_of(tokens, b - 1) + 1) for a, b, _ in named]
    focus = next(k for k, (_, _, x) in enumerate(named) if x is reading.concepts[0])

    def gap(k: int) -> tuple[str, ...]:  # the words between named phrase k and the next one
        return words[ranges[k][1] : ranges[k + 1][0]]

    def joined(k: int) -> bool:
        return all(w in _JOINS or w in _JOIN_FILLERS for w in gap(k))

    lo, hi = focus, focus
    while lo > 0 and joined(lo - 1):
        lo -= 1
    while hi < len(named) - 1 and joined(hi):
        hi += 1
    if hi == lo or not any(w in _JOINS for k in range(lo, hi) for w in gap(k)):
        return
    run = [x for _, _, x in named[lo : hi + 1] if isinstance(x, Found)]
    reading.concepts = run + [c for c in reading.concepts if c not in run]
    reading.coordinated = len(run)
    fillers = {w for w in words[max(ranges[lo][0] - 1, 0) : ranges[hi][1]] if w in _JOIN_FILLERS}  # "both" is read
    reading.unread = [w for w in reading.unread if stem(w) not in fillers]


def _focus(reading: Reading, positions: list[int], cue_end: int) -> None:
    """With an answer type and several concepts, ask about the one right after the first cue."""
    after = [k for k, p in enumerate(positions) if p >= cue_end]
    if after and after[0] != 0:
        k = after[0]
        reading.concepts.insert(0, reading.concepts.pop(k))
        positions.insert(0, positions.pop(k))
