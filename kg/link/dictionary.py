"""Dictionary linking: a mention's concepts are the lexicon readings of its text, of its type.

Two tiers, as in scispaCy's candidate generation but without vectors: an exact lowercase
match scores the reading's share of gold support; failing that, a normalised match
(punctuation, plural -s and word order ignored) scores the same share times
``NORMALISED_PENALTY``. Readings of another type are never candidates: a "Disease"
mention is not linked to a Gene that happens to share its spelling. Nothing found -> NIL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kg.link.lexicon import Lexicon, LexiconEntry
from kg.models import Candidate, Concept, DocumentMentions, Mention

NORMALISED_PENALTY = 0.8
MAX_CANDIDATES = 5


class DictionaryLinker:
    """Exact, then normalised, lexicon lookup; ``version`` changes whenever the lexicon does."""

    name = "dictionary"

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.version = f"lex-{lexicon.hash[:12]}"
        self._types: dict[str, str] = {}
        self._synonyms: dict[str, list[str]] = {}
        for form, entries in lexicon.entries.items():
            for e in entries:
                if e.concept_id:
                    self._types.setdefault(e.concept_id, e.type)
                    self._synonyms.setdefault(e.concept_id, []).append(form)

    def link(self, items: Iterable[DocumentMentions]) -> Iterator[DocumentMentions]:
        """Mentions that already carry candidates (abbreviations resolved upstream) are kept."""
        for item in items:
            mentions = tuple(
                m if m.candidates else m.model_copy(update={"candidates": self.candidates(m)})
                for m in item.mentions
            )
            yield item.model_copy(update={"mentions": mentions})

    def candidates(self, mention: Mention) -> tuple[Candidate, ...]:
        for readings, factor in (
            (self.lexicon.lookup(mention.text), 1.0),
            (self.lexicon.lookup_normalised(mention.text), NORMALISED_PENALTY),
        ):
            typed = [e for e in readings if e.type == mention.label and e.concept_id]
            if typed:
                return self._rank(typed, factor)
        return ()

    def _rank(self, readings: list[LexiconEntry], factor: float) -> tuple[Candidate, ...]:
        support: dict[str, int] = {}
        for e in readings:
            support[e.concept_id] = support.get(e.concept_id, 0) + e.count + 1  # type: ignore[index]
        total = sum(support.values())
        ranked = sorted(support, key=lambda cid: (-support[cid], cid))[:MAX_CANDIDATES]
        return tuple(
            Candidate(concept_id=cid, score=round(factor * support[cid] / total, 4), name=self.lexicon.names.get(cid))
            for cid in ranked
        )

    def concepts(self, ids: Iterable[str]) -> list[Concept]:
        """Concept nodes for ``ids`` the lexicon knows (unknown ids are left out)."""
        out = []
        for cid in dict.fromkeys(ids):
            type_ = self._types.get(cid)
            if type_ is None:
                continue
            synonyms = tuple(sorted(set(self._synonyms.get(cid, ()))))
            name = self.lexicon.names.get(cid) or (synonyms[0] if synonyms else cid)
            source = cid.split(":", 1)[0]
            out.append(Concept(id=cid, name=name, type=type_, synonyms=synonyms, source=source))
        return out
