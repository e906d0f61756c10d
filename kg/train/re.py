"""Train the CPU relation model (:class:`kg.relate.model.RelationModel`) from the training splits.

Gold entities of BC5CDR (CID) and BioRED (eight types + novelty) give labelled candidate
pairs; each head is a logistic regression whose regularisation strength and decision threshold
are picked by 5-fold cross-validation over *training documents* (grouped, so a document's
pairs never straddle folds). Development splits are refused: they are what ``medkg evaluate
re`` scores, and tuning on them would inflate the reported F1.
"""

from __future__ import annotations

import json
import os
import platform
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.multiclass import OneVsRestClassifier

from kg.config import SHARED_DATA
from kg.errors import Errors, SourceError
from kg.evaluate.gold import GoldExtractor, run_corpus
from kg.pipeline import Annotator
from kg.relate.features import Priors, candidate_pairs, document_view, load_disease_trees
from kg.relate.model import FORMAT_VERSION, Head, RelationModel, featurize
from kg.sources.pubtator import PubtatorDocument
from kg.text.analyzer import TextAnalyzer
from kg.vocab.corpora import training_documents
from kg.vocab.curie import to_curie
from kg.vocab.lexicon import MESH_DISEASE_TERMS
from kg.vocab.types import entity_type

TRAINING_CORPORA: dict[str, Path] = {
    "cid": SHARED_DATA / "corpora/bc5cdr/CDR_TrainingSet.PubTator.txt",
    "biored": SHARED_DATA / "corpora/biored/Train.PubTator",
}
C_GRID: tuple[float, ...] = (0.03, 0.1, 0.3)
FOLDS = 5
_NOT_TRAINING = re.compile(r"dev|develop|test", re.IGNORECASE)
NONE = "None"  # label of candidate pairs the gold does not relate


def gold_relations(doc: PubtatorDocument, task: str) -> dict[frozenset[str], tuple[str, str | None]]:
    """The document's gold relations as CURIE pairs -> (type, novelty); CID keeps only ``CID``."""
    types: dict[str, str] = {}
    for ann in doc.annotations:
        if (t := entity_type(ann.type)) is not None:
            for i in ann.concept_ids:
                types.setdefault(i, t)
    out: dict[frozenset[str], tuple[str, str | None]] = {}
    for rel in doc.relations:
        if (task == "cid") != (rel.type == "CID"):
            continue
        a = to_curie(rel.id1, types.get(rel.id1, "Chemical" if task == "cid" else ""))
        b = to_curie(rel.id2, types.get(rel.id2, "Disease" if task == "cid" else ""))
        if a and b:
            out[frozenset((a, b))] = (rel.type, rel.novelty)
    return out


def _dataset(path: Path, task: str, trees: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """Views, candidate pairs, labels and prior counts of every training document."""
    docs = []
    corpus = list(training_documents(path))  # minus abstracts that are in a dev split
    chain = Annotator(TextAnalyzer(), [GoldExtractor(corpus, linked=True)])
    for pdoc, annotated in run_corpus(chain, corpus):
        view = document_view(annotated, trees)
        pairs = candidate_pairs(view, task)
        gold = gold_relations(pdoc, task)
        positives = {p for p in pairs if frozenset(p) in gold}
        docs.append((view, pairs, gold, positives))
    priors = Priors()
    for _, pairs, _, positives in docs:
        priors.add(pairs, positives)
    feats, labels, novelty, groups, missed = [], [], [], [], 0
    for n, (view, pairs, gold, positives) in enumerate(docs):
        exclude = Priors.counts(pairs, positives)
        doc_pairs, doc_feats = featurize(view, task, priors, exclude)
        feats.extend(doc_feats)
        for p in doc_pairs:
            rtype, nov = gold.get(frozenset(p), (NONE, None))
            labels.append(rtype)
            novelty.append(nov)
            groups.append(n)
        missed += len(gold) - len(positives)
    return {
        "priors": priors,
        "feats": feats,
        "labels": np.array(labels, dtype=object),
        "novelty": novelty,
        "groups": np.array(groups),
        "documents": len(docs),
        "gold": sum(len(g) for _, _, g, _ in docs),
        "missed": missed,
    }


def _classifier(c: float, seed: int, multiclass: bool = False) -> Any:
    """liblinear: fast on these sparse features; one-vs-rest for the BioRED typer."""
    clf = LogisticRegression(C=c, solver="liblinear", random_state=seed)
    return OneVsRestClassifier(clf) if multiclass else clf


def _f1(pred: np.ndarray, ok: np.ndarray, n_gold: int) -> float:
    tp = int((pred & ok).sum())
    p, r = tp / max(int(pred.sum()), 1), tp / n_gold if n_gold else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def _best_threshold(
    scores: np.ndarray, positive: np.ndarray, typed_ok: np.ndarray, groups: np.ndarray, n_gold: int
) -> dict[str, Any]:
    """Threshold (and whether to keep each document's best pair when none passes it) maximising
    the mean of pair F1 and pair+type F1 (they coincide for CID)."""
    order = np.lexsort((-scores, groups))
    first = order[np.r_[True, groups[order][1:] != groups[order][:-1]]]  # best pair of each document
    best: dict[str, Any] = {"threshold": 0.5, "at_least_one": False, "cv_pair_f1": 0.0, "cv_pair_type_f1": 0.0}
    for t in np.arange(0.05, 0.95, 0.01):
        pred = scores >= t
        for at_least_one in (False, True):
            chosen = pred.copy()
            if at_least_one:
                empty = first[np.bincount(groups, weights=pred)[groups[first]] == 0]
                chosen[empty] = True
            f1_pair, f1_typed = _f1(chosen, positive, n_gold), _f1(chosen, typed_ok, n_gold)
            if f1_pair + f1_typed > best["cv_pair_f1"] + best["cv_pair_type_f1"]:
                best = {
                    "threshold": round(float(t), 2),
                    "at_least_one": at_least_one,
                    "cv_pair_f1": round(f1_pair, 4),
                    "cv_pair_type_f1": round(f1_typed, 4),
                }
    return best


def _cross_validate(X: Any, y: np.ndarray, groups: np.ndarray, n_gold: int, seed: int) -> dict[str, Any]:
    """Out-of-fold detector scores per C and typer predictions per C; the best combination.

    ``y`` holds the type name of each pair (``NONE`` for unrelated pairs); with a single type
    (CID) there is no typer to choose.
    """
    positive = y != NONE
    folds = list(GroupKFold(n_splits=FOLDS).split(X, y, groups))
    typed_ok = positive
    typer_c = None
    if len(set(y[positive])) > 1:
        accuracy = {}
        for c in C_GRID:
            typed = np.empty(len(y), dtype=object)
            for train, test in folds:
                rel = train[positive[train]]
                typed[test] = _classifier(c, seed, multiclass=True).fit(X[rel], y[rel]).predict(X[test])
            accuracy[c] = ((typed == y) & positive, float(((typed == y) & positive).sum() / positive.sum()))
        typer_c = max(accuracy, key=lambda c: (accuracy[c][1], -c))
        typed_ok = accuracy[typer_c][0]
    results = []
    for c in C_GRID:
        scores = np.zeros(len(y))
        for train, test in folds:
            clf = _classifier(c, seed).fit(X[train], positive[train].astype(int))
            scores[test] = Head(vectorizer=DictVectorizer(), classifier=clf, threshold=0.5).scores(X[test])
        results.append({"C": c, **_best_threshold(scores, positive, typed_ok, groups, n_gold)})
    best = max(results, key=lambda r: (r["cv_pair_f1"] + r["cv_pair_type_f1"], -r["C"]))
    if typer_c is not None:
        best["typer_C"] = typer_c
        best["cv_typer_accuracy"] = round(float(typed_ok.sum() / positive.sum()), 4)
    return best


def train_re(
    output_dir: str | Path,
    *,
    corpora: Mapping[str, str | Path] | None = None,
    mesh_disease_terms: str | Path = SHARED_DATA / MESH_DISEASE_TERMS,
    seed: int = 0,
) -> dict[str, Any]:
    """Train both heads (and the novelty head), save to ``output_dir``; returns the training report.

    ``corpora`` maps task (``cid``, ``biored``) to a PubTator training file; the shared
    training splits by default. A file whose name says dev/develop/test is refused.
    """
    started = time.perf_counter()
    paths = {task: Path(p) for task, p in (corpora or TRAINING_CORPORA).items()}
    for task, path in paths.items():
        if task not in TRAINING_CORPORA:
            raise SourceError(Errors.E231, task=task, tasks=sorted(TRAINING_CORPORA))
        if _NOT_TRAINING.search(path.name):
            raise SourceError(Errors.E232, path=path)
        if not path.exists():
            raise SourceError(Errors.E230, path=path)
    trees = load_disease_trees(Path(mesh_disease_terms))
    heads: dict[str, Head] = {}
    priors: dict[str, Priors] = {}
    novelty: Head | None = None
    report: dict[str, Any] = {"format": FORMAT_VERSION, "seed": seed, "tasks": {}}
    for task, path in paths.items():
        t0 = time.perf_counter()
        data = _dataset(path, task, trees)
        t1 = time.perf_counter()
        vec = DictVectorizer()
        X = vec.fit_transform(data["feats"]).tocsr()
        X.indices, X.indptr = X.indices.astype(np.int32), X.indptr.astype(np.int32)  # liblinear needs 32-bit
        y = data["labels"]
        cv = _cross_validate(X, y, data["groups"], data["gold"], seed)
        positive = y != NONE
        heads[task] = Head(
            vectorizer=vec,
            classifier=_classifier(cv["C"], seed).fit(X, positive.astype(int)),
            threshold=cv["threshold"],
            at_least_one=cv["at_least_one"],
            typer=(
                _classifier(cv["typer_C"], seed, multiclass=True).fit(X[positive], y[positive])
                if "typer_C" in cv
                else None
            ),
        )
        priors[task] = data["priors"]
        report["tasks"][task] = {
            "corpus": str(path),
            "documents": data["documents"],
            "candidate_pairs": len(y),
            "gold_relations": data["gold"],
            "gold_not_candidates": data["missed"],
            "features": len(vec.vocabulary_),
            "featurize_seconds": round(t1 - t0, 1),
            "fit_seconds": round(time.perf_counter() - t1, 1),
            **cv,
        }
        if task == "biored":
            rows = [i for i, n in enumerate(data["novelty"]) if n in ("Novel", "No")]
            nov_y = np.array([data["novelty"][i] for i in rows], dtype=object)
            nov_clf = _classifier(1.0, seed).fit(X[rows], nov_y)
            novelty = Head(vectorizer=vec, classifier=nov_clf, threshold=0.5)
            report["tasks"][task]["novelty_training_pairs"] = len(rows)
    report["train_seconds"] = round(time.perf_counter() - started, 1)
    report["machine"] = f"{platform.machine()} cpus={os.cpu_count()} python {platform.python_version()}"
    model = RelationModel(
        heads=heads,
        priors=priors,
        novelty=novelty,
        trees=trees,
        metadata={"version": FORMAT_VERSION, "training": report},
    )
    out = Path(output_dir)
    model.save(out)
    (out / "training.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report
