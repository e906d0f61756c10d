"""Co-mention assembly: document->concept MENTIONS links and sentence-level co-occurrence triples.

Co-mention is not a claimed relation; it is the honest baseline that needs no relation model,
stored as ``CO_OCCURS_WITH`` so it never mixes with extracted relations. Each co-occurring pair
in a sentence becomes one ``Evidence`` (document, sentence, both spans), so the edge's counts
are counts of sentences that support it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from itertools import combinations

from kg.models import ASSERTIONS, Concept, DocumentMentions, Evidence, GraphBatch, Mention, MentionLink, Triple

CO_OCCURS_WITH = "CO_OCCURS_WITH"
MAX_CONCEPTS_PER_SENTENCE = 25  # a list-like sentence with more would add O(n^2) noise edges
MAX_TEXTS_PER_LINK = 10


class CooccurrenceAssembler:
    """Turn linked mentions into a GraphBatch.

    Parameters
    ----------
    concepts:
        Looks up ``Concept`` records for the linked ids (the Linker's ``concepts`` method).
    keep_note_text:
        Clinical notes' sentences are not stored unless the user opts in: they may identify a patient.
    """

    name = "cooccurrence"
    version = "1"

    def __init__(self, concepts: Callable[[Sequence[str]], list[Concept]], *, keep_note_text: bool = False) -> None:
        self._concepts = concepts
        self.keep_note_text = keep_note_text

    def assemble(self, items: Iterable[DocumentMentions]) -> GraphBatch:
        documents, links, evidence = [], [], []
        concept_ids: set[str] = set()
        for item in items:
            documents.append(item.document)
            linked = [m for m in item.mentions if m.concept_id]
            concept_ids.update(m.concept_id for m in linked)
            keep_text = item.document.source != "note" or self.keep_note_text
            links.extend(self._links(item.document.id, linked, keep_text=keep_text))
            evidence.extend(self._evidence(item, linked))
        concepts = self._concepts(sorted(concept_ids)) if concept_ids else []
        return GraphBatch(
            documents=tuple(documents), concepts=tuple(concepts), mentions=tuple(links), evidence=tuple(evidence)
        )

    @staticmethod
    def _links(doc_id: str, mentions: list[Mention], *, keep_text: bool = True) -> list[MentionLink]:
        by_concept: dict[str, list[Mention]] = defaultdict(list)
        for m in mentions:
            by_concept[m.concept_id].append(m)
        out = []
        for cid, ms in by_concept.items():
            texts = tuple(dict.fromkeys(m.text for m in ms))[:MAX_TEXTS_PER_LINK] if keep_text else ()
            counts = Counter(m.assertion for m in ms)
            out.append(
                MentionLink(
                    doc_id=doc_id,
                    concept_id=cid,
                    count=len(ms),
                    texts=texts,
                    max_score=max(m.score * m.candidates[0].score for m in ms),
                    assertion=max(ASSERTIONS, key=lambda a: (counts[a], -ASSERTIONS.index(a))),
                    **{a: counts[a] for a in ASSERTIONS},
                    sections=tuple(sorted({m.section for m in ms if m.section})),
                    extractor=ms[0].extractor,
                    extractor_version=ms[0].extractor_version,
                )
            )
        return out

    def _evidence(self, item: DocumentMentions, mentions: list[Mention]) -> list[Evidence]:
        doc = item.document
        keep_text = doc.source != "note" or self.keep_note_text
        by_sentence: dict[tuple[int, int], dict[str, Mention]] = defaultdict(dict)
        for m in sorted(mentions, key=lambda m: m.start):
            if m.sentence_start is None or m.sentence_end is None:
                continue
            by_sentence[(m.sentence_start, m.sentence_end)].setdefault(m.concept_id, m)  # first mention wins
        out = []
        for (s_start, s_end), first in by_sentence.items():
            if len(first) < 2 or len(first) > MAX_CONCEPTS_PER_SENTENCE:
                continue
            sentence = doc.text[s_start:s_end] if keep_text else ""
            for a, b in combinations(sorted(first), 2):  # sorted ids: one canonical direction per pair
                ma, mb = first[a], first[b]
                negated = "negated" in (ma.assertion, mb.assertion)
                out.append(
                    Evidence(
                        triple=Triple(subject=a, predicate=CO_OCCURS_WITH, object=b),
                        doc_id=doc.id,
                        sentence=sentence,
                        sentence_start=s_start,
                        subject_span=(ma.start, ma.end),
                        object_span=(mb.start, mb.end),
                        extractor=f"{self.name}+{ma.extractor}",
                        extractor_version=f"{self.version}+{ma.extractor_version}",
                        score=min(ma.score * ma.candidates[0].score, mb.score * mb.candidates[0].score),
                        assertion="negated" if negated else "affirmed",
                        year=doc.metadata.get("year"),
                    )
                )
        return out
