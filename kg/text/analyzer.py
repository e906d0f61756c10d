"""The one text-analysis step: tokens, sentences, sections and abbreviations, once per document.

Everything after it reads these layers from the :class:`~kg.doc.AnnotatedDoc` instead of
computing its own. No trained model is involved: the tokenizer is
:func:`kg.text.tokenizer.make_bio_tokenizer`, sentences come from spaCy's ``sentencizer`` plus
one repair rule, abbreviations from scispaCy's Schwartz-Hearst detector (pure rules over
tokens; here also for hyphenated short forms such as "IL-6", and never with a long form whose
parentheses do not pair), and note sections from :func:`kg.text.sections.sectionize`.

Sentence splitter: the ``sentencizer`` plus one repair rule, not scispaCy's
``pysbd_sentencizer``. On the 500 BC5CDR development abstracts the ``sentencizer`` runs ~7x
faster than pySBD, and the two disagree in only 78 of 500 abstracts, mostly where the
sentencizer splits after dosing abbreviations ("i.v. tobramycin", "i.p. urethane"). The repair
rule (a sentence cannot start with a lowercase letter) undoes exactly those splits.

Clinical notes are written as lists as often as in prose ("ALLERGIES\nNo known drug
allergies\n\nPROBLEM LIST\nHypertension"), and punctuation alone would make one sentence of
that, over which a negation or a family cue reaches into the next section. In notes only
(:func:`split_note_sentences`) a blank line, a section header line and a line break before a
new item also end a sentence, and every section starts one. Abstracts are split as before:
the trained NER and relation models learned from that splitting.
"""

from __future__ import annotations

import bisect
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from scispacy.abbreviation import (
    AbbreviationDetector,
    filter_matches,
    short_form_filter,
    span_contains_unbalanced_parentheses,
)
from kg.doc import AnnotatedDoc
from kg.models import Abbreviation, Document, Section
from kg.text.sections import header_spans, sectionize
from kg.text.tokenizer import REGISTRY_NAME, make_bio_tokenizer

SENTENCE_PUNCT = (".", "!", "?")
VERSION = "4"  # 2: hyphenated short forms, long forms with paired parentheses; 3: note lines end sentences;
# 4: a long form by the initials of its words (by_initials)
# A note line that begins a new item: a capital, a digit or a list marker ("-", "*", "•").
_NEW_ITEM = re.compile(r"[A-Z0-9*•·–-]")
# A numbered item's number ("1. Hypertension"): its full stop ends no sentence.
_ITEM_NUMBER = re.compile(r"^[ \t]*\d{1,3}[.)][ \t]+(?=\S)", re.MULTILINE)
# A line that is marked as a list item: a bullet or a number before its text.
_LIST_MARKER = re.compile(r"(?:[*•·–-]|\d{1,3}[.)])[ \t]*(?=\S)")

# The abbreviation detector runs an empty Matcher on documents without "(short form)"
# definitions; spaCy then warns W036 once, which says nothing useful to a user.
warnings.filterwarnings("ignore", message=r"\[W036\]")


@Language.component("medkg_lowercase_continues_sentence")
def lowercase_continues_sentence(doc: Doc) -> Doc:
    """Undo sentence starts at a lowercase word: they follow abbreviations like "i.v."."""
    for token in doc[1:]:
        if token.is_sent_start and token.text[:1].islower():
            token.is_sent_start = False
    return doc


# a letter first, no coordination ("CPA/EE"), bracket or dangling hyphen ("VIP-/-")
_HYPHENATED = re.compile(r"[^\W\d_][\w.-]*[^\W_]\.?")


def hyphenated_short_forms(matches: list[tuple[int, int, int]], doc: Doc) -> list[tuple[Span, Span]]:
    """(long form candidate, short form) for the "(short form)"s scispaCy's filter leaves out
    because a token of theirs is one character: "TTF-1", "HIF-1α", "NF-κB", "Ang-II" are two or
    three tokens written without a space. The same tests, on the short form's whole text: 2 to 10
    characters, a letter first, at least half letters."""
    out = []
    for _, start, end in matches:
        short = doc[start:end]
        if not 1 < end - start <= 3 or start < 2 or any(t.whitespace_ for t in short[:-1]) or short_form_filter(short):
            continue
        text = short.text
        if 2 <= len(text) <= 10 and _HYPHENATED.fullmatch(text) and sum(c.isalpha() for c in text) * 2 >= len(text):
            reach = min(len(text) + 5, len(text) * 2)
            out.append((doc[max(start - reach - 1, 0) : start - 1], short))
    return out


_ACRONYM = re.compile(r"[A-Z]{2,6}s?")


def by_initials(long: Span, short: str) -> Span:
    """The long form whose words' initials spell ``short``, where Schwartz-Hearst took fewer words because
    the last word's letters spell it too: "combined oral contraceptives (COCs)", not "contraceptives". For
    short forms of two to six capitals (a plural s aside); hyphens between words are skipped
    ("insulin-dependent diabetes mellitus (IDDM)"), any other punctuation ends the search."""
    if not _ACRONYM.fullmatch(short):
        return long
    letters = (short[:-1] if short.endswith("s") else short).lower()
    doc = long.doc
    words: list = []
    i = long.end - 1
    while i >= 0 and len(words) < len(letters):
        if doc[i].text != "-":
            if not doc[i].is_alpha:
                break
            words.append(doc[i])
        i -= 1
    if len(words) < len(letters) or "".join(w.text[0].lower() for w in reversed(words)) != letters:
        return long
    return doc[words[-1].i : long.end] if words[-1].i < long.start else long


@Language.factory("medkg_abbreviation_detector")
class MedkgAbbreviationDetector(AbbreviationDetector):
    """scispaCy's Schwartz-Hearst detector, also for hyphenated short forms
    (:func:`hyphenated_short_forms`), and never with a long form whose parentheses do not pair
    ("fibroblast growth factors (FGFs) and their receptors (FGFR)": not "FGFs) and their receptors")."""

    def __call__(self, doc: Doc) -> Doc:
        inner = [(m, s + 1, e - 1) for m, s, e in self.matcher(doc)]
        candidates = filter_matches(inner, doc) + hyphenated_short_forms(inner, doc)
        for long, shorts in self.find_matches_for(candidates, doc):
            if span_contains_unbalanced_parentheses(long):
                continue
            long = by_initials(long, next(iter(shorts)).text)
            for short in shorts:
                short._.long_form = long
                doc._.abbreviations.append(short)
        return doc


def note_sentence_starts(text: str, sections: Sequence[Section] = ()) -> list[int]:
    """Offsets in a clinical note where a sentence starts whatever its punctuation says.

    The first character of a line after a blank line; of a line after one that does not end in
    ".", "!" or "?" when it opens a new item (a capital, a digit or a list marker); of the first
    line after a header that stands on its own line; and every section's start, so that no
    sentence spans two sections.
    """
    starts = {s.start for s in sections}
    for _, end in header_spans(text, sections):
        line_end = text.find("\n", end)
        if line_end >= 0 and not text[end:line_end].strip():
            starts.add(line_end + 1)
    previous = ""  # the last line with text
    blank = False
    offset = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        first = offset + len(line) - len(line.lstrip())
        offset += len(line)
        if not stripped:
            blank = bool(previous)
            continue
        if previous and (blank or (not previous.endswith(SENTENCE_PUNCT) and _NEW_ITEM.match(stripped))):
            starts.add(first)
        previous, blank = stripped, False
    return sorted(s for s in starts if 0 < s < len(text))


def note_list_lead(text: str, start: int, headers: Sequence[tuple[int, int]] = ()) -> tuple[int, int] | None:
    """The lead line ("Denies:", "The patient denies the following:") of the list whose item starts
    at ``start``, as ``(start, end)`` through its colon; None where ``start`` begins no list item.

    Each item of a note's list is a sentence of its own (:func:`note_sentence_starts`), so that a
    cue in one item never reaches the next; but what the lead line says of its list holds for
    every item, and a reader of the item needs it ("Negative for:\n- fever\n- chills" denies
    both). An item is a whole line that carries a list marker ("-", "1.") or ends in no ".", "!"
    or "?" (a bare phrase); the lines from the lead down to the item must all be items. A blank
    line, a line of prose or a section header ends the list; a header written before the lead on
    its line ("ROS: Negative for:") is no part of the lead (``headers``: the note's header spans).
    """
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip():
        return None  # a sentence that starts inside a line is no item of its own
    at = line_start
    while at > 0:
        item = text[at : _line_end(text, at)].strip()
        if item.endswith(SENTENCE_PUNCT) and not _LIST_MARKER.match(item):
            return None
        above = text.rfind("\n", 0, at - 1) + 1
        after_header = max([above, *(he for hs, he in headers if above <= hs < at - 1)])
        lead = text[after_header : at - 1].strip()
        if lead.endswith(":"):
            lead_start = after_header + text[after_header:].index(lead[0])
            return lead_start, lead_start + len(lead)
        if not lead or after_header > above:
            return None  # a blank line or a header ends the list
        at = above
    return None


def _line_end(text: str, at: int) -> int:
    end = text.find("\n", at)
    return len(text) if end < 0 else end


def split_note_sentences(tokens: Doc, sections: Sequence[Section] = ()) -> Doc:
    """Add a clinical note's line and section boundaries (:func:`note_sentence_starts`) to the
    sentences ``tokens`` already has; a list item's number ("1.") ends none, and whitespace
    starts none (it stays with the sentence before)."""
    if len(tokens) < 2:
        return tokens
    offsets = [t.idx for t in tokens]

    def token_at(offset: int) -> int:
        return max(bisect.bisect_right(offsets, offset) - 1, 0)

    for token in tokens[1:]:
        if token.is_sent_start and token.is_space:
            token.is_sent_start = False
            nxt = token.i + 1
            while nxt < len(tokens) and tokens[nxt].is_space:
                nxt += 1
            if nxt < len(tokens):
                tokens[nxt].is_sent_start = True
    for m in _ITEM_NUMBER.finditer(tokens.text):
        tokens[token_at(m.end())].is_sent_start = False
    for start in note_sentence_starts(tokens.text, sections):
        i = token_at(start)
        while i < len(tokens) and tokens[i].is_space:
            i += 1
        if 0 < i < len(tokens):
            tokens[i].is_sent_start = True
    return tokens


def analysis_pipeline(vocab: Vocab | None = None) -> Language:
    """Blank English with the bio tokenizer, the sentence splitter and the abbreviation detector."""
    nlp = spacy.blank("en", vocab=vocab or True)
    nlp.tokenizer = make_bio_tokenizer(nlp)
    nlp.add_pipe("sentencizer", config={"punct_chars": list(SENTENCE_PUNCT)})
    nlp.add_pipe("medkg_lowercase_continues_sentence")
    nlp.add_pipe("medkg_abbreviation_detector")
    return nlp


class TextAnalyzer:
    """Documents in, :class:`~kg.doc.AnnotatedDoc` out, with the text layers filled.

    ``vocab``: the spaCy vocabulary the tokens are made in. A component that runs a spaCy model
    over the tokens (the CPU NER tier) hands its own, so its model and the text share strings.
    Clinical notes without sections get them here, and their sentences end at line and section
    boundaries too (:func:`split_note_sentences`); every other document is split by punctuation alone.
    """

    name = "text"
    version = VERSION

    def __init__(self, vocab: Vocab | None = None) -> None:
        self.nlp = analysis_pipeline(vocab)

    @property
    def vocab(self) -> Vocab:
        return self.nlp.vocab

    @property
    def settings(self) -> dict[str, object]:
        return {"tokenizer": REGISTRY_NAME, "sentence_punct": "".join(SENTENCE_PUNCT), "note_sections": True}

    def pipe(self, documents: Iterable[Document], batch_size: int = 256) -> Iterator[AnnotatedDoc]:
        pairs = ((d.text, d) for d in documents)
        for tokens, document in self.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
            yield self._annotated(tokens, document)

    def __call__(self, document: Document) -> AnnotatedDoc:
        return self._annotated(self.nlp(document.text), document)

    @staticmethod
    def _annotated(tokens: Doc, document: Document) -> AnnotatedDoc:
        if document.source == "note":
            if not document.sections:
                document = document.model_copy(update={"sections": sectionize(document.text)})
            split_note_sentences(tokens, document.sections)
        abbreviations = tuple(
            Abbreviation(short=a.text, short_start=a.start_char, short_end=a.end_char,
                         long=a._.long_form.text, long_start=a._.long_form.start_char,
                         long_end=a._.long_form.end_char)
            for a in tokens._.abbreviations
        )
        sentences = tuple((s.start_char, s.end_char) for s in tokens.sents)
        return AnnotatedDoc(document, tokens, sentences or ((0, len(document.text)),), abbreviations)
