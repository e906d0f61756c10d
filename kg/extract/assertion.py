"""Assertion status of mentions: is a finding present, absent, possible, hypothetical, past, or someone else's?

A knowledge graph that counts "denies chest pain" as evidence *for* chest pain is wrong in the
most damaging way, so every mention passes through medspaCy's ConText before it is assembled.
We keep ConText's algorithm (cue phrases with a direction and a sentence-bounded scope) and
ship our own versioned rules file, ``kg/resources/assertion_rules.json``: medspaCy's defaults
plus cues and pseudo-cues tuned on the NegEx dev sentences and the ACI-Bench notes.

Clinical notes add one more source of context: the section. A finding listed under Family
History belongs to a relative even when no cue says so, and one under Past Medical History is
historical; :class:`AssertionTagger` applies that rule whenever a document carries sections.
A section's header is a label, not a statement, so the words of a note's header are never cues
("Social History: has asthma" is not historical).

Literature is read with fewer cues: a rule whose ``metadata`` says ``"literature": false`` does not
speak in PubMed or PubTator abstracts (:data:`LITERATURE`). Relatives' words are one: "mother",
"children", "sisters" name a relative in a note and a study's subjects in an abstract ("5 children
with neuroblastoma"), where only "family history" speaks of relatives.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import spacy
from medspacy.context import ConText, ConTextRule
from medspacy.custom_tokenizer import create_medspacy_tokenizer
from spacy.schemas import validate_token_pattern
from spacy.tokens import Doc, Span

from kg.doc import AnnotatedDoc
from kg.errors import ConfigError, Errors
from kg.extract.spans import section_headers
from kg.models import Assertion, Mention, Section
from kg.text.analyzer import note_list_lead

RULES_PATH = Path(__file__).resolve().parent.parent / "resources" / "assertion_rules.json"
LITERATURE = frozenset({"pubmed", "pubtator"})  # sources whose documents are abstracts, not notes

CATEGORY_TO_ASSERTION: dict[str, Assertion] = {
    "NEGATED_EXISTENCE": "negated",
    "FAMILY": "family",
    "HYPOTHETICAL": "hypothetical",
    "POSSIBLE_EXISTENCE": "uncertain",
    "HISTORICAL": "historical",
}
# When several cues reach one mention, the one that changes the meaning most wins. In a clinical
# note a statement about a relative comes first: "no family history of X" and "sister: no X" say
# nothing about the patient, so they must not count among the patient's pertinent negatives. Other
# documents keep negation first: the relation model was trained on abstracts read that way (its
# a_negated and xs_negated features), and its features must not change under it.
_PRIORITY: tuple[Assertion, ...] = ("negated", "family", "hypothetical", "uncertain", "historical")
_NOTE_PRIORITY: tuple[Assertion, ...] = ("family", "negated", "hypothetical", "uncertain", "historical")
_RULE_KEYS = {
    "literal",
    "category",
    "pattern",
    "direction",
    "allowed_types",
    "excluded_types",
    "max_scope",
    "max_targets",
    "terminated_by",
    "metadata",
}
# A section's status replaces the cues' (family: even a negation, see _NOTE_PRIORITY; the others:
# all but a negation) ...
_SECTION_ASSERTION: dict[str, Assertion] = {
    "family_history": "family",
    "past_medical_history": "historical",
    "past_surgical_history": "historical",
}
# ... or, here, stands where no cue spoke. What is listed under Allergies is an allergen or a
# reaction: not something the patient has or takes now, but what would happen on exposure, which
# is what "hypothetical" means elsewhere ("call if she develops a rash"). A cue still wins
# ("denies seasonal allergies", "history of seasonal allergies").
_SECTION_DEFAULT: dict[str, Assertion] = {"allergies": "hypothetical"}
_GROUP = "medkg_targets"
_TARGET_LABEL = "FINDING"

_WHITESPACE_RUN = re.compile(r"\s{2,}|[^\S ]")
_STOPS = (".", "!", "?", ";", ",")
_WORD = re.compile(r"[a-z]+")


class AssertionResult(NamedTuple):
    """What ConText decided for one span, with the evidence: the cue and how far it reaches."""

    assertion: Assertion
    cue: str | None = None
    cue_span: tuple[int, int] | None = None
    scope: tuple[int, int] | None = None


def load_rules(path: Path) -> tuple[str, list[ConTextRule]]:
    """Read a rules file (medspaCy's JSON layout plus ``version``) into ConText rules.

    Rules may carry ``terminated_by``, which medspaCy's own ``from_json`` refuses, so this
    loader builds the rules itself and names the file and rule on any mistake.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(Errors.E130, path=path, error=exc) from exc
    if not isinstance(data, dict) or not isinstance(data.get("context_rules"), list):
        raise ConfigError(Errors.E131, path=path)
    rules = []
    for i, raw in enumerate(data["context_rules"]):
        where = f"assertion rules {path}: rule {i} ({raw.get('literal') if isinstance(raw, dict) else raw!r})"
        if not isinstance(raw, dict):
            raise ConfigError(Errors.E132, where=where)
        unknown = set(raw) - _RULE_KEYS
        if unknown:
            raise ConfigError(Errors.E133, where=where, unknown=sorted(unknown), allowed=sorted(_RULE_KEYS))
        category = str(raw.get("category", "")).upper()
        direction = str(raw.get("direction", "")).upper()
        if category not in CATEGORY_TO_ASSERTION and direction not in ("TERMINATE", "PSEUDO"):
            raise ConfigError(Errors.E134, where=where, categories=sorted(CATEGORY_TO_ASSERTION))
        # Checked here, once: the ConTexts built from subsets of the rules add them unchecked.
        if isinstance(raw.get("pattern"), list) and (errors := validate_token_pattern(raw["pattern"])):
            raise ConfigError(Errors.E135, where=where, error="; ".join(errors))
        try:
            rules.append(ConTextRule(**raw))
        except (TypeError, ValueError) as exc:
            raise ConfigError(Errors.E135, where=where, error=exc) from exc
    return str(data.get("version", "unversioned")), rules


class CueFilter:
    """Which rules may match a sentence, from its words alone.

    A rule can only match where every required token of its pattern (or every word of its
    literal) occurs in the sentence. ConText is then run with those rules only: the rules that
    cannot match change nothing, and a Matcher over a handful of patterns is many times faster
    than one over all of them. A sentence where no asserting rule may match is affirmed without a
    run at all (most sentences of an abstract). A rule whose required token is not a plain word
    or list of words is kept for every sentence.
    """

    def __init__(self, rules: Sequence[ConTextRule]) -> None:
        self.required = [self._required(rule) for rule in rules]
        self.not_in_literature = frozenset(
            i for i, rule in enumerate(rules) if (rule.metadata or {}).get("literature") is False)
        self.asserting = frozenset(
            i for i, rule in enumerate(rules)
            if rule.direction.upper() not in ("TERMINATE", "PSEUDO") and rule.category.upper() in CATEGORY_TO_ASSERTION
        )
        # Rules found through a plain word of their first required token; the rest are checked always.
        self._by_word: dict[str, list[int]] = {}
        self._always: list[int] = []
        for i, required in enumerate(self.required):
            if not required or not all(v.isalpha() for v in required[0]):
                self._always.append(i)
            else:
                for word in required[0]:
                    self._by_word.setdefault(word, []).append(i)

    @staticmethod
    def _required(rule: ConTextRule) -> list[frozenset[str]] | None:
        if rule.pattern is None:
            return [frozenset({w}) for w in _WORD.findall(rule.literal.lower())]
        out = []
        for token in rule.pattern:
            if not isinstance(token, dict):
                return None
            if token.get("OP") in ("?", "*"):
                continue
            keys = set(token) - {"OP"}
            value = token[keys.pop()] if len(keys) == 1 and keys <= {"LOWER", "ORTH", "TEXT"} else None
            if isinstance(value, str):
                out.append(frozenset({value.lower()}))
            elif isinstance(value, dict) and set(value) == {"IN"}:
                out.append(frozenset(v.lower() for v in value["IN"]))
            # any other token ({"IS_ALPHA": true, "LOWER": {"NOT_IN": ...}}) requires no word the filter knows
        return out

    def select(self, sentence: str, *, literature: bool = False) -> frozenset[int]:
        """Indexes of the rules that may match ``sentence`` (of an abstract: ``literature``); empty when no
        asserting rule may."""
        lower = sentence.lower()
        words = set(_WORD.findall(lower.replace("n't", " n't").replace("cannot", "can not")))
        candidates = set(self._always)
        for word in words.intersection(self._by_word):
            candidates.update(self._by_word[word])
        if literature:
            candidates -= self.not_in_literature
        found = frozenset(i for i in candidates if self._satisfied(self.required[i], words, lower))
        return found if found & self.asserting else frozenset()

    @staticmethod
    def _satisfied(required: list[frozenset[str]] | None, words: set[str], lower: str) -> bool:
        # Plain words are looked up among the sentence's words; anything else ("n't", "r/o") as text.
        return required is None or all(
            not alternatives.isdisjoint(words) or any(v in lower for v in alternatives if not v.isalpha())
            for alternatives in required
        )


class AssertionTagger:
    """ConText with medkg's rules, sentence by sentence, plus the note-section rule.

    Sentences and sections come from the text analysis. ConText matches its cues on its own
    token stream of each sentence (whitespace runs squeezed, medspaCy's clinical tokenizer),
    with only the rules that may match it (:class:`CueFilter`); one ConText per such set of rules
    is built on first use and kept.
    """

    MAX_CONTEXTS = 2048

    def __init__(self, rules_path: str | Path | None = None) -> None:
        self.rules_path = Path(rules_path) if rules_path is not None else RULES_PATH
        self.version, rules = load_rules(self.rules_path)
        self.name = "assertion"
        self.rules = rules
        self._cues = CueFilter(rules)
        self._nlp = spacy.blank("en")
        # medspaCy's tokenizer splits "c/o", "chf+cp": clinical shorthand the default keeps whole.
        self._nlp.tokenizer = create_medspacy_tokenizer(self._nlp)
        self._contexts: dict[frozenset[int], ConText] = {}

    def _context(self, selected: frozenset[int]) -> ConText:
        context = self._contexts.get(selected)
        if context is None:
            if len(self._contexts) >= self.MAX_CONTEXTS:
                self._contexts.clear()
            context = ConText(self._nlp, rules=None, span_attrs=None, input_span_type="group",
                              span_group_name=_GROUP)
            # spaCy's Matcher checks every pattern it is given against its schema, which took half the
            # time of an ingest's assertion pass (a few hundred ConTexts per 1,000 abstracts); the rules
            # were checked when they were read. (medspaCy 1.3.1, pinned, keeps its Matcher private.)
            context._ConText__matcher._MedspacyMatcher__matcher.validate = False
            context.add([self.rules[i] for i in sorted(selected)])
            self._contexts[selected] = context
        return context

    @property
    def settings(self) -> dict[str, object]:
        return {"rules": self.version, "priority": list(_PRIORITY), "note_priority": list(_NOTE_PRIORITY),
                "literature": sorted(LITERATURE),
                "sections": _SECTION_ASSERTION, "section_defaults": _SECTION_DEFAULT, "header_cues": False}

    def assess(
        self, sentence: str, spans: Sequence[tuple[int, int]], headers: Sequence[tuple[int, int]] = (),
        *, note: bool = False, literature: bool = False,
    ) -> list[AssertionResult]:
        """Run ConText once over one sentence for all of its target spans (offsets in ``sentence``).

        Whitespace runs are squeezed to one space first: spaCy turns extra spaces into tokens,
        and a line-wrapped "negative   for" would otherwise slip past the "negative for" rule.
        A cue that lies wholly inside one of ``headers`` (section headers, same offsets) is no cue.
        ``note``: a clinical note's sentence, where a relative's status outranks a negation; ``literature``: an
        abstract's, where the rules that do not speak in literature are left out.

        A sentence that ends without a stop is read as if it had one: a note's line "Anemia:
        denies" is the field answer that "Anemia: denies." is (the stop is after the text, so no
        offset moves; a cue that takes it in ends at the sentence's end).
        """
        stop = 0
        if (stripped := sentence.rstrip()) and not stripped.endswith(_STOPS):
            sentence, stop = stripped + ".", 1
        selected = self._cues.select(sentence, literature=literature)
        if not selected:
            return [AssertionResult("affirmed")] * len(spans)
        text, index = _squeeze(sentence)
        doc = self._nlp.tokenizer(text)
        for i, token in enumerate(doc):
            token.is_sent_start = i == 0
        targets: list[Span | None] = []
        for start, end in spans:
            s, e = bisect.bisect_left(index, start), bisect.bisect_left(index, end)
            span = doc.char_span(s, e, label=_TARGET_LABEL, alignment_mode="expand") if e > s else None
            targets.append(span if span is not None and len(span) else None)
        doc.spans[_GROUP] = [t for t in targets if t is not None]
        self._context(selected)(doc)
        priority = _NOTE_PRIORITY if note else _PRIORITY
        return [_resolve(doc, t, index, priority, headers, len(text) - stop) if t is not None
                else AssertionResult("affirmed") for t in targets]

    def pipe(self, docs: Iterable[AnnotatedDoc], batch_size: int = 256) -> Iterator[AnnotatedDoc]:
        for doc in docs:
            doc.mentions = self.tag(doc)
            yield doc

    def tag(self, doc: AnnotatedDoc) -> tuple[Mention, ...]:
        """The document's mentions (same order) with ``assertion``, ``assertion_cue`` and ``section`` set."""
        mentions = doc.mentions
        sections = sorted(doc.sections, key=lambda sec: sec.start)
        section_starts = [sec.start for sec in sections]
        note = doc.document.source == "note"
        literature = doc.document.source in LITERATURE
        headers = section_headers(doc)
        groups: dict[tuple[int, int], list[int]] = {}
        for i, m in enumerate(mentions):
            key = (m.sentence_start, m.sentence_end) if m.sentence_start is not None else doc.sentence_of(m.start, m.end)
            groups.setdefault(key, []).append(i)
        results: list[AssertionResult] = [AssertionResult("affirmed")] * len(mentions)
        for (s, e), idx in groups.items():
            inside = [(max(hs, s) - s, min(he, e) - s) for hs, he in headers if hs < e and he > s]
            lead = _list_lead(doc, s, headers) if note else ""
            shift = len(lead)
            found = self.assess(lead + doc.text[s:e],
                                [(mentions[i].start - s + shift, mentions[i].end - s + shift) for i in idx],
                                [(hs + shift, he + shift) for hs, he in inside], note=note, literature=literature)
            for i, r in zip(idx, found):
                results[i] = r

        out = []
        for m, result in zip(mentions, results, strict=True):
            update: dict[str, object] = {"assertion": result.assertion, "assertion_cue": result.cue}
            label = _section_at(sections, section_starts, m.start)
            if label is not None:
                if m.section is None:
                    update["section"] = label
                forced = _SECTION_ASSERTION.get(label)
                if forced is None and result.assertion == "affirmed":
                    forced = _SECTION_DEFAULT.get(label)
                if forced is not None and (forced == "family" or result.assertion != "negated"):
                    cue = result.cue if result.assertion != "negated" else None
                    update |= {"assertion": forced, "assertion_cue": cue or f"section:{label}"}
            out.append(m.model_copy(update=update))
        return tuple(out)


def _list_lead(doc: AnnotatedDoc, start: int, headers: Sequence[tuple[int, int]]) -> str:
    """The lead of the note list whose item starts at ``start`` (:func:`~kg.text.analyzer.note_list_lead`),
    as the text to read before the item: "Denies:\n- chest pain\n- nausea" is read as "Denies:
    - chest pain" and "Denies: - nausea", so the lead's cue reaches every item and no item's cue
    the next. Only the lead's last sentence speaks for the list ("No fever. Reports:"); "" for no lead."""
    lead = note_list_lead(doc.text, start, headers)
    if lead is None:
        return ""
    lead_start, lead_end = lead
    lead_start = max(lead_start, doc.sentence_of(lead_end - 1, lead_end)[0])
    return doc.text[lead_start:lead_end] + "\n"


def _resolve(doc: Doc, target: Span, index: list[int], priority: tuple[Assertion, ...],
             headers: Sequence[tuple[int, int]], written: int) -> AssertionResult:
    """The target's assertion by ``priority``; ``written``: where the written text of ``doc`` ends
    (a stop the reading added after it is no part of a cue's text)."""
    best = None
    for modifier in target._.modifiers:
        cue_start, cue_end = modifier.modifier_span
        # medspaCy's overlap test misses a cue lying wholly inside the target ("lungs show no
        # opacities" as one concept); such a cue is part of the name, not a statement about it.
        if target.start <= cue_start and cue_end <= target.end:
            continue
        assertion = CATEGORY_TO_ASSERTION.get(modifier.category)
        if assertion is None:
            continue
        if headers:
            start, end = _original(index, doc[cue_start].idx, doc[cue_end - 1].idx + len(doc[cue_end - 1]))
            if any(hs <= start and end <= he for hs, he in headers):
                continue
        rank = priority.index(assertion)
        if best is None or rank < best[0]:
            best = (rank, assertion, modifier)
    if best is None:
        return AssertionResult("affirmed")
    _, assertion, modifier = best
    cue = doc[modifier.modifier_span[0] : modifier.modifier_span[1]]
    scope = doc[modifier.scope_span[0] : modifier.scope_span[1]]
    cue_end, scope_end = min(cue.end_char, written), min(scope.end_char, written)
    return AssertionResult(
        assertion,
        doc.text[cue.start_char : cue_end].rstrip(),
        _original(index, cue.start_char, cue_end),
        _original(index, scope.start_char, scope_end) if scope_end > scope.start_char else None,
    )


def _squeeze(text: str) -> tuple[str, list[int]]:
    """``text`` with whitespace runs as single spaces, and each new offset's original offset."""
    if not _WHITESPACE_RUN.search(text):
        return text, list(range(len(text) + 1))
    parts: list[str] = []
    index: list[int] = []
    last = 0
    for m in _WHITESPACE_RUN.finditer(text):
        parts += [text[last : m.start()], " "]
        index += [*range(last, m.start()), m.start()]
        last = m.end()
    parts.append(text[last:])
    index += [*range(last, len(text)), len(text)]
    return "".join(parts), index


def _original(index: list[int], start: int, end: int) -> tuple[int, int]:
    return index[start], index[end - 1] + 1


def _section_at(sections: list[Section], starts: list[int], offset: int) -> str | None:
    i = bisect.bisect_right(starts, offset) - 1
    if i < 0:
        return None
    section = sections[i]
    return section.label if section.start <= offset < section.end else None
