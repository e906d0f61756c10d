"""End-to-end calibration of the relation model's scores (``medkg train re-calibrate``).

A head's scores are calibrated while training, on out-of-fold predictions between the training
corpus's gold entities. Ingestion relates the concepts its own NER and linker found, and some of
those are wrong, so the same score is right less often: on the dev splits, end to end, BioRED
relations scored 0.9-1.0 were right 77% of the time and CID relations scored 0.4-0.5 30%.

This runs the ingestion chain it is given (text analysis, NER, linking, assertion; the relation
model last) over a development split per head, marks each predicted relation right or wrong
against the corpus's gold relations (pair and type; ids resolved by the concept store where there
is one, as the graph names them), and fits :class:`~kg.relate.model.EndToEndCalibration` (Platt
scaling of the head's calibrated score) to it. Thresholds apply to the raw score and are
untouched: which relations are predicted does not change, only their scores.

A calibration read on the file it was fitted on would flatter itself, so the report's table is
cross-fitted: the documents fall in five folds, and each fold's relations are scored by a
calibration fitted on the other four.

A model trained with the dev documents (``medkg train re --with-dev``) would score its own
training documents here, more confidently than it scores new text. Its relations on those
documents are therefore predicted by fold models (:func:`kg.train.re.fold_models`): five models
trained with the same arguments, each without one fifth of the dev documents, each predicting
that fifth.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kg.cache import atomic_file
from kg.config import SHARED_DATA
from kg.errors import Errors, SourceError
from kg.evaluate.gold import read_gold, resolved_gold
from kg.evaluate.re import evaluate_re, fold_chains, predict_in_folds, relation_outcomes, reliability
from kg.models import Relation
from kg.pipeline import Annotator
from kg.relate.model import EndToEndCalibration, RelationExtractor, RelationModel, chain_of, fit_platt, platt
from kg.train.re import FOLDS, fold_models
from ontology.loaders import file_sha256

REPORT_FILE = "calibration.json"


def cross_fitted(scores: np.ndarray, correct: np.ndarray, pmids: Sequence[str], folds: int = FOLDS) -> np.ndarray:
    """Each relation's score as a calibration fitted on the other folds' documents maps it (documents are
    dealt to folds in PMID order). A fold whose rest is all right or all wrong keeps its scores."""
    order = {p: i % folds for i, p in enumerate(sorted(set(pmids)))}
    fold = np.array([order[p] for p in pmids])
    out = scores.copy()
    for k in range(folds):
        rest = fold != k
        if (fold == k).any() and len(set(correct[rest])) == 2:
            out[fold == k] = platt(scores[fold == k], *fit_platt(scores[rest], correct[rest]))
    return out


def _summary(scores: np.ndarray, correct: np.ndarray) -> dict[str, Any]:
    table = reliability(scores, correct)
    return {
        "mean_score": round(float(scores.mean()), 4),
        "share_right": round(float(correct.mean()), 4),
        "brier": round(float(np.mean((scores - correct) ** 2)), 4),
        "expected_calibration_error": round(sum(abs(r.mean_score - r.observed) * r.count for r in table) / len(scores), 4),
        "reliability": [r.model_dump() for r in table],
    }


def calibrate_head(annotator: Annotator, task: str, corpus: Path, store=None,
                   folds: Sequence[tuple[frozenset[str], Annotator]] = ()) -> tuple[EndToEndCalibration, dict[str, Any]]:
    """The end-to-end calibration of head ``task`` on the development split ``corpus``, and its report
    (relations, the reliability before and cross-fitted after). ``annotator``: the ingestion chain, its
    relation model last, with no end-to-end calibration; ``store``: the concept store gold ids are resolved
    by (None: as written); ``folds``: (PMIDs, chain) pairs: the documents of those PMIDs are predicted by that
    chain (whose relation model did not train on them) instead of ``annotator``."""
    gold, not_read = read_gold(corpus)
    if not any(r for d in gold for r in d.relations):
        raise SourceError(Errors.E224, path=corpus)
    scored: list[tuple[str, Relation]] = []
    left_out: list = []
    found, by_folds = predict_in_folds(gold, annotator, folds, scored=scored, left_out=left_out, task=task)
    truth = resolved_gold(gold, store) if store is not None else gold
    scored_f1 = evaluate_re(truth, found)
    raw, right = relation_outcomes(truth, scored)
    scores, correct, pmids = np.array(raw, dtype=float), np.array(right, dtype=float), [p for p, _ in scored]
    if len(set(right)) < 2:
        raise SourceError(Errors.E236, path=corpus, relations=len(right), right=int(correct.sum()))
    a, b = fit_platt(scores, correct)
    calibration = EndToEndCalibration(a=a, b=b, corpus=corpus.name, sha256=file_sha256(corpus),
                                      documents=len(gold), relations=len(scored),
                                      fitted_with=chain_of(annotator.components[:-1]))
    report = {
        "corpus": str(corpus), "sha256": calibration.sha256, "documents": len(gold),
        "documents_left_out": len(left_out), "records_not_read": len(not_read), "relations": len(scored),
        "documents_predicted_by_fold_models": by_folds,
        # gold ids resolved by the store; with fold models, the dev figures of a model trained with dev documents
        "f1": {"pair": round(scored_f1.pair.f1, 4), "pair+type": round(scored_f1.pair_type.f1, 4)},
        "a": round(a, 4), "b": round(b, 4),
        "before": _summary(scores, correct),
        "after_cross_fitted": _summary(cross_fitted(scores, correct, pmids), correct),
    }
    return calibration, report


def calibrate(model_dir: Path, chain: Annotator, corpora: Mapping[str, Path], store=None, *, log=print,
              shared_data: Path = SHARED_DATA, cache_dir: Path | None = None) -> dict[str, Any]:
    """Calibrate each head of the model in ``model_dir`` on its corpus (``{"cid": path, ...}``), write the model
    back and ``calibration.json`` beside it; returns the report. ``cache_dir``: where the fold models of a model
    trained with dev documents are kept (:func:`kg.train.re.fold_models`, which trains them from ``shared_data``)."""
    started = time.time()
    model = RelationModel.load(model_dir)
    for head in model.heads.values():  # every head's scores as training calibrated them (heads weigh them: likelier_claims)
        head.end_to_end = None
    # every head, as ingestion; a model trained with dev documents predicts them by fold models (module docstring)
    annotator = Annotator(chain.analyzer, [*chain.components, RelationExtractor(model, tuple(model.heads))])
    folds = fold_chains(annotator, fold_models(model, shared_data=shared_data, cache_dir=cache_dir, log=log))
    report: dict[str, Any] = {"model": str(model_dir), "heads": {}}
    fitted = {}
    for task, corpus in corpora.items():
        log(f"calibrating head {task} end to end on {corpus} ...")
        fitted[task], report["heads"][task] = calibrate_head(annotator, task, Path(corpus), store, folds)
        h = report["heads"][task]
        by_folds = (f"; {h['documents_predicted_by_fold_models']} documents predicted by fold models"
                    if h["documents_predicted_by_fold_models"] else "")
        log(f"  {h['relations']} relations, {h['before']['share_right']:.1%} right (F1 pair {h['f1']['pair']}, "
            f"pair + type {h['f1']['pair+type']}{by_folds}); expected calibration error "
            f"{h['before']['expected_calibration_error']:.3f} -> {h['after_cross_fitted']['expected_calibration_error']:.3f} "
            f"(cross-fitted), Brier {h['before']['brier']:.4f} -> {h['after_cross_fitted']['brier']:.4f}")
    for task, calibration in fitted.items():
        model.heads[task].end_to_end = calibration
    target = model.save(model_dir)
    report["seconds"] = round(time.time() - started, 1)
    with atomic_file(Path(model_dir) / REPORT_FILE) as fh:
        fh.write(json.dumps(report, indent=2).encode())
    log(f"wrote {target} and {Path(model_dir) / REPORT_FILE}")
    return report
