"""NER (and document-level linking) scores against PubTator gold.

Mentions count as correct only with the exact span and the same type, the strict measure
the BC5CDR and NCBI-disease papers report. Corpus type names are mapped to medkg's
(``SpecificDisease`` -> ``Disease``) on both sides, so a dictionary that says "Disease"
can be scored on NCBI-disease. Concept scores compare, per document, the sets of
(type, id) pairs, ignoring NIL ("-1") and how often a concept is mentioned.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, computed_field

from kg.sources.pubtator import PubtatorAnnotation, PubtatorDocument
from kg.vocab.types import entity_type



class Score(BaseModel):
    model_config = ConfigDict(frozen=True)

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def rounded(self) -> dict:
        """P/R/F1 to 4 places and the counts: what a report prints."""
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


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


def gold_types(docs: Iterable[PubtatorDocument]) -> list[str]:
    """The medkg entity types a gold corpus annotates: predictions of other types are not scored."""
    return sorted({entity_type(a.type) or a.type for d in docs for a in d.annotations})


def _rows(scores: dict[str, Score], overall: Score) -> list[dict]:
    return [{"type": name, **s.rounded()} for name, s in [*sorted(scores.items()), ("overall", overall)]]


def evaluate_ner_corpus(settings, corpus: Path, predictions: Path | None = None) -> dict:
    """What ``medkg evaluate ner`` prints: NER scores (exact span + type) and document-level
    concept-id scores of the ingestion chain (or of a predictions file), restricted to the gold's types."""
    from kg.components import build_annotator
    from kg.errors import Errors, SourceError
    from kg.evaluate.gold import predicted, read_gold, run_corpus

    gold, not_read = read_gold(corpus)
    left_out: list = []
    missing: list[str] = []
    if predictions is not None:
        found, _ = read_gold(predictions)
        have = {p.pmid for p in found}
        missing = [g.pmid for g in gold if g.pmid not in have]
        if len(missing) == len(gold):
            raise SourceError(Errors.E223, predictions=predictions, corpus=corpus)
    else:
        annotator = build_annotator(settings, relations=False)
        found = [predicted(p, d, relations=False)
                 for p, d in run_corpus(annotator, gold, left_out=left_out, corpus=str(corpus))]
    report = evaluate_ner(gold, found, types=gold_types(gold), concepts=True)
    out: dict = {"corpus": str(corpus), "documents": report.documents}
    if not_read:  # not in the scores at all
        out["not_read"] = [{"reason": r} for r in not_read]
    if missing:  # gold documents the predictions file lacks: they count as finding nothing
        out["no_predictions"] = [{"documents": len(missing), "first PMIDs": ", ".join(missing[:5])}]
    if left_out:  # failed in the pipeline: they count as finding nothing
        out["left_out"] = [
            {"document": q.record, "reason": q.reason} for q in {q.record: q for q in left_out}.values()]
    return {**out,
            "entities (exact span + type)": _rows(report.entities, report.overall),
            "concept ids (document level)": _rows(report.concepts, report.concepts_overall)}
