"""Assembly: annotated documents -> one :class:`~kg.models.GraphBatch`, what a GraphStore writes.

It reads the layers the components filled and decides nothing they decided: documents, the
linked concepts (the linker's ``concepts`` layer), one ``MENTIONS`` link per document and
concept, and evidence of two kinds:

- co-mention: every pair of concepts linked in one sentence becomes one ``CO_OCCURS_WITH``
  evidence (document, sentence, both spans). Co-mention is not a claimed relation; it is the
  honest baseline that needs no relation model, kept apart from extracted relations.
- variant of a gene: a linked variant mention whose sentence names a linked gene just before it
  ("BRAF V600E") or "in the X gene" right after it becomes ``IS_VARIANT_OF`` evidence (variant ->
  gene; :func:`kg.vocab.variants.gene_of`), a rule over the mentions like co-mention.
- relations: each predicted relation (the ``relations`` layer) becomes a triple whose predicate
  is a relationship type of ``ontology/schema.yaml`` (:data:`RELATION_TYPES` maps corpus type ->
  graph type -> Biolink), with one evidence per sentence that states it (the relation model
  chose them; or the nearest passage, marked ``same_sentence=False``, for a pair the abstract
  relates across sentences), each carrying the model's calibrated document-level score, which
  the graph aggregates per document (max, noisy-OR over documents), and the sentence's own score.

Clinical notes' sentences and surface forms are not stored unless ``keep_note_text`` is set:
they may identify a patient. That rule is applied here and nowhere else. Evidence from a
retracted paper, or from the notice that retracts one (which restates the claim it withdraws:
"Retraction: X induces Y"), is flagged (``retracted``); the graph leaves it out of edge scores.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import combinations

from kg.doc import AnnotatedDoc
from kg.models import (
    ASSERTIONS,
    UNSCORED_ASSERTIONS,
    Evidence,
    GraphBatch,
    Mention,
    MentionLink,
    Relation,
    Triple,
    outermost,
    pair_assertion,
)
from kg.vocab.variants import gene_of

CO_OCCURS_WITH = "CO_OCCURS_WITH"
IS_VARIANT_OF = "IS_VARIANT_OF"
MAX_CONCEPTS_PER_SENTENCE = 25  # a list-like sentence with more would add O(n^2) noise edges
MAX_TEXTS_PER_LINK = 10

# Corpus relation type -> (graph relationship type, Biolink predicate). CID is directed
# chemical -> disease; BioRED's types are undirected and written Chemical -> Gene -> Variant
# -> Disease (see kg.relate.features.TYPE_ORDER).
RELATION_TYPES: dict[str, tuple[str, str]] = {
    "CID": ("INDUCES", "biolink:causes"),
    "Association": ("ASSOCIATED_WITH", "biolink:associated_with"),
    "Positive_Correlation": ("POSITIVELY_CORRELATED_WITH", "biolink:positively_correlated_with"),
    "Negative_Correlation": ("NEGATIVELY_CORRELATED_WITH", "biolink:negatively_correlated_with"),
    "Bind": ("BINDS", "biolink:directly_physically_interacts_with"),
    "Cotreatment": ("COTREATED_WITH", "biolink:coexists_with"),
    "Comparison": ("COMPARED_WITH", "biolink:related_to"),
    "Drug_Interaction": ("INTERACTS_WITH", "biolink:chemically_interacts_with"),
    "Conversion": ("CONVERTS_TO", "biolink:related_to"),
}


class Assembler:
    """Turn annotated documents into a GraphBatch.

    Parameters
    ----------
    cooccurrence:
        Write ``CO_OCCURS_WITH`` evidence (the co-mention baseline) beside extracted relations.
    keep_note_text:
        Store clinical notes' sentences and surface forms (off by default: they may identify a patient).
    """

    name = "assembler"
    version = "5"  # 4: IS_VARIANT_OF; 5: no co-mention of a mention nested in another's

    def __init__(self, *, cooccurrence: bool = True, keep_note_text: bool = False) -> None:
        self.cooccurrence = cooccurrence
        self.keep_note_text = keep_note_text

    @property
    def settings(self) -> dict[str, object]:
        # the evidence the graph leaves unscored: a change to it redoes every document, whose edges
        # then get their aggregates afresh
        return {"cooccurrence": self.cooccurrence, "keep_note_text": self.keep_note_text,
                "max_concepts_per_sentence": MAX_CONCEPTS_PER_SENTENCE, "max_texts_per_link": MAX_TEXTS_PER_LINK,
                "unscored_assertions": list(UNSCORED_ASSERTIONS)}

    def assemble(self, docs: Iterable[AnnotatedDoc]) -> GraphBatch:
        documents, concepts, links, evidence = [], {}, [], []
        for doc in docs:
            documents.append(doc.document)
            linked = [m for m in doc.mentions if m.concept_id]
            concepts.update({cid: doc.concepts[cid] for cid in sorted({m.concept_id for m in linked})
                             if cid in doc.concepts})
            keep_text = self._keep_text(doc)
            links.extend(_links(doc.id, linked, keep_text=keep_text))
            if self.cooccurrence:  # as relations: no co-mention of a name and the longer name that holds it
                evidence.extend(self._cooccurrences(doc, outermost(linked), keep_text))
            evidence.extend(self._variant_genes(doc, linked, keep_text))
            if linked:  # a relation's evidence names the extractor of the document's first linked mention
                evidence.extend(e for r in doc.relations
                                for e in self._relation_evidence(doc, r, keep_text, linked[0]))
        return GraphBatch(documents=tuple(documents), concepts=tuple(concepts[c] for c in sorted(concepts)),
                          mentions=tuple(links), evidence=tuple(evidence))

    def _keep_text(self, doc: AnnotatedDoc) -> bool:
        return doc.document.source != "note" or self.keep_note_text

    def _cooccurrences(self, doc: AnnotatedDoc, mentions: list[Mention], keep_text: bool) -> list[Evidence]:
        by_sentence: dict[tuple[int, int], dict[str, Mention]] = defaultdict(dict)
        for m in sorted(mentions, key=lambda m: m.start):
            if m.sentence_start is not None and m.sentence_end is not None:
                by_sentence[(m.sentence_start, m.sentence_end)].setdefault(m.concept_id, m)  # first mention wins
        out = []
        for (s_start, s_end), first in by_sentence.items():
            if len(first) < 2 or len(first) > MAX_CONCEPTS_PER_SENTENCE:
                continue
            for a, b in combinations(sorted(first), 2):  # sorted ids: one canonical direction per pair
                out.append(_rule_evidence(doc, CO_OCCURS_WITH, first[a], first[b], "cooccurrence", keep_text))
        return out

    @staticmethod
    def _variant_genes(doc: AnnotatedDoc, mentions: list[Mention], keep_text: bool) -> list[Evidence]:
        """``IS_VARIANT_OF`` evidence: each linked variant mention tied to the linked gene mention
        its sentence names just before it, or as "in the X gene" right after it."""
        genes = {(m.start, m.end): m for m in mentions if m.label == "Gene"}
        variants = [m for m in mentions if m.label == "Variant"]
        if not genes or not variants:
            return []
        spans = [(s, e, genes[(s, e)].concept_id) for s, e in genes]
        out = []
        for v in variants:
            if v.sentence_start is None or v.sentence_end is None:
                continue
            tied = gene_of(doc.text, v.start, v.end, spans, v.sentence_start)
            if tied is None:
                continue
            out.append(_rule_evidence(doc, IS_VARIANT_OF, v, genes[(tied[0], tied[1])], "variant-gene", keep_text))
        return out

    @staticmethod
    def _relation_evidence(doc: AnnotatedDoc, r: Relation, keep_text: bool, extractor: Mention) -> list[Evidence]:
        predicate, _ = RELATION_TYPES[r.type]
        triple = Triple(subject=r.subject, predicate=predicate, object=r.object)
        return [
            Evidence(
                triple=triple,
                doc_id=doc.id,
                sentence=doc.text[s.sentence[0] : s.sentence[1]] if keep_text else "",
                sentence_start=s.sentence[0],
                subject_span=s.subject_span,
                object_span=s.object_span,
                extractor=f"relations+{extractor.extractor}",
                extractor_version=f"1+{r.model_version}+{extractor.extractor_version}",
                score=r.score,
                assertion=s.assertion,
                year=doc.document.metadata.get("year"),
                novelty=r.novelty,
                retracted=_retracted(doc),
                same_sentence=s.same_sentence,
                sentence_score=s.score,
            )
            for s in r.supports
        ]


def _rule_evidence(doc: AnnotatedDoc, predicate: str, subject: Mention, obj: Mention, rule: str,
                   keep_text: bool) -> Evidence:
    """Evidence of a triple a rule reads off two linked mentions of one sentence (the subject's)."""
    start, end = subject.sentence_start, subject.sentence_end
    return Evidence(
        triple=Triple(subject=subject.concept_id, predicate=predicate, object=obj.concept_id),
        doc_id=doc.id,
        sentence=doc.text[start:end] if keep_text else "",
        sentence_start=start,
        subject_span=(subject.start, subject.end),
        object_span=(obj.start, obj.end),
        extractor=f"{rule}+{subject.extractor}",
        extractor_version=f"1+{subject.extractor_version}",
        score=min(_mention_score(subject), _mention_score(obj)),
        assertion=pair_assertion(subject, obj),
        year=doc.document.metadata.get("year"),
        retracted=_retracted(doc),
    )


def _mention_score(m: Mention) -> float:
    return m.score * m.candidates[0].score


def _links(doc_id: str, mentions: list[Mention], *, keep_text: bool) -> list[MentionLink]:
    by_concept: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        by_concept[m.concept_id].append(m)
    out = []
    for cid, ms in by_concept.items():
        counts = Counter(m.assertion for m in ms)
        out.append(
            MentionLink(
                doc_id=doc_id,
                concept_id=cid,
                count=len(ms),
                texts=tuple(dict.fromkeys(m.text for m in ms))[:MAX_TEXTS_PER_LINK] if keep_text else (),
                max_score=max(_mention_score(m) for m in ms),
                assertion=max(ASSERTIONS, key=lambda a: (counts[a], -ASSERTIONS.index(a))),
                **{a: counts[a] for a in ASSERTIONS},
                sections=tuple(sorted({m.section for m in ms if m.section})),
                extractor=ms[0].extractor,
                extractor_version=ms[0].extractor_version,
            )
        )
    return out


def _retracted(doc: AnnotatedDoc) -> bool:
    """Whether the evidence a document gives is withdrawn: a retracted paper's, or a retraction
    notice's (the notice itself is no retracted paper, ``retraction_of`` names what it retracts)."""
    meta = doc.document.metadata
    return bool(meta.get("retracted") or meta.get("retraction_of"))
