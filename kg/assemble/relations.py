"""Relation assembly: the relation model's typed, scored predictions as triples with evidence.

Each predicted document-level relation becomes a triple whose predicate is a relationship
type of ``ontology/schema.yaml`` (see :data:`RELATION_TYPES` for the corpus type -> graph type
-> Biolink mapping). Its support is one ``Evidence`` per sentence that holds both concepts,
or, for a pair the abstract relates across sentences, one ``Evidence`` for the nearest
passage (from the sentence of one concept's closest mention to the other's). Every Evidence
carries the model's document-level score, so the graph can aggregate (max, noisy-OR) over
documents.

Documents, concepts and MENTIONS links come from :class:`CooccurrenceAssembler`, and its
``CO_OCCURS_WITH`` edges are kept unless ``cooccurrence=False``: co-mention stays the
baseline next to the claims, never mixed with them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from kg.assemble.cooccur import CO_OCCURS_WITH, CooccurrenceAssembler
from kg.models import Concept, DocumentMentions, Evidence, GraphBatch, Triple
from kg.relate.model import RelationModel, RelationPrediction

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
    "Drug_Interaction": ("INTERACTS_WITH", "biolink:chemical_interacts_with"),
    "Conversion": ("CONVERTS_TO", "biolink:related_to"),
}


class RelationAssembler:
    """Turn linked mentions into a GraphBatch of typed relations (plus co-occurrence edges).

    Parameters
    ----------
    model:
        A trained :class:`RelationModel` (``RelationModel.load("models/re-cpu")``).
    concepts:
        Looks up ``Concept`` records for the linked ids (the Linker's ``concepts`` method).
    cooccurrence:
        Keep the ``CO_OCCURS_WITH`` evidence of the co-mention baseline as well.
    tasks:
        Model heads to run (``"cid"``, ``"biored"``); all by default.
    keep_note_text:
        Clinical notes' sentences are not stored unless the user opts in: they may identify a patient.
    """

    name = "relations"

    def __init__(
        self,
        model: RelationModel,
        concepts: Callable[[Sequence[str]], list[Concept]],
        cooccurrence: bool = True,
        *,
        tasks: Sequence[str] | None = None,
        keep_note_text: bool = False,
    ) -> None:
        self.model = model
        self.cooccurrence = cooccurrence
        self.tasks = tuple(tasks) if tasks else None
        self.keep_note_text = keep_note_text
        self.version = f"1+{model.version}"
        self._base = CooccurrenceAssembler(concepts, keep_note_text=keep_note_text)

    def assemble(self, items: Iterable[DocumentMentions]) -> GraphBatch:
        items = list(items)
        base = self._base.assemble(items)
        evidence = [e for e in base.evidence if self.cooccurrence or e.triple.predicate != CO_OCCURS_WITH]
        for item in items:
            extractor = next((m for m in item.mentions if m.concept_id), None)
            if extractor is None:
                continue
            for prediction in self.model.predict(item, self.tasks):
                evidence.extend(self._evidence(item, prediction, extractor.extractor, extractor.extractor_version))
        return base.model_copy(update={"evidence": tuple(evidence)})

    def _evidence(
        self, item: DocumentMentions, p: RelationPrediction, extractor: str, extractor_version: str
    ) -> list[Evidence]:
        doc = item.document
        keep_text = doc.source != "note" or self.keep_note_text
        predicate, _ = RELATION_TYPES[p.type]
        triple = Triple(subject=p.id1, predicate=predicate, object=p.id2)
        return [
            Evidence(
                triple=triple,
                doc_id=doc.id,
                sentence=doc.text[s.sentence[0] : s.sentence[1]] if keep_text else "",
                sentence_start=s.sentence[0],
                subject_span=s.span1,
                object_span=s.span2,
                extractor=f"{self.name}+{extractor}",
                extractor_version=f"{self.version}+{extractor_version}",
                score=p.score,
                assertion=s.assertion,
                year=doc.metadata.get("year"),
                novelty=p.novelty,
            )
            for s in p.supports
        ]
