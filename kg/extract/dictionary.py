"""The dictionary baseline: every lexicon form found in the text, longest match first.

spaCy's ``PhraseMatcher(attr="LOWER")`` rather than an ``EntityRuler``: with ~100k
patterns the ruler is about ten times slower, and we need the match key (the lexicon form)
anyway to look up its types. Each match's key is the form itself, so a hit maps straight
back to its lexicon readings.

Abbreviations (Schwartz-Hearst, from :func:`kg.nlp.blank_pipeline`): a short form defined in
the document takes the type of a mention matched on its long form, and every occurrence of
it becomes a mention; a short form whose long form is *not* an entity ("CI" for confidence
interval) is not a mention, even if the lexicon knows it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from kg.link.lexicon import Lexicon, LexiconEntry
from kg.models import Candidate, Document, DocumentMentions, Mention
from kg.nlp import blank_pipeline


def build_matcher(nlp: Language, forms: Iterable[str]) -> tuple[PhraseMatcher, int]:
    """A LOWER PhraseMatcher with one key per form; returns it and the number of patterns."""
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    forms = list(forms)
    for form, pattern in zip(forms, nlp.tokenizer.pipe(forms), strict=True):
        matcher.add(form, [pattern])
    return matcher, len(forms)


def longest_matches(matches: Iterable[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """Non-overlapping token spans, longer (then earlier) first; input is PhraseMatcher output."""
    spans = sorted({(s, e) for _, s, e in matches}, key=lambda se: (se[0] - se[1], se[0]))
    taken: set[int] = set()
    kept = []
    for s, e in spans:
        if not taken.intersection(range(s, e)):
            kept.append((s, e))
            taken.update(range(s, e))
    return sorted(kept)


def _best_type(readings: tuple[LexiconEntry, ...]) -> tuple[str, float]:
    """Type with most gold support; score = its share (1.0 when the form has one type)."""
    support: dict[str, int] = {}
    for e in readings:
        support[e.type] = support.get(e.type, 0) + e.count + 1
    total = sum(support.values())
    best = max(support, key=lambda t: (support[t], t))
    return best, support[best] / total


class DictionaryExtractor:
    """Extractor over a :class:`Lexicon`; ``version`` changes whenever the lexicon does."""

    name = "dictionary"

    def __init__(self, lexicon: Lexicon, nlp: Language | None = None) -> None:
        self.lexicon = lexicon
        self.version = f"lex-{lexicon.hash[:12]}"
        self.nlp = nlp or blank_pipeline()
        self.matcher, self.n_patterns = build_matcher(self.nlp, lexicon.entries.keys())

    def extract(self, docs: Iterable[Document], batch_size: int = 256) -> Iterator[DocumentMentions]:
        pairs = ((d.text, d) for d in docs)
        for sdoc, document in self.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
            yield DocumentMentions(document=document, mentions=tuple(self._mentions(sdoc, document.id)))

    def _mentions(self, doc: Doc, doc_id: str) -> list[Mention]:
        strings = self.nlp.vocab.strings
        forms: dict[tuple[int, int], str] = {}
        for key, s, e in self.matcher(doc):
            forms.setdefault((s, e), strings[key])
        found: dict[tuple[int, int], tuple[str, float, tuple[Candidate, ...]]] = {}
        for s, e in longest_matches((0, s, e) for s, e in forms):
            label, score = _best_type(self.lexicon.entries[forms[(s, e)]])
            found[(s, e)] = (label, score, ())
        self._abbreviations(doc, found)
        return [self._mention(doc, doc_id, s, e, *found[(s, e)]) for s, e in sorted(found)]

    def _abbreviations(self, doc: Doc, found: dict[tuple[int, int], Any]) -> None:
        by_short: dict[str, list] = {}
        for short in doc._.abbreviations:
            by_short.setdefault(short._.long_form.text, []).append(short)
        for shorts in by_short.values():
            long = shorts[0]._.long_form
            # The detector's long form is often a word too short ("hereditary hemochromatosis
            # (HH)" -> "hemochromatosis") or too long, so take the widest mention ending with it.
            short_spans = {(x.start, x.end) for x in shorts}
            inside = [(s, e) for s, e in found if e == long.end and (s, e) not in short_spans]
            for short in shorts:
                found.pop((short.start, short.end), None)
            if not inside:
                continue
            s0, e0 = min(inside)
            label, score, _ = found[(s0, e0)]
            candidates = self._long_form_candidates(doc[s0:e0].text, label)
            for short in shorts:
                span = (short.start, short.end)
                if not any(s < span[1] and span[0] < e for s, e in found):
                    found[span] = (label, score, candidates)

    def _long_form_candidates(self, text: str, label: str) -> tuple[Candidate, ...]:
        """Concepts the short form inherits, so the linker need not know the abbreviation."""
        readings = [e for e in self.lexicon.lookup(text) if e.type == label and e.concept_id]
        total = sum(e.count + 1 for e in readings) or 1
        seen: dict[str, Candidate] = {}
        for e in readings:
            if e.concept_id not in seen:
                seen[e.concept_id] = Candidate(
                    concept_id=e.concept_id,
                    score=round((e.count + 1) / total, 4),
                    name=self.lexicon.names.get(e.concept_id),
                )
        return tuple(seen.values())

    def _mention(
        self, doc: Doc, doc_id: str, s: int, e: int, label: str, score: float, cands: tuple[Candidate, ...]
    ) -> Mention:
        span = doc[s:e]
        sent = span[0].sent
        return Mention(
            doc_id=doc_id,
            start=span.start_char,
            end=span.end_char,
            text=span.text,
            label=label,
            extractor=self.name,
            extractor_version=self.version,
            score=round(score, 4),
            sentence_start=sent.start_char,
            sentence_end=sent.end_char,
            candidates=cands,
        )
