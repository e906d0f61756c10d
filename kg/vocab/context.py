"""What a normaliser may know about the document around a mention."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field

# A sentence ends at . ! ? followed by space and an upper-case letter or digit (good enough for
# "same sentence" tests; abbreviations like "e.g. the" do not end one).
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z0-9(\[])")


@dataclass(frozen=True)
class SpeciesMention:
    """A species named in the document: ``taxon`` is a CURIE (``NCBITaxon:10090``); ``generic``
    marks people words ("patients", "women") that say human without naming the species."""

    start: int
    end: int
    taxon: str
    generic: bool = False


@dataclass(frozen=True)
class DocContext:
    """The document text and what was found in it: species mentions, abbreviation pairs
    (short form -> long form), and the texts of its gene mentions.

    Build it once per document (:meth:`build` finds species itself when given a normaliser)
    and pass it to every normaliser call for that document.
    """

    text: str = ""
    species: tuple[SpeciesMention, ...] = ()
    abbreviations: tuple[tuple[str, str], ...] = ()
    genes: tuple[str, ...] = ()
    title_end: int = 0  # where the title ends in ``text`` (0: unknown); title species count double
    variants: tuple | None = None  # the variant rules' scan of ``text`` where the extractor made one
    _sentences: tuple[int, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        starts = self._sentences or (0, *(m.end() for m in _SENTENCE_END.finditer(self.text)))
        if self.title_end:
            starts = tuple(sorted({*starts, self.title_end}))
        object.__setattr__(self, "_sentences", starts)

    @classmethod
    def build(
        cls,
        text: str,
        *,
        species=None,
        abbreviations: dict[str, str] | None = None,
        genes: tuple[str, ...] | list[str] = (),
        species_mentions: tuple[SpeciesMention, ...] | None = None,
        title_end: int = 0,
        variants: tuple | None = None,
        sentence_starts: tuple[int, ...] = (),
    ) -> DocContext:
        """``species`` is a :class:`~kg.vocab.species.SpeciesNormalizer` that scans ``text`` when
        ``species_mentions`` (what an extractor found) is not given."""
        if species_mentions is None:
            species_mentions = tuple(species.find(text)) if species is not None else ()
        return cls(
            text=text, species=tuple(species_mentions), abbreviations=tuple((abbreviations or {}).items()),
            genes=tuple(genes), title_end=title_end, variants=variants, _sentences=tuple(sentence_starts),
        )

    @property
    def long_forms(self) -> dict[str, str]:
        return dict(self.abbreviations)

    def sentence_of(self, offset: int) -> int:
        """Index of the sentence holding character ``offset`` (0 for an offset before the text)."""
        return max(bisect_right(self._sentences, offset) - 1, 0)

    def sentence_start(self, offset: int) -> int:
        """Where the sentence holding character ``offset`` starts."""
        return self._sentences[self.sentence_of(offset)]

    def species_counts(self, generic_weight: float = 1.0) -> Counter:
        """Taxon -> weight of its mentions in the document: title mentions count double, generic
        people words ("patients") ``generic_weight`` each."""
        counts: Counter = Counter()
        for s in self.species:
            title = 2 if self.title_end and s.start < self.title_end else 1
            counts[s.taxon] += title * (generic_weight if s.generic else 1)
        return counts

    def species_before(self, offset: int) -> SpeciesMention | None:
        """The species mention nearest before ``offset`` in the same sentence, if any."""
        sentence = self.sentence_of(offset)
        best = None
        for s in self.species:
            if s.end <= offset and self.sentence_of(s.start) == sentence and (best is None or s.start > best.start):
                best = s
        return best
