"""Assertion status of mentions: is a finding present, absent, possible, hypothetical, past, or someone else's?

A knowledge graph that counts "denies chest pain" as evidence *for* chest pain is wrong in the
most damaging way, so every mention passes through medspaCy's ConText before it is assembled.
We keep ConText's algorithm (cue phrases with a direction and a sentence-bounded scope) and
ship our own versioned rules file, ``kg/resources/assertion_rules.json``: medspaCy's defaults
plus cues and pseudo-cues tuned on the NegEx dev sentences and the ACI-Bench notes.

Clinical notes add one more source of context: the section. A finding listed under Family
History belongs to a relative even when no cue says so, and one under Past Medical History is
historical; :class:`AssertionTagger` applies that rule whenever a document carries sections.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import medspacy.context
import spacy
from medspacy.context import ConText, ConTextRule
from medspacy.custom_tokenizer import create_medspacy_tokenizer
from spacy.tokens import Doc, Span

from kg.errors import ConfigError, RecordError
from kg.models import Assertion, Document, DocumentMentions, Mention, Section

RULES_PATH = Path(__file__).resolve().parent.parent / "resources" / "assertion_rules.json"
MEDSPACY_DEFAULT_RULES = (
    Path(medspacy.context.__file__).resolve().parents[2] / "resources" / "en" / "context_rules.json"
)

CATEGORY_TO_ASSERTION: dict[str, Assertion] = {
    "NEGATED_EXISTENCE": "negated",
    "FAMILY": "family",
    "HYPOTHETICAL": "hypothetical",
    "POSSIBLE_EXISTENCE": "uncertain",
    "HISTORICAL": "historical",
}
# When several cues reach one mention, the one that changes the meaning most wins: "no family
# history of X" says nothing about X being present in anyone.
_PRIORITY: tuple[Assertion, ...] = ("negated", "family", "hypothetical", "uncertain", "historical")
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
_SECTION_ASSERTION: dict[str, Assertion] = {
    "family_history": "family",
    "past_medical_history": "historical",
    "past_surgical_history": "historical",
}
_RULES_HINT = (
    "Pass rules_path=None for medkg's bundled rules, or a JSON file laid out like "
    "kg/resources/assertion_rules.json ('version' and a 'context_rules' list)."
)
_GROUP = "medkg_targets"
_TARGET_LABEL = "FINDING"

# A sentence ends at a line break (note lines, bullets, headers) or at ., ! or ? followed by
# space and an upper-case letter or digit, unless the period closes a common abbreviation.
_BOUNDARY_RE = re.compile(r"\n|(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_WHITESPACE_RUN = re.compile(r"\s{2,}|[^\S ]")
_ABBREVIATIONS = frozenset(
    "dr mr mrs ms vs e.g i.e al fig approx no nos pt st etc resp min max ca".split()
)


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
        raise ConfigError(
            f"cannot read assertion rules {path}: {exc}",
            hint=_RULES_HINT,
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("context_rules"), list):
        raise ConfigError(f"assertion rules {path} has no 'context_rules' list", hint=_RULES_HINT)
    rules = []
    for i, raw in enumerate(data["context_rules"]):
        where = f"assertion rules {path}: rule {i} ({raw.get('literal') if isinstance(raw, dict) else raw!r})"
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: expected an object", hint=_RULES_HINT)
        unknown = set(raw) - _RULE_KEYS
        if unknown:
            raise ConfigError(
                f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(_RULE_KEYS)}", hint=_RULES_HINT
            )
        category = str(raw.get("category", "")).upper()
        direction = str(raw.get("direction", "")).upper()
        if category not in CATEGORY_TO_ASSERTION and direction not in ("TERMINATE", "PSEUDO"):
            raise ConfigError(
                f"{where}: category must be one of {sorted(CATEGORY_TO_ASSERTION)} "
                "(any name is allowed only with direction TERMINATE or PSEUDO)",
                hint=_RULES_HINT,
            )
        try:
            rules.append(ConTextRule(**raw))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{where}: {exc}", hint=_RULES_HINT) from exc
    return str(data.get("version", "unversioned")), rules


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``, whitespace trimmed, empty ones dropped.

    Used only for mentions that arrive without sentence offsets; a crude splitter is enough
    because ConText's scope merely needs to stop at the end of the clause's sentence.
    """
    spans = []
    start = 0
    for m in _BOUNDARY_RE.finditer(text):
        if m.group() != "\n":
            word = text[start : m.start()].rsplit(None, 1)[-1] if text[start : m.start()].strip() else ""
            if word.rstrip(".").lower() in _ABBREVIATIONS:
                continue
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


class AssertionTagger:
    """ConText with medkg's rules, applied sentence by sentence, plus the note-section rule."""

    def __init__(self, rules_path: str | Path | None = None) -> None:
        self.rules_path = Path(rules_path) if rules_path is not None else RULES_PATH
        self.version, rules = load_rules(self.rules_path)
        self.name = f"medkg-assertion-{self.version}"
        self._nlp = spacy.blank("en")
        # medspaCy's tokenizer splits "c/o", "chf+cp": clinical shorthand the default keeps whole.
        self._nlp.tokenizer = create_medspacy_tokenizer(self._nlp)
        self._context = ConText(
            self._nlp, rules=None, span_attrs=None, input_span_type="group", span_group_name=_GROUP
        )
        self._context.add(rules)

    def tag_sentence(self, sentence: str, span_start: int, span_end: int) -> tuple[Assertion, str | None]:
        """Assertion and cue of ``sentence[span_start:span_end]``; the unit of the NegEx evaluation."""
        result = self.assess(sentence, [(span_start, span_end)])[0]
        return result.assertion, result.cue

    def assess(self, sentence: str, spans: Sequence[tuple[int, int]]) -> list[AssertionResult]:
        """Run ConText once over one sentence for all of its target spans (offsets in ``sentence``).

        Whitespace runs are squeezed to one space first: spaCy turns extra spaces into tokens,
        and a line-wrapped "negative   for" would otherwise slip past the "negative for" rule.
        """
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
        self._context(doc)
        return [_resolve(doc, t, index) if t is not None else AssertionResult("affirmed") for t in targets]

    def tag(self, document: Document, mentions: Sequence[Mention]) -> tuple[Mention, ...]:
        """Return ``mentions`` (same order) with ``assertion`` and ``assertion_cue`` set.

        Mentions without sentence offsets get them from :func:`split_sentences`; a mention
        with no section gets the one it falls in when the document has sections.
        """
        text = document.text
        sentences: list[tuple[int, int]] | None = None
        groups: dict[tuple[int, int], list[int]] = {}
        keys: list[tuple[int, int]] = []
        for i, m in enumerate(mentions):
            if m.doc_id != document.id or m.end > len(text):
                raise RecordError(
                    f"mention {m.text!r} [{m.start}:{m.end}] of {m.doc_id} does not fit document "
                    f"{document.id} ({len(text)} characters); pass each document with its own mentions",
                    file=str(document.metadata.get("file", document.source)),
                    record=document.id,
                    doc_id=document.id,
                )
            if m.sentence_start is not None and m.sentence_end is not None:
                key = (min(m.sentence_start, m.start), max(m.sentence_end, m.end))
            else:
                if sentences is None:
                    sentences = split_sentences(text) or [(0, len(text))]
                key = _enclosing(sentences, m.start, m.end)
            groups.setdefault(key, []).append(i)
            keys.append(key)

        results: list[AssertionResult] = [AssertionResult("affirmed")] * len(mentions)
        for (s, e), idx in groups.items():
            found = self.assess(text[s:e], [(mentions[i].start - s, mentions[i].end - s) for i in idx])
            for i, r in zip(idx, found):
                results[i] = r

        sections = sorted(document.sections, key=lambda sec: sec.start)
        section_starts = [sec.start for sec in sections]
        out = []
        for i, m in enumerate(mentions):
            update: dict[str, object] = {
                "assertion": results[i].assertion,
                "assertion_cue": results[i].cue,
            }
            if m.sentence_start is None or m.sentence_end is None:
                update |= {"sentence_start": keys[i][0], "sentence_end": keys[i][1]}
            label = _section_at(sections, section_starts, m.start)
            if label is not None:
                if m.section is None:
                    update["section"] = label
                forced = _SECTION_ASSERTION.get(label)
                if forced is not None and results[i].assertion != "negated":
                    update |= {"assertion": forced, "assertion_cue": results[i].cue or f"section:{label}"}
            out.append(m.model_copy(update=update))
        return tuple(out)

    def tag_many(self, items: Iterable[DocumentMentions]) -> Iterator[DocumentMentions]:
        """Stream :meth:`tag` over processed documents, one at a time, so memory stays flat."""
        for item in items:
            yield item.model_copy(update={"mentions": self.tag(item.document, item.mentions)})


def _resolve(doc: Doc, target: Span, index: list[int]) -> AssertionResult:
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
        rank = _PRIORITY.index(assertion)
        if best is None or rank < best[0]:
            best = (rank, assertion, modifier)
    if best is None:
        return AssertionResult("affirmed")
    _, assertion, modifier = best
    cue = doc[modifier.modifier_span[0] : modifier.modifier_span[1]]
    scope = doc[modifier.scope_span[0] : modifier.scope_span[1]]
    return AssertionResult(
        assertion,
        cue.text,
        _original(index, cue.start_char, cue.end_char),
        _original(index, scope.start_char, scope.end_char) if len(scope) else None,
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


def _enclosing(sentences: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    starts = [s for s, _ in sentences]
    first = max(bisect.bisect_right(starts, start) - 1, 0)
    last = max(bisect.bisect_right(starts, max(end - 1, start)) - 1, first)
    return min(sentences[first][0], start), max(sentences[last][1], end)


def _section_at(sections: list[Section], starts: list[int], offset: int) -> str | None:
    i = bisect.bisect_right(starts, offset) - 1
    if i < 0:
        return None
    section = sections[i]
    return section.label if section.start <= offset < section.end else None
