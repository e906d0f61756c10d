"""NER (and document-level linking) scores against PubTator gold.

Mentions count as correct only with the exact span and the same type, the strict measure
the BC5CDR and NCBI-disease papers report. Corpus type names are mapped to medkg's
(``SpecificDisease`` -> ``Disease``) on both sides, so a dictionary that says "Disease"
can be scored on NCBI-disease. Concept scores compare, per document, the sets of
(type, id) pairs, ignoring NIL ("-1") and how often a concept is mentioned.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from pydantic import BaseModel, ConfigDict

from kg.extract import Extractor
from kg.link import Linker
from kg.models import DocumentMentions
from kg.sources.pubtator import NIL_ID, PubtatorAnnotation, PubtatorDocument, entity_type

_PREFIXES_DROPPED = ("MESH:", "NCBIGene:", "NCBITaxon:", "dbSNP:", "tmVar:", "Cellosaurus:")


class Score(BaseModel):
    model_config = ConfigDict(frozen=True)

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


class NerReport(BaseModel):
    """Per-type and micro-averaged scores; ``concepts`` is empty unless asked for."""

    model_config = ConfigDict(frozen=True)

    documents: int
    entities: dict[str, Score]
    overall: Score
    concepts: dict[str, Score] = {}
    concepts_overall: Score | None = None

    def table(self) -> str:
        rows = [f"{'':10} {'P':>6} {'R':>6} {'F1':>6} {'TP':>6} {'FP':>6} {'FN':>6}"]
        for name, s in [*sorted(self.entities.items()), ("overall", self.overall)]:
            rows.append(f"{name:10} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:6} {s.fp:6} {s.fn:6}")
        if self.concepts_overall is not None:
            rows.append("concept ids (document level):")
            for name, s in [*sorted(self.concepts.items()), ("overall", self.concepts_overall)]:
                rows.append(f"{name:10} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:6} {s.fp:6} {s.fn:6}")
        return "\n".join(rows)


def _type(a: PubtatorAnnotation) -> str:
    return entity_type(a.type) or a.type


def _score(gold: Counter, pred: Counter, types: set[str]) -> tuple[dict[str, Score], Score]:
    per: dict[str, list[int]] = {t: [0, 0, 0] for t in types}
    for key in gold.keys() | pred.keys():
        t = key[1]
        g, p = gold[key], pred[key]
        per[t][0] += min(g, p)
        per[t][1] += max(p - g, 0)
        per[t][2] += max(g - p, 0)
    scores = {t: Score(tp=v[0], fp=v[1], fn=v[2]) for t, v in per.items()}
    overall = Score(
        tp=sum(s.tp for s in scores.values()),
        fp=sum(s.fp for s in scores.values()),
        fn=sum(s.fn for s in scores.values()),
    )
    return scores, overall


def evaluate_ner(
    gold: Iterable[PubtatorDocument],
    predicted: Iterable[PubtatorDocument],
    *,
    types: Iterable[str] | None = None,
    concepts: bool = False,
) -> NerReport:
    """Strict span+type P/R/F1 per type and micro overall.

    ``types`` restricts both sides (e.g. Chemical+Disease for BC5CDR, whose gold has no genes);
    documents are paired by PMID and a PMID missing from ``predicted`` counts as no predictions.
    """
    keep = set(types) if types is not None else None
    pred_by_pmid = {d.pmid: d for d in predicted}
    g_spans: Counter = Counter()
    p_spans: Counter = Counter()
    g_ids: Counter = Counter()
    p_ids: Counter = Counter()
    n = 0
    for g in gold:
        n += 1
        p = pred_by_pmid.get(g.pmid)
        for side, spans, ids in ((g, g_spans, g_ids), (p, p_spans, p_ids)):
            if side is None:
                continue
            doc_ids = set()
            for a in side.annotations:
                t = _type(a)
                if keep is not None and t not in keep:
                    continue
                spans[(g.pmid, t, a.start, a.end)] += 1
                doc_ids.update((g.pmid, t, i) for i in a.concept_ids)
            ids.update(doc_ids)
    all_types = {k[1] for k in g_spans | p_spans} | (keep or set())
    entities, overall = _score(g_spans, p_spans, all_types)
    if not concepts:
        return NerReport(documents=n, entities=entities, overall=overall)
    c_scores, c_overall = _score(g_ids, p_ids, all_types)
    return NerReport(
        documents=n, entities=entities, overall=overall, concepts=c_scores, concepts_overall=c_overall
    )


def corpus_id(concept_id: str | None) -> str:
    """A CURIE as the corpora write it: MeSH/NCBI ids bare, OMIM and others as they are."""
    if not concept_id:
        return NIL_ID
    for prefix in _PREFIXES_DROPPED:
        if concept_id.startswith(prefix):
            return concept_id[len(prefix) :]
    return concept_id


def run_on_pubtator(
    docs: Iterable[PubtatorDocument], extractor: Extractor, linker: Linker | None = None, *, batch_size: int = 256
) -> Iterator[tuple[PubtatorDocument, DocumentMentions]]:
    """Each input document with what the extractor (and linker) found in its text, streaming."""
    by_id: dict[str, PubtatorDocument] = {}

    def documents() -> Iterator:
        for d in docs:
            doc = d.to_document()
            by_id[doc.id] = d
            yield doc

    items = extractor.extract(documents(), batch_size=batch_size)
    if linker is not None:
        items = linker.link(items)
    for item in items:
        yield by_id.pop(item.document.id), item


def annotate_pubtator(
    docs: Iterable[PubtatorDocument],
    extractor: Extractor,
    linker: Linker | None = None,
    *,
    batch_size: int = 256,
) -> Iterator[PubtatorDocument]:
    """The same documents with gold annotations and relations replaced by predicted mentions."""
    for source, item in run_on_pubtator(docs, extractor, linker, batch_size=batch_size):
        annotations = tuple(
            PubtatorAnnotation(start=m.start, end=m.end, text=m.text, type=m.label, ids=(corpus_id(m.concept_id),))
            for m in item.mentions
        )
        yield source.model_copy(update={"annotations": annotations, "relations": ()})
