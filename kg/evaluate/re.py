"""Relation extraction scores against PubTator gold (``PMID\\tType\\tID1\\tID2[\\tNovelty]``).

Relations are document-level and compared as *unordered* id pairs per PMID, as the BioRED
evaluation does (its id order carries no meaning; BC5CDR writes the chemical first, and the
model does too). Three measures:

- ``pair``: the two concepts are related (any type);
- ``pair_type``: ... and with the gold type (for BC5CDR, where every relation is ``CID``, the
  same as ``pair``);
- ``novelty``: ... and with the gold novelty flag (BioRED only).

A PMID missing from the predictions counts as no predicted relations. Ids are compared as
written (MeSH without prefix, NCBI Gene ids), which is what :func:`predict_relations` writes;
end to end, the scores are also given against the gold ids resolved by the linker's concept
store (:func:`kg.evaluate.gold.resolved_gold`), as the link scores are: the corpora were
annotated years ago, and a relation of "telmisartan" (C084178 then, D000077333 in MeSH 2024)
is a relation of the graph's Telmisartan.

The report also holds a reliability table of the relation scores: per score bin, the mean score
of the predicted relations and the share of them that are right (pair and type), which is what
a calibrated score promises (a 0.9 edge is right about 90% of the time).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from kg.evaluate.gold import (
    GoldExtractor,
    corpus_task,
    described,
    left_out_line,
    not_read_line,
    predicted,
    read_gold,
    resolved_gold,
    run_corpus,
)
from kg.evaluate.ner import Score
from kg.models import Quarantine, Relation
from kg.pipeline import Annotator
from kg.sources.pubtator import PubtatorDocument, PubtatorRelation
from kg.vocab.curie import corpus_id

RELIABILITY_BINS = 10


class ReliabilityRow(BaseModel):
    """One score bin: how many relations scored in it, their mean score and the share that is right."""

    model_config = ConfigDict(frozen=True)

    bin: str
    mean_score: float
    observed: float
    count: int


def reliability(scores: Sequence[float], correct: Sequence[bool], bins: int = RELIABILITY_BINS) -> list[ReliabilityRow]:
    """Reliability table of ``scores`` against whether each prediction was ``correct``; empty bins are left out."""
    scores, correct = np.asarray(scores, dtype=float), np.asarray(correct, dtype=float)
    which = np.clip(np.floor(scores * bins + 1e-9).astype(int), 0, bins - 1)  # [0.3, 0.4) is bin 3; 1.0 joins the last
    return [
        ReliabilityRow(bin=f"{b / bins:.1f}-{(b + 1) / bins:.1f}", mean_score=round(float(scores[which == b].mean()), 3),
                       observed=round(float(correct[which == b].mean()), 3), count=int((which == b).sum()))
        for b in range(bins)
        if (which == b).any()
    ]


class ReReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    corpus: str = ""
    documents: int
    pair: Score
    pair_type: Score
    per_type: dict[str, Score]
    novelty: Score | None = None
    reliability: list[ReliabilityRow] = []
    reliability_note: str = ""  # e.g. that the table is in-sample
    in_sample: str = ""  # that the relation model trained on documents of the corpus: its scores flatter it
    cross_fitted: int = 0  # documents predicted by fold models trained without them (evaluate re --cross-fitted)
    resolved: ReReport | None = None  # end to end: against gold ids resolved by the linker's store
    left_out: list[str] = []  # documents that failed in the pipeline ("record: reason"); they found nothing
    not_read: list[str] = []  # why each record of the corpus that could not be read was not; not scored

    def table(self) -> str:
        rows = [f"{self.corpus or 'relations'}: {self.documents} documents",
                f"{'':22} {'P':>6} {'R':>6} {'F1':>6} {'TP':>6} {'FP':>6} {'FN':>6}"]
        if self.left_out:
            rows.insert(1, left_out_line(self.left_out))
        if self.not_read:
            rows.insert(1, not_read_line(self.not_read))
        if self.in_sample:
            rows.insert(1, f"in-sample: {self.in_sample}")
        if self.cross_fitted:
            rows.insert(1, f"cross-fitted: {self.cross_fitted:,} documents predicted by fold models trained without them")
        named = [("pair", self.pair), ("pair+type", self.pair_type)]
        if self.novelty is not None:
            named.append(("pair+type+novelty", self.novelty))
        named += [(f"  {t}", s) for t, s in sorted(self.per_type.items())]
        for name, s in named:
            rows.append(f"{name:22} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:6} {s.fp:6} {s.fn:6}")
        if self.reliability:
            rows.append("reliability (relation score vs share right, pair + type"
                        + (", gold ids resolved by the store" if self.resolved is not None else "") + "):")
            if self.reliability_note:
                rows.append(f"  ({self.reliability_note})")
            rows.append(f"{'  score':22} {'mean':>6} {'right':>6} {'n':>6}")
            rows += [f"  {r.bin:20} {r.mean_score:6.3f} {r.observed:6.3f} {r.count:6}" for r in self.reliability]
        if self.resolved is not None:
            rows.append("gold ids resolved by the store (a retired MeSH id counts as the record that replaced it):")
            rows += self.resolved.table().splitlines()[2:]
        return "\n".join(rows)


def _score(gold: set, pred: set) -> Score:
    return Score(tp=len(gold & pred), fp=len(pred - gold), fn=len(gold - pred))


def _relations(doc: PubtatorDocument) -> dict[frozenset[str], PubtatorRelation]:
    return {frozenset((r.id1, r.id2)): r for r in doc.relations}


def evaluate_re(
    gold_docs: Iterable[PubtatorDocument], predicted_docs: Iterable[PubtatorDocument], *, corpus: str = ""
) -> ReReport:
    """Pair, pair+type (per type too) and, where gold has it, pair+type+novelty P/R/F1."""
    pred_by_pmid = {d.pmid: _relations(d) for d in predicted_docs}
    g_pair, p_pair, g_typed, p_typed, g_nov, p_nov = set(), set(), set(), set(), set(), set()
    types: set[str] = set()
    has_novelty = False
    n = 0
    for g in gold_docs:
        n += 1
        for side, pairs, typed, nov in (
            (_relations(g), g_pair, g_typed, g_nov),
            (pred_by_pmid.get(g.pmid, {}), p_pair, p_typed, p_nov),
        ):
            for key, r in side.items():
                pairs.add((g.pmid, key))
                typed.add((g.pmid, key, r.type))
                nov.add((g.pmid, key, r.type, r.novelty))
                types.add(r.type)
        has_novelty = has_novelty or any(r.novelty is not None for r in g.relations)
    per_type = {
        t: _score({k for k in g_typed if k[2] == t}, {k for k in p_typed if k[2] == t}) for t in sorted(types)
    }
    return ReReport(
        corpus=corpus,
        documents=n,
        pair=_score(g_pair, p_pair),
        pair_type=_score(g_typed, p_typed),
        per_type=per_type,
        novelty=_score(g_nov, p_nov) if has_novelty else None,
    )


def predict_relations(docs: Iterable[PubtatorDocument], annotator: Annotator, *, gold_entities: bool = False,
                      scored: list[tuple[str, Relation]] | None = None,
                      left_out: list[Quarantine] | None = None, task: str | None = None) -> Iterator[PubtatorDocument]:
    """The documents with predicted relations (and, end to end, predicted mentions) in corpus notation.

    ``annotator``: the ingestion chain, ending with the relation extractor. With
    ``gold_entities`` the corpus's linked mentions take the extractor's place and only
    relations are predicted; otherwise entities are found and linked from the raw text.
    ``scored``, when given, collects each predicted relation with its PMID (scores included);
    ``left_out`` the documents that failed in the pipeline (see :func:`~kg.evaluate.gold.run_corpus`);
    ``task``: only the relations of that head (all by default).
    """
    if gold_entities:  # the relation model alone: no end-to-end calibration of its scores either
        from kg.relate.model import RelationExtractor

        docs = list(docs)
        rest = [RelationExtractor(c.model, c.tasks, gold_entities=True) if isinstance(c, RelationExtractor) else c
                for c in annotator.components[1:]]
        annotator = Annotator(annotator.analyzer, [GoldExtractor(docs, linked=True), *rest])
    for pdoc, doc in run_corpus(annotator, docs, left_out=left_out):
        if scored is not None:
            scored.extend((pdoc.pmid, r) for r in doc.relations if task is None or r.task == task)
        yield predicted(pdoc, doc, mentions=not gold_entities, task=task)


def fold_chains(annotator: Annotator, folds: Iterable[tuple[frozenset[str], Any]]) -> list[tuple[frozenset[str], Annotator]]:
    """(PMIDs, chain) per fold of :func:`kg.train.re.fold_models`: ``annotator`` (its relation extractor last) with the
    fold's relation model in its model's place, each head's end-to-end calibration carried over."""
    from kg.relate.model import RelationExtractor

    *chain, extractor = annotator.components
    out = []
    for pmids, model in folds:
        for task, head in model.heads.items():
            head.end_to_end = extractor.model.heads[task].end_to_end
        out.append((pmids, Annotator(annotator.analyzer, [*chain, RelationExtractor(model, extractor.tasks)])))
    return out


def predict_in_folds(docs: Sequence[PubtatorDocument], annotator: Annotator,
                     folds: Sequence[tuple[frozenset[str], Annotator]] = (), **kwargs) -> tuple[list[PubtatorDocument], int]:
    """:func:`predict_relations` (``kwargs``) where a document of a fold's PMIDs is predicted by that fold's chain, whose
    relation model did not train on it (:func:`fold_chains`), and the rest by ``annotator``; the predicted documents,
    and how many of them the folds predicted."""
    held = frozenset().union(*(pmids for pmids, _ in folds))
    runs = [(annotator, [d for d in docs if d.pmid not in held])]
    runs += [(chain, [d for d in docs if d.pmid in pmids]) for pmids, chain in folds]
    found = [doc for chain, part in runs for doc in predict_relations(part, chain, **kwargs)]
    return found, sum(len(part) for _, part in runs[1:])


def relation_outcomes(gold_docs: Iterable[PubtatorDocument], scored: Iterable[tuple[str, Relation]]
                      ) -> tuple[list[float], list[bool]]:
    """The score of each predicted relation and whether it is right: the gold relates the pair with the predicted type."""
    gold = {(d.pmid, key): r.type for d in gold_docs for key, r in _relations(d).items()}
    scores, correct = [], []
    for pmid, r in scored:
        scores.append(r.score)
        correct.append(gold.get((pmid, frozenset((corpus_id(r.subject), corpus_id(r.object))))) == r.type)
    return scores, correct


def score_reliability(gold_docs: Iterable[PubtatorDocument], scored: Iterable[tuple[str, Relation]]) -> list[ReliabilityRow]:
    """Reliability of predicted relations' scores (:func:`relation_outcomes`)."""
    scores, correct = relation_outcomes(gold_docs, scored)
    return reliability(scores, correct) if scores else []


def evaluate_re_corpus(settings, corpus, *, gold_entities: bool = False, cross_fitted: bool = False,
                       log=lambda line: None) -> ReReport:
    """What ``medkg evaluate re`` runs: the ingestion chain, every head included, scored on the relations of
    the head the corpus annotates (:func:`~kg.evaluate.gold.corpus_task`). ``cross_fitted``: for a relation
    model trained with dev documents, each of them is predicted by a fold model trained without it
    (:func:`kg.train.re.fold_models`, five trainings), so the scores are out of sample."""
    from kg.components import build_annotator, build_relation_model
    from kg.errors import Errors, ModelError, SourceError

    if (model := build_relation_model(settings)) is None:
        raise ModelError(Errors.E410)
    if cross_fitted and not model.metadata.get("dev_pmids"):
        raise ModelError(Errors.E425)
    gold, not_read = read_gold(corpus)
    if not any(d.relations for d in gold):
        raise SourceError(Errors.E224, path=corpus)
    annotator = build_annotator(settings)
    folds = []
    if cross_fitted:
        from kg.train.re import fold_models

        folds = fold_chains(annotator, fold_models(model, shared_data=settings.shared_data, cache_dir=settings.cache_path,
                                                   log=log))
    scored: list[tuple[str, Relation]] = []
    left_out: list[Quarantine] = []
    found, by_folds = predict_in_folds(gold, annotator, folds, gold_entities=gold_entities, scored=scored,
                                       left_out=left_out, task=corpus_task(gold))
    report = evaluate_re(gold, found, corpus=str(corpus))
    store = getattr(annotator.components[1], "store", None)
    resolved, truth = None, gold
    if not gold_entities and store is not None:  # with gold entities both sides use the corpus's ids
        truth = resolved_gold(gold, store)  # end to end, right is what the graph's concepts make right
        resolved = evaluate_re(truth, found, corpus=str(corpus))
    return report.model_copy(update={"reliability": score_reliability(truth, scored), "resolved": resolved,
                                      "reliability_note": _in_sample_note(annotator, corpus_task(gold), corpus, gold_entities),
                                      "in_sample": "" if cross_fitted else _trained_on_note(model, gold),
                                      "cross_fitted": by_folds,
                                      "left_out": described(left_out), "not_read": not_read})


def _trained_on_note(model: Any, gold: Sequence[PubtatorDocument]) -> str:
    """What to say where the relation ``model`` trained on documents of the corpus (``medkg train re --with-dev``)."""
    seen = set(model.metadata.get("dev_pmids") or ())
    if not (shared := sum(1 for d in gold if d.pmid in seen)):
        return ""
    return (f"the relation model trained on {shared:,} of these {len(gold):,} documents (medkg train re --with-dev), "
            "so its scores here are optimistic; for dev figures score a model trained without --with-dev "
            "(MEDKG_RE_MODEL=DIR)")


def _in_sample_note(annotator: Annotator, task: str, corpus, gold_entities: bool) -> str:
    """A warning for the reliability table where the scores' end-to-end calibration was fitted on this very file."""
    from ontology.loaders import file_sha256
    from kg.relate.model import RelationExtractor

    if gold_entities:
        return ""
    for c in annotator.components:
        head = c.model.heads.get(task) if isinstance(c, RelationExtractor) else None
        if head is not None and head.end_to_end is not None and head.end_to_end.sha256 == file_sha256(corpus):
            return ("in-sample: the model's end-to-end calibration of these scores was fitted on this file; "
                    "its calibration.json holds the cross-fitted table")
    return ""
