"""Coordinated mentions: one span that names several concepts by sharing a word.

"breast and ovarian cancer" is breast cancer and ovarian cancer; "Subarachnoid and cerebral
hemorrhage" two haemorrhages; "ventricular tachycardia and fibrillation" ventricular tachycardia
and ventricular fibrillation; genes share a family name and differ in number ("caspase-3/7",
"MMP-2, -9 and -12", "FGF receptors 2 and 4"). BC5CDR, NCBI-disease and BioRED annotate such a
coordination as one mention with one id per concept; a tagger often finds only its first or
last conjunct ("cerebral hemorrhage", "FGF receptors 2") or the whole of it, which no single
concept names.

:func:`coordination` reads the text around and inside a mention and spells out each conjunct
as a name (``members``). The linker keeps the reading only if the spelled-out names are
names of concepts (``TfidfLinker._coordinated``): "acute and chronic pain" gives Acute
Pain and Chronic Pain, while "treated and untreated hypertension" names nothing and stays as it
was. A conjunct word that is itself part of another mention ("hypertension and cerebral
hemorrhage") is no shared-word coordination.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.lang.en.stop_words import STOP_WORDS

from kg.models import overlaps_any
from kg.vocab.genes import FAMILY, MORE_NUMBERS, NUMBER, family_member

_CONJ = r"(?:and/or|and|or)"
_WORD = r"[A-Za-z][A-Za-z-]*[A-Za-z]"
# Modifier words before a mention: "brain, breast, and " before "prostate cancer".
_LEFT = re.compile(rf"(?<![\w-])((?:{_WORD},\s+)*{_WORD}),?\s+{_CONJ}\s+$")
# The same inside one mention: "breast or ovarian cancer".
_INSIDE = re.compile(rf"^((?:{_WORD},\s+)*{_WORD}),?\s+{_CONJ}\s+(\S+\s+\S.*)$")
# A head word after a mention: " and fibrillation" after "ventricular tachycardia".
_RIGHT = re.compile(rf"^\s+{_CONJ}\s+({_WORD})(?![\w-])")
WINDOW = 80  # characters of context read on each side of a mention
# What may follow a gene family's last number: "IL-6 and 8 patients" counts patients.
_AFTER_FAMILY = STOP_WORDS | {"gene", "genes", "protein", "proteins", "mrna", "expression", "activity", "levels"}


@dataclass(frozen=True)
class Member:
    """One conjunct spelled out as a name, and where its own word stands in the text."""

    name: str
    start: int
    end: int
    own: bool = False  # the mention's own text: its candidates stand


def coordination(text: str, start: int, end: int, taken: list[tuple[int, int]], label: str = "Disease") -> list[Member]:
    """The conjuncts of the coordination that the mention ``text[start:end]`` is part of (none: it is in none).

    ``taken``: spans of the document's other mentions; a conjunct word inside one of them is
    an entity of its own, not a modifier that shares the mention's head. The coordination's
    span runs from the first to the last member the linker keeps. A ``Gene`` mention is read
    as a numbered family (:func:`numbered`), any other as words sharing a head or a modifier.
    """
    if label == "Gene":
        return numbered(text, start, end, taken)
    mention = text[start:end]
    inside = _INSIDE.match(mention)
    if inside:  # "breast or ovarian cancer": every conjunct takes the last one's head
        head = " ".join(inside.group(2).split()[1:])
        return [*_modifiers(inside.group(1), start, head), Member(inside.group(2), start, end)]
    words = mention.split()
    if len(words) < 2:
        return []
    offset = max(0, start - WINDOW)
    left = _LEFT.search(text[offset:start])
    if left:
        found = _modifiers(left.group(1), offset + left.start(1), " ".join(words[1:]))
        return [*(m for m in found if not overlaps_any(m.start, m.end, taken)), Member(mention, start, end, own=True)]
    right = _RIGHT.match(text[end : end + WINDOW])
    if right:
        s, e = end + right.start(1), end + right.end(1)
        if _content(right.group(1)) and not overlaps_any(s, e, taken):
            return [Member(mention, start, end, own=True), Member(" ".join([*words[:-1], right.group(1)]), s, e)]
    return []


def numbered(text: str, start: int, end: int, taken: list[tuple[int, int]]) -> list[Member]:
    """Members of a numbered gene family: "caspase-3/7" is caspase-3 and caspase-7, "matrix
    metalloproteinases 2/9" matrix metalloproteinase 2 and 9, "FGF receptors 2" followed by
    " and 4" FGF receptor 2 and FGF receptor 4 (but "MSH2, and 3 control probes" counts probes)."""
    found = FAMILY.match(text[start:end])
    if not found:
        return []
    more, at = found["more"], start + found.start("more")
    if not more:
        after = MORE_NUMBERS.match(text[end : end + WINDOW])
        if not after or overlaps_any(end, end + after.end(), taken) or not _ends_family(text[end + after.end() : end + WINDOW]):
            return []
        more, at = after.group(), end
    first = Member(family_member(found["stem"], found["sep"], found["num"]), start, start + found.end("num"))
    return [first, *(Member(family_member(found["stem"], found["sep"], n.group()), at + n.start(), at + n.end())
                     for n in NUMBER.finditer(more))]


def _ends_family(rest: str) -> bool:
    """Whether the text after a family's last number ends it: punctuation, a function word, "genes"."""
    word = re.match(r"\s+([A-Za-z]+)", rest)
    return word is None or word[1].lower() in _AFTER_FAMILY


def _modifiers(run: str, at: int, head: str) -> list[Member]:
    """Each word of a comma-separated run of modifiers that starts at ``at``, with ``head`` after it."""
    return [Member(f"{m.group()} {head}", at + m.start(), at + m.end()) for m in re.finditer(_WORD, run) if _content(m.group())]


def _content(word: str) -> bool:
    """Not a function word: "hemorrhagic cystitis and the ..." coordinates nothing."""
    return word.lower() not in STOP_WORDS


