"""Split a clinical note into its sections (Chief Complaint, Family History, Assessment and Plan ...).

Sections matter downstream because they carry meaning the sentences leave implicit: "Breast
cancer." under FAMILY HISTORY is the mother's, under PAST MEDICAL HISTORY it is the patient's,
in the past. The header variants below are the ones the ACI-Bench train and valid notes use
(standalone upper-case lines such as ``PHYSICAL EXAM``) plus the ``Header: text`` form of
dictated notes (``CC:``, ``HPI:``, ``Past Medical History: ...``). Labels are normalised to
snake_case so "PAST HISTORY", "MEDICAL HISTORY" and "PMH:" all become ``past_medical_history``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kg.models import Section

# normalised label -> header spellings (matched case-insensitively, whitespace-tolerant)
SECTION_HEADERS: dict[str, tuple[str, ...]] = {
    "chief_complaint": ("chief complaint", "cc", "reason for visit", "reason for consultation"),
    "history_of_present_illness": ("history of present illness", "hpi", "present illness", "interval history"),
    "past_medical_history": ("past medical history", "medical history", "past history", "pmh", "pmhx"),
    "past_surgical_history": ("past surgical history", "surgical history", "psh"),
    "family_history": ("family history", "fh", "fhx", "family medical history"),
    "social_history": ("social history", "sh", "shx"),
    "review_of_systems": ("review of systems", "ros"),
    "physical_exam": ("physical exam", "physical examination", "exam", "examination", "pe"),
    "vitals": ("vitals", "vital signs", "vitals reviewed"),
    "results": ("results", "labs", "laboratory results", "imaging", "data reviewed"),
    "assessment_and_plan": ("assessment and plan", "assessment & plan", "a/p", "a&p"),
    "assessment": ("assessment", "impression", "diagnosis", "diagnoses"),
    "plan": ("plan", "recommendations"),
    "medications": ("medications", "current medications", "meds", "medication list"),
    "allergies": ("allergies", "drug allergies", "allergy"),
    "problem_list": ("problem list", "active problems"),
    "instructions": ("instructions", "patient instructions", "discharge instructions"),
    "procedure": ("procedure", "procedures"),
    "birth_history": ("birth history",),
}

_ALIAS = {
    re.sub(r"\s+", " ", spelling): label for label, spellings in SECTION_HEADERS.items() for spelling in spellings
}
_ALTERNATION = "|".join(
    r"\s+".join(re.escape(word) for word in spelling.split(" "))
    for spelling in sorted(_ALIAS, key=len, reverse=True)
)
# A header either stands alone on its line (optionally with a colon) or starts the line and is
# followed by a colon and text. Bare words like "Plan" inside prose never start a section.
_HEADER_RE = re.compile(
    rf"^[ \t]*(?P<header>{_ALTERNATION})[ \t]*(?::[ \t]*(?=\S)|:?[ \t]*$)",
    re.IGNORECASE | re.MULTILINE,
)
# Abbreviations ("CC", "PE", "HPI", "PMHx": three characters or fewer, or no vowel) are headers on
# their own line only in upper case: "Pe" or "cc" alone on a line is no header, "Plan" is.
_ABBREVIATIONS = frozenset(s for s in _ALIAS if len(s) <= 3 or not re.search(r"[aeiouy]", s))
# Upper-case lines like "BIRTH HISTORY" or "PSYCHIATRIC HISTORY" that are not in the table.
_OTHER_HISTORY_RE = re.compile(r"^[ \t]*(?P<header>[A-Z][A-Z ]{1,40} HISTORY)[ \t]*:?[ \t]*$", re.MULTILINE)
# Either kind of header where a section starts: through its colon, or to the end of its line.
_HEADER_AT = re.compile(
    rf"(?:{_ALTERNATION}|(?-i:[A-Z][A-Z ]{{1,40}} HISTORY))[ \t]*(?::|(?=[ \t]*(?:\r?\n|$)))",
    re.IGNORECASE,
)


def normalise_label(header: str) -> str:
    """The snake_case label of a header as written (unknown headers keep their own words)."""
    key = re.sub(r"\s+", " ", header.strip().rstrip(":").lower())
    return _ALIAS.get(key) or re.sub(r"[^a-z0-9]+", "_", key).strip("_")


def sectionize(text: str) -> tuple[Section, ...]:
    """Sections of ``text`` in order; each runs from its header to the next header.

    Text before the first header belongs to no section. A header with a colon may be written
    in any case; one alone on its line must start with a capital ("Family History", "Past
    medical history", "ALLERGIES"), so a line-wrapped word of prose ("the\nplan\nfor") is not
    mistaken for one, and an abbreviation alone on its line ("CC", "PE") must be upper case.
    """
    found: dict[int, str] = {}
    for m in _HEADER_RE.finditer(text):
        header = m.group("header")
        if ":" not in m.group() and not _standalone_header(header):
            continue
        found.setdefault(m.start("header"), normalise_label(header))
    for m in _OTHER_HISTORY_RE.finditer(text):
        found.setdefault(m.start("header"), normalise_label(m.group("header")))
    starts = sorted(found)
    ends = starts[1:] + [len(text)]
    return tuple(
        Section(label=found[s], start=s, end=_rstrip_end(text, s, e)) for s, e in zip(starts, ends)
    )


def _standalone_header(header: str) -> bool:
    """Whether a known header written alone on its line, without a colon, is written as one."""
    if header == header.upper():
        return True
    return header[:1].isupper() and re.sub(r"\s+", " ", header.lower()) not in _ABBREVIATIONS


def _rstrip_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def header_end(text: str, start: int) -> int:
    """Where the header that opens a section at ``start`` ends (after its colon, if it has one).

    ``start`` itself when no header is written there (sections a source supplied). The header's
    words are a label, not a statement: "Social History: has asthma" says nothing historical.
    """
    m = _HEADER_AT.match(text, start)
    return m.end() if m else start


def header_spans(text: str, sections: Iterable[Section]) -> list[tuple[int, int]]:
    """``(start, end)`` of each header written in ``text`` at a section's start (:func:`header_end`);
    sections a source supplied without a written header have none."""
    return [(sec.start, end) for sec in sections if (end := header_end(text, sec.start)) > sec.start]
