"""Token spans -> Mentions, after short forms defined in the text take their long form's type."""

from __future__ import annotations

import re

from spacy.tokens import Doc

from kg.doc import AnnotatedDoc
from kg.models import Mention
from kg.text.sections import header_spans

Ents = dict[tuple[int, int], str]  # (token start, token end) -> entity type
# inherit_abbreviation_types; 2: an entity before the long form that spells the short form counts, and
# a short form inside a longer entity of its type stays inside it ("COX-2"); 3: no mention in a section header;
# 4: nor in a review-of-systems or exam system's label, nor in a lab field's label before its result
VERSION = "short-form-types-4"

# The body systems a review of systems or an exam is written under, one "System: findings" line each.
SYSTEM_LABELS = frozenset({
    "constitutional", "general", "eyes", "ent", "heent", "ears, nose, mouth and throat", "head", "neck",
    "cardiovascular", "cardiac", "cv", "respiratory", "pulmonary", "gastrointestinal", "gi", "genitourinary",
    "gu", "musculoskeletal", "msk", "skin", "integumentary", "dermatologic", "dermatological", "neurological",
    "neurologic", "neuro", "psychiatric", "psych", "endocrine", "hematologic", "hematologic/lymphatic",
    "heme/lymph", "lymphatic", "allergic/immunologic", "immunologic", "extremities",
})
# A field at the start of a line, after an optional bullet: "• Psychiatric: Denies anxiety."
_FIELD = re.compile(r"^[ \t]*(?:[*•·–-][ \t]*)?(?P<label>[^\n:]{1,60}?)[ \t]*:(?P<value>[^\n]*)$", re.MULTILINE)
# A lab result as the whole value: a qualitative reading, or a number with no unit or a
# concentration's ("5.2 mmol/L", "7%"); "81 mg daily" is a dose, the field a medication.
_LAB_RESULT = re.compile(
    r"(?:negative|positive|normal|abnormal|within normal limits|wnl|trace|(?:not )?detected|non-?reactive|reactive"
    r"|[<>]?\d[\d.,]*(?: ?(?:%|[^\s/]+/[^\s/]+))?)[ \t]*[.,;]?",
    re.IGNORECASE,
)
# The mention types a lab field's label names when it names an analyte ("Glucose", "Albumin").
_ANALYTE_TYPES = frozenset({"Chemical", "Gene"})


def section_headers(doc: AnnotatedDoc) -> list[tuple[int, int]]:
    """The character spans of the section headers written in a note ("ALLERGIES", "CC:"): a label
    of what follows, never a mention ("ALLERGIES" is no finding of Hypersensitivity, "CC" no Clomiphene)."""
    if doc.document.source != "note":  # an abstract's section labels are no text of its mentions' sentences
        return []
    return header_spans(doc.text, doc.sections)


def field_labels(doc: AnnotatedDoc) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The character spans of a note's field labels that name no finding: ``(systems, analytes)``.

    ``systems``: a body system opening a review-of-systems or exam line ("• Psychiatric: Denies
    anxiety."): a place to look, not Mental Disorders. ``analytes``: the label of a lab field whose
    whole value is a result ("Glucose: Negative.", "Albumin: Within normal limits"): what was
    measured, not a finding; only an analyte's mention there is no mention (:data:`_ANALYTE_TYPES`),
    so "Hepatitis C: negative" stays a negated finding. Any other label keeps its mentions: in a
    problem list "Asthma: well controlled" names the patient's asthma.
    """
    if doc.document.source != "note":
        return [], []
    systems, analytes = [], []
    for m in _FIELD.finditer(doc.text):
        label = m.span("label")
        if re.sub(r"\s+", " ", m.group("label").lower()) in SYSTEM_LABELS:
            systems.append(label)
        elif _LAB_RESULT.fullmatch(m.group("value").strip()):
            analytes.append(label)
    return systems, analytes


def to_mentions(doc: AnnotatedDoc, ents: Ents, extractor: str, version: str,
                scores: dict[tuple[int, int], float] | None = None, *, reach_before_long_form: bool = False
                ) -> tuple[Mention, ...]:
    """Mentions for token spans ``(start, end) -> type``, after abbreviation types are settled.

    ``scores``: the extractor's confidence per span (1.0 where absent); a short form takes its
    long form's. ``reach_before_long_form``: see :func:`inherit_abbreviation_types`.
    """
    scores = dict(scores or {})
    inherit_abbreviation_types(doc.tokens, ents, scores, reach_before_long_form=reach_before_long_form)
    tokens = doc.tokens
    headers = section_headers(doc)
    systems, analytes = field_labels(doc)
    mentions = []
    for (s, e), label in sorted(ents.items()):
        span = tokens[s:e]
        labels = headers + systems + (analytes if label in _ANALYTE_TYPES else [])
        if any(start <= span.start_char and span.end_char <= end for start, end in labels):
            continue
        sentence_start, sentence_end = doc.sentence_of(span.start_char, span.end_char)
        mentions.append(
            Mention(
                doc_id=doc.id,
                start=span.start_char,
                end=span.end_char,
                text=span.text,
                label=label,
                extractor=extractor,
                extractor_version=version,
                score=round(scores.get((s, e), 1.0), 4),
                sentence_start=sentence_start,
                sentence_end=sentence_end,
            )
        )
    return tuple(mentions)


def rule_mention(doc: AnnotatedDoc, start: int, end: int, label: str, extractor: str, version: str,
                 score: float) -> Mention:
    """A rule's mention of type ``label`` over ``doc.text[start:end]``, in its sentence."""
    sentence_start, sentence_end = doc.sentence_of(start, end)
    return Mention(
        doc_id=doc.id, start=start, end=end, text=doc.text[start:end], label=label, extractor=extractor,
        extractor_version=version, score=score, sentence_start=sentence_start, sentence_end=sentence_end,
    )


def with_added(mentions: tuple[Mention, ...], added: list[Mention]) -> tuple[Mention, ...]:
    """``mentions`` and ``added``, in text order."""
    if not added:
        return mentions
    return tuple(sorted((*mentions, *added), key=lambda m: (m.start, m.end)))


def inherit_abbreviation_types(tokens: Doc, ents: Ents, scores: dict[tuple[int, int], float], *,
                               reach_before_long_form: bool = False) -> None:
    """Give every occurrence of a defined short form the type of the entity ending its long form.

    The model often tags a long form ("spontaneously hypertensive rats") but misses or mistypes
    the bare short form later ("SHR"); the definition in the text settles it. A short form
    whose long form is not an entity is left as the model tagged it.

    The entity used is the widest inside the long form that ends it: the detector may include a
    leading word ("... in hypertensive rats (SHR)"). An entity that starts before the detected
    long form counts where it spells the short form itself (:func:`_spells`): the detector takes
    the shortest long form, "C7 deficiency" for "Complement C7 deficiency (C7D)".
    ``reach_before_long_form`` accepts any entity that starts before, which the dictionary needs
    (the detector cuts "hereditary hemochromatosis (HH)" to "hemochromatosis" while the lexicon
    matched the whole name) and a model does not: on NCBI-disease dev it costs 1.2 points F1
    there, mostly gene names in disease phrases ("familial adenomatous polyposis coli (APC)").
    """
    by_long: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for short in tokens._.abbreviations:
        long = short._.long_form
        by_long.setdefault((long.start, long.end), []).append((short.start, short.end))
    for (l_start, l_end), shorts in by_long.items():
        short_spans = set(shorts)
        short = tokens[shorts[0][0]:shorts[0][1]].text
        inside = [se for se in ents if se[1] == l_end and se not in short_spans
                  and (reach_before_long_form or l_start <= se[0] or _spells(short, tokens[se[0]:se[1]].text))]
        if not inside:
            continue
        label, score = ents[min(inside)], scores.get(min(inside), 1.0)
        for span in shorts:
            overlapping = [o for o in ents if o[0] < span[1] and span[0] < o[1]]
            if any(ents[o] == label and o[0] <= span[0] and span[1] <= o[1] and o != span for o in overlapping):
                continue  # inside a longer entity of its type already ("HPT-JT syndrome")
            for other in overlapping:
                del ents[other]
            ents[span], scores[span] = label, score


def _spells(short: str, long: str) -> bool:
    """Whether ``long`` could define ``short`` by itself: it starts with the short form's first letter
    or digit and holds the others in order (Schwartz and Hearst's test, from the long form's start)."""
    chars = [c for c in short.lower() if c.isalnum()]
    text = long.lower()
    if not chars or not text.startswith(chars[0]):
        return False
    at = 1
    for c in chars[1:]:
        if (at := text.find(c, at) + 1) == 0:
            return False
    return True
