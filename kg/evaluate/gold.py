"""Annotated corpora through the pipeline: gold mentions in, predictions out in corpus notation.

Scoring runs the components ingestion runs, in the same order (:func:`kg.components.build_annotator`).
Where a measure isolates one component, :class:`GoldExtractor` takes the extractor's place and
hands the corpus's own mentions to the rest of the chain: unlinked for linking scores, linked
(one mention per id of a composite) for relation scores with gold entities.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from kg.doc import AnnotatedDoc
from kg.errors import Errors, ModelError, SourceError
from kg.models import Candidate, Mention, Quarantine
from kg.pipeline import Annotator
from kg.sources.pubtator import PubtatorAnnotation, PubtatorDocument, PubtatorRelation, read_pubtator
from kg.vocab.curie import corpus_id, to_curie
from kg.vocab.types import entity_type


def gold_mentions(doc: AnnotatedDoc, pdoc: PubtatorDocument, *, linked: bool) -> tuple[Mention, ...]:
    """The corpus's annotated spans of a type medkg knows, as mentions of ``doc``.

    ``linked``: one mention per concept id, carrying it as the only candidate (ids that are no
    valid CURIE and NIL mentions are left out); else one unlinked mention per annotation.
    """
    mentions = []
    for a in pdoc.annotations:
        label = entity_type(a.type)
        if label is None or a.end <= a.start:
            continue
        sentence_start, sentence_end = doc.sentence_of(a.start, a.end)
        base = dict(doc_id=doc.id, start=a.start, end=a.end, text=a.text, label=label, extractor="gold",
                    extractor_version="corpus", sentence_start=sentence_start, sentence_end=sentence_end)
        if not linked:
            mentions.append(Mention(**base))
            continue
        for raw in a.concept_ids:
            if curie := to_curie(raw, label):
                mentions.append(Mention(**base, candidates=(Candidate(concept_id=curie, score=1.0),)))
    return tuple(mentions)


class GoldExtractor:
    """A component in the extractor's place: the mentions the corpus annotates."""

    name = "gold"
    version = "corpus"

    def __init__(self, docs: Iterable[PubtatorDocument], *, linked: bool) -> None:
        self.docs = {f"PMID:{d.pmid}": d for d in docs}
        self.linked = linked

    @property
    def settings(self) -> dict[str, object]:
        return {"linked": self.linked}

    def pipe(self, docs: Iterable[AnnotatedDoc], batch_size: int = 256) -> Iterator[AnnotatedDoc]:
        for doc in docs:
            doc.mentions = gold_mentions(doc, self.docs[doc.id], linked=self.linked)
            yield doc


def run_corpus(annotator: Annotator, docs: Iterable[PubtatorDocument], *, batch_size: int = 64,
               left_out: list[Quarantine] | None = None, corpus: str = "the corpus"
               ) -> Iterator[tuple[PubtatorDocument, AnnotatedDoc]]:
    """Each corpus document with what the annotator made of its text, in input order (a PMID the
    corpus holds twice, as NCBI-disease's training split does 8528200, comes twice).

    A document that fails in a component is not yielded: it is added to ``left_out``, for the
    caller to account for (an evaluation counts it as finding nothing and says so). Without
    ``left_out`` (training), or when every document failed, the failure is raised (E415) once
    the corpus is through: nothing is lost silently.
    """
    pending: dict[str, deque[PubtatorDocument]] = defaultdict(deque)
    failed: list[Quarantine] = []
    total = 0

    def documents():
        nonlocal total
        for d in docs:
            document = d.to_document()
            pending[document.id].append(d)
            total += 1
            yield document

    for annotated in annotator.stream(documents(), batch_size=batch_size, failed=failed):
        waiting = pending[annotated.id]
        yield waiting.popleft(), annotated
        if not waiting:
            del pending[annotated.id]
    if failed and (left_out is None or len(failed) == total):
        raise ModelError(Errors.E415, failed=len(failed), total=total, corpus=corpus, record=failed[0].record,
                         reason=failed[0].reason)
    if left_out is not None:
        left_out.extend(failed)


def read_gold(path: str | Path) -> tuple[list[PubtatorDocument], list[str]]:
    """The documents of a PubTator file to score or annotate, and why each of its records that could
    not be read was not (the reason names the file, PMID and line): those are left out (of both sides
    of a score) and said, not fatal. A file with no readable document at all raises E222."""
    quarantined: list[Quarantine] = []
    docs = list(read_pubtator(path, quarantine=quarantined))
    if not docs:
        why = f" ({len(quarantined):,} record(s) could not be: {quarantined[0].reason})" if quarantined else ""
        raise SourceError(Errors.E222, path=path, why=why)
    return docs, [q.reason for q in quarantined]


def not_read_line(not_read: Sequence[str]) -> str:
    """What a report says of the records of its corpus that could not be read (a reason each)."""
    return f"not read: {len(not_read):,} record(s) could not be read and are left out (the first, {not_read[0]})"


def left_out_line(left_out: Sequence[str], so: str = "count as finding nothing") -> str:
    """What a report says of the documents that failed in the pipeline (``record: reason`` each)."""
    return (f"left out: {len(left_out):,} document(s) failed in the pipeline and {so} "
            f"(the first, {left_out[0]}; `medkg --verbose` logs each)")


def described(left_out: Iterable[Quarantine]) -> list[str]:
    """``record: reason`` of each failed document, once each."""
    return list(dict.fromkeys(f"{q.record}: {q.reason}" for q in left_out))


def predicted(pdoc: PubtatorDocument, doc: AnnotatedDoc, *, mentions: bool = True,
              relations: bool = True, task: str | None = None) -> PubtatorDocument:
    """``pdoc`` with its gold mentions and relations replaced by the predicted ones, as the corpora write them
    (``task``: only the relations of that head)."""
    update: dict[str, object] = {}
    if mentions:  # a coordination's mentions share one span: one annotation with an id each ("D001943|D010051")
        spans: dict[tuple[int, int, str], list[Mention]] = {}
        for m in doc.mentions:
            spans.setdefault((m.start, m.end, m.label), []).append(m)
        update["annotations"] = tuple(
            PubtatorAnnotation(start=start, end=end, text=ms[0].text, type=label,
                               ids=tuple(dict.fromkeys(corpus_id(m.concept_id) for m in ms)))
            for (start, end, label), ms in spans.items()
        )
    if relations:
        update["relations"] = tuple(
            PubtatorRelation(type=r.type, id1=corpus_id(r.subject), id2=corpus_id(r.object), novelty=r.novelty)
            for r in doc.relations
            if task is None or r.task == task
        )
    return pdoc.model_copy(update=update)


def resolved_gold(docs: Sequence[PubtatorDocument], store) -> list[PubtatorDocument]:
    """The gold documents with every concept id (of mentions and relations) replaced by the concept
    the linker's ``store`` names it by, as the graph would count it: an OMIM id MONDO maps to a
    MeSH record becomes that record. A MeSH id MeSH 2024 no longer has (the corpora were annotated
    years ago; "telmisartan" was C084178, is D000077333) becomes the current record its annotated
    names name, by the rule that resolves the training corpora's retired ids when the store is built
    (:meth:`~kg.vocab.conceptstore.ConceptStore.current_record`); other ids stay as written. A
    relation whose two ids resolve to one concept is left out."""
    names: dict[tuple[str, str], set[str]] = defaultdict(set)
    types: dict[str, str | None] = {}  # a relation's id has the type of its mentions (None: two types)
    for d in docs:
        for a in d.annotations:
            if not (label := entity_type(a.type)):
                continue
            for raw in a.ids:
                types[raw] = label if types.get(raw, label) == label else None
            if len(a.ids) == 1:  # a composite's text names several
                names[(a.ids[0], label)].add(a.text)
    cache: dict[tuple[str, str | None], str] = {}

    def resolve(raw: str, label: str | None) -> str:
        if (raw, label) not in cache:
            curie = to_curie(raw, label) if label else None
            primary = store.primary(curie) if curie else None
            if primary is None and curie and curie.startswith("MESH:"):
                primary = store.current_record(sorted(names.get((raw, label), ())), label)
            cache[(raw, label)] = corpus_id(primary) if primary else raw
        return cache[(raw, label)]

    out = []
    for d in docs:
        annotations = tuple(a.model_copy(update={"ids": tuple(resolve(i, entity_type(a.type)) for i in a.ids)})
                            for a in d.annotations)
        relations = []
        for r in d.relations:
            id1, id2 = resolve(r.id1, types.get(r.id1)), resolve(r.id2, types.get(r.id2))
            if id1 != id2:
                relations.append(r.model_copy(update={"id1": id1, "id2": id2}))
        out.append(d.model_copy(update={"annotations": annotations, "relations": tuple(relations)}))
    return out


def corpus_task(docs: Sequence[PubtatorDocument]) -> str:
    """The head whose relations a corpus's gold holds: ``"cid"`` for a BC5CDR-style corpus (its relations
    are CID), else ``"biored"``. Every head runs, as in ingestion, since one head's claims may take the
    place of another's (:func:`kg.relate.model.likelier_claims`); this one's are scored or written."""
    types = {r.type for d in docs for r in d.relations}
    return "cid" if types == {"CID"} else "biored"


def annotate_file(settings, input: Path, output: Path) -> tuple[int, list[str], list[str]]:
    """``medkg annotate``: the ingestion chain's mentions (type + concept id) and relations for every
    document of a PubTator file, written as PubTator. Gold annotations in the input are ignored;
    every head runs, as in ingestion, and a corpus whose gold relations are all CID (BC5CDR) gets the CID
    head's predictions, any other the BioRED head's, and input without relations gets both. Returns the number of documents
    written, the documents that failed in the pipeline and the records that could not be read
    (``record: reason`` each), which are not written."""
    from kg.components import build_annotator
    from kg.sources.pubtator import write_pubtator

    docs, not_read = read_gold(input)
    task = corpus_task(docs) if any(d.relations for d in docs) else None
    annotator = build_annotator(settings)
    left_out: list[Quarantine] = []
    n = write_pubtator((predicted(p, d, task=task) for p, d in run_corpus(annotator, docs, left_out=left_out, corpus=str(input))),
                       output)
    return n, described(left_out), not_read
