"""Train the CPU relation model (:class:`kg.relate.model.RelationModel`) from the training splits.

Gold entities of BC5CDR (CID) and BioRED (eight types + novelty) give labelled candidate
pairs; each head is a logistic regression, blended with gradient-boosted trees where it pays
(:class:`~kg.relate.model.TreeBlend`), whose regularisation strength, tree weight and decision threshold
are picked by 5-fold cross-validation over *training documents* (grouped, so a document's
pairs never straddle folds). A development split is never read as a training corpus: it is what
``medkg evaluate re`` scores, and tuning on it would inflate the reported F1. The one exception is
explicit (``dev``, ``medkg train re --with-dev``): the model to ship learns from the dev documents too
(BC5CDR dev CID F1 with gold entities 0.613 trained on the training split alone, 0.655 with each dev
abstract scored by a model trained on the training split and the other four fifths of dev). Its dev
scores are then in-sample, and ``medkg evaluate re`` says so; honest dev figures come from fold
models (:func:`fold_models`, ``medkg evaluate re --cross-fitted``) or a twin trained without them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import tempfile
import time
from collections.abc import Iterator, Mapping
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.multiclass import OneVsRestClassifier

from kg.config import SHARED_DATA
from kg.errors import Errors, SourceError
from kg.evaluate.gold import GoldExtractor, run_corpus
from kg.extract.assertion import AssertionTagger
from kg.pipeline import Annotator
from kg.relate.features import (
    CONTEXT_FEATURES,
    DocView,
    MeshTrees,
    Priors,
    candidate_pairs,
    document_view,
    entity_types,
    load_mesh_trees,
)
from kg.relate.model import (
    FORMAT_VERSION,
    MODEL_FILE,
    Head,
    RelationModel,
    SentenceHead,
    TreeBlend,
    conjoin_types,
    dense_columns,
    featurize,
    int32_indices,
    fit_calibrator,
    most_specific,
    positive_scores,
    sentence_rows,
)
from kg.sources.pubtator import PubtatorDocument, read_pubtator
from kg.text.analyzer import TextAnalyzer
from kg.train import fold_of
from kg.vocab.corpora import DEV_CORPORA, NOT_TRAINING, TRAIN_CORPORA, pmids_of, training_documents
from kg.vocab.curie import to_curie
from kg.vocab.lexicon import MESH_DISEASE_TERMS
from kg.vocab.types import entity_type

log = logging.getLogger(__name__)
HEAD_CORPUS = {"cid": "bc5cdr", "biored": "biored"}  # the corpus (kg.vocab.corpora) each head learns from
# Each head's splits, under the shared data folder. The dev split is what `medkg evaluate re` scores, what the
# end-to-end calibration is fitted on, and what `--with-dev` adds to training.
TRAINING_CORPORA: dict[str, str] = {
    head: next(c.path for c in TRAIN_CORPORA if c.name == name) for head, name in HEAD_CORPUS.items()}
DEV_SPLITS: dict[str, str] = {
    head: next(c.path for c in DEV_CORPORA if c.name == name) for head, name in HEAD_CORPUS.items()}
MESH_DESCRIPTOR_TERMS = "ontology/mesh/mesh2024_descriptor_terms.tsv.gz"
MESH_SUPPLEMENTARY_TERMS = "ontology/mesh/mesh2024_supplementary_terms.tsv.gz"
C_GRID: tuple[float, ...] = (0.03, 0.1, 0.3)
SENTENCE_C = 0.1
EVIDENCE_THRESHOLD = 0.5  # calibrated sentence score at which a sentence counts as stating the relation
FOLDS = 5
TREE_COLUMNS = 1000  # the detector's trees read at most this many pair features (TreeBlend) ...
TREE_MIN_ROWS = 20  # ... each of them present in at least this many training pairs
TREE_WEIGHTS: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
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


def fold_models(model: RelationModel, *, shared_data: str | Path = SHARED_DATA, cache_dir: Path | None = None,
                log=print) -> Iterator[tuple[frozenset[str], RelationModel]]:
    """For a model trained with dev documents (``metadata["dev_pmids"]``): per fold (:func:`fold_of`), that fold's
    dev PMIDs and a model trained with the same arguments (relative paths under ``shared_data``) without them; none
    for another model. With ``cache_dir`` each fold model is kept there, under a key of the model's training report
    (a retrained model has another; an end-to-end calibration does not change it), and read back by later calls
    instead of trained again."""
    dev = model.metadata.get("dev_pmids") or []
    arguments = model.metadata.get("training_arguments") or {}
    if not dev:
        return
    key = hashlib.sha256(json.dumps(model.metadata.get("training"), sort_keys=True).encode()).hexdigest()[:16]
    for k in range(FOLDS):
        held = frozenset(p for p in dev if fold_of(p, FOLDS) == k)
        kept = None if cache_dir is None else Path(cache_dir) / "re-folds" / key / f"fold-{k}"
        if kept is not None and (kept / MODEL_FILE).is_file():
            yield held, RelationModel.load(kept)
            continue
        log(f"  fold model {k + 1}/{FOLDS}: training without its {len(held)} dev documents ...")
        with tempfile.TemporaryDirectory(prefix="medkg-fold-") as tmp:
            train_re(tmp, dev_exclude=held, shared_data=shared_data, **arguments)
            fold = RelationModel.load(tmp)
            if kept is not None:
                fold.save(kept)
            yield held, fold


def _documents(path: Path, task: str, trees: MeshTrees, shared: Path, dev: Path | None = None,
               dev_exclude: frozenset[str] = frozenset()) -> list[tuple[DocView, list, dict, set]]:
    """View, candidate pairs, gold relations and positive pairs of every training document.

    The chain is ingestion's with the corpus's linked mentions in the extractor's place, the
    assertion tagger included, so that features read the same layers in training as in use.
    ``dev``: a development split whose documents, but those of ``dev_exclude`` (PMIDs), join them.
    """
    docs = []
    corpus = list(training_documents(path, shared))  # minus abstracts that are in a dev split under ``shared``
    if not corpus:
        raise SourceError(Errors.E235, path=path)
    if dev is not None:
        corpus += [d for d in read_pubtator(dev) if d.pmid not in dev_exclude]
    chain = Annotator(TextAnalyzer(), [GoldExtractor(corpus, linked=True), AssertionTagger()])
    for pdoc, annotated in run_corpus(chain, corpus):
        view = document_view(annotated, trees)
        pairs = candidate_pairs(view, task)
        gold = gold_relations(pdoc, task)
        positives = {p for p in pairs if frozenset(p) in gold}
        docs.append((view, pairs, gold, positives))
    return docs


def _folds(n_docs: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Document folds (indices of documents) shared by every cross-validated step."""
    docs = np.arange(n_docs)
    return [(docs[tr], docs[te]) for tr, te in GroupKFold(n_splits=min(FOLDS, n_docs)).split(docs, groups=docs)]


def _train_sentences(docs: list, folds: list, seed: int) -> tuple[SentenceHead | None, dict]:
    """The sentence scorer that picks a relation's evidence (see :class:`SentenceHead`).

    Distant supervision: a (pair, shared sentence) is positive when the document relates the
    pair. Its probabilities are calibrated on out-of-fold scores, so that ``EVIDENCE_THRESHOLD``
    means "at least as likely as not, from this sentence alone, that the pair is related".
    """
    feats, labels, owner = [], [], []
    for n, (view, pairs, _, positives) in enumerate(docs):
        rows, f = sentence_rows(view, pairs)
        feats += f
        labels += [int(pairs[k] in positives) for k, _ in rows]
        owner += [n] * len(rows)
    y, owner = np.array(labels), np.array(owner)
    if len(set(labels)) < 2:  # every shared sentence on one side: nothing to learn (tiny corpora)
        return None, {"sentences": len(y), "positive_sentences": int(y.sum())}
    vec = DictVectorizer()
    X = int32_indices(vec.fit_transform(feats).tocsr())
    oof = np.zeros(len(y))
    for train_docs, test_docs in folds:
        train, test = np.isin(owner, train_docs), np.isin(owner, test_docs)
        if len(set(y[train])) < 2:
            continue
        clf = _classifier(SENTENCE_C, seed).fit(X[train], y[train])
        oof[test] = positive_scores(clf, X[test])
    head = SentenceHead(vectorizer=vec, classifier=_classifier(SENTENCE_C, seed).fit(X, y),
                        threshold=EVIDENCE_THRESHOLD, calibrator=fit_calibrator(oof, y))
    report = {"sentences": len(y), "positive_sentences": int(y.sum()), "C": SENTENCE_C,
              "evidence_threshold": EVIDENCE_THRESHOLD, "features": len(vec.vocabulary_)}
    return head, report


def _dataset(docs: list) -> dict[str, Any]:
    """Features, labels, novelty and document groups of every candidate pair; the priors."""
    priors = Priors()
    for _, pairs, _, positives in docs:
        priors.add(pairs, positives)
    feats, labels, novelty, groups, type_pairs, missed = [], [], [], [], [], 0
    for n, (view, pairs, gold, positives) in enumerate(docs):
        exclude = Priors.counts(pairs, positives)
        feats += featurize(view, pairs, priors, exclude)
        type_pairs += [entity_types(view, *p) for p in pairs]
        for p in pairs:
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
        "type_pairs": np.array(type_pairs, dtype=object),
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


def _best_threshold(scores: np.ndarray, positive: np.ndarray, typed_ok: np.ndarray, n_gold: int) -> dict[str, Any]:
    """The threshold maximising the mean of pair F1 and pair+type F1 (they coincide for CID).

    Every document is judged on its own pairs: no "at least one relation per abstract" rule,
    although it gains about half a point of F1 on the corpora, which were sampled for
    abstracts that state relations; most PubMed abstracts state none, and the rule would give
    each of them an edge.
    """
    best: dict[str, Any] = {"threshold": 0.5, "cv_pair_f1": 0.0, "cv_pair_type_f1": 0.0}
    for t in np.arange(0.05, 0.95, 0.01):
        pred = scores >= t
        f1_pair, f1_typed = _f1(pred, positive, n_gold), _f1(pred, typed_ok, n_gold)
        if f1_pair + f1_typed > best["cv_pair_f1"] + best["cv_pair_type_f1"]:
            best = {"threshold": round(float(t), 2), "cv_pair_f1": round(f1_pair, 4),
                    "cv_pair_type_f1": round(f1_typed, 4)}
    return best


def _cross_validate(X: Any, y: np.ndarray, groups: np.ndarray, folds: list, n_gold: int, seed: int,
                    typer_X: Any = None, base_columns: np.ndarray | None = None) -> dict[str, Any]:
    """Out-of-fold detector scores per C and typer probabilities per C; the best combination,
    with its out-of-fold scores (``oof``) and, with a typer, its out-of-fold types and type
    probabilities (``oof_types``, ``oof_type_proba``) for calibration.

    ``y`` holds the type name of each pair (``NONE`` for unrelated pairs); with a single type
    (CID) there is no typer to choose. ``typer_X``: the features conjoined with each pair's
    entity types (:func:`~kg.relate.model.conjoin`), a second input the typer may read
    (``typer_conjoined``) where its cross-validated accuracy is higher. ``base_columns``: the
    columns of ``X`` that are not context features (:data:`~kg.relate.features.CONTEXT_FEATURES`),
    a second input the detector may read (``detector_context`` False) where it scores higher.
    """
    positive = y != NONE
    pair_folds = [(np.flatnonzero(np.isin(groups, tr)), np.flatnonzero(np.isin(groups, te))) for tr, te in folds]
    typed_ok = positive
    typer: dict[str, Any] = {}
    if len(set(y[positive])) > 1:
        by_c = {}
        inputs = {False: X} if typer_X is None else {False: X, True: typer_X}
        for (conjoined, Xt), c in product(inputs.items(), C_GRID):
            typed = np.empty(len(y), dtype=object)
            proba = np.zeros(len(y))
            for train, test in pair_folds:
                rel = train[positive[train]]
                clf = _classifier(c, seed, multiclass=True).fit(Xt[rel], y[rel])
                p = clf.predict_proba(Xt[test])
                typed[test] = np.asarray(clf.classes_, dtype=object)[p.argmax(axis=1)]
                proba[test] = p.max(axis=1)
            ok = (typed == y) & positive
            by_c[(c, conjoined)] = (ok, float(ok.sum() / positive.sum()), typed, proba)
        typer_c, conjoined = max(by_c, key=lambda k: (by_c[k][1], -k[0], not k[1]))
        typed_ok, accuracy, typed, proba = by_c[(typer_c, conjoined)]
        typer = {"typer_C": typer_c, "typer_conjoined": conjoined, "cv_typer_accuracy": round(accuracy, 4),
                 "cv_typer_accuracy_by_input": {("conjoined" if k[1] else "plain") + f" C={k[0]}": round(v[1], 4)
                                                for k, v in by_c.items()},
                 "oof_types": typed, "oof_type_proba": proba}
    results = []
    inputs = {True: X} if base_columns is None else {True: X, False: X[:, base_columns]}
    for (context, Xd), c in product(inputs.items(), C_GRID):
        scores = np.zeros(len(y))
        for train, test in pair_folds:
            clf = _classifier(c, seed).fit(Xd[train], positive[train].astype(int))
            scores[test] = positive_scores(clf, Xd[test])
        results.append({"C": c, "detector_context": context, **_best_threshold(scores, positive, typed_ok, n_gold),
                        "oof": scores})
    best = max(results, key=lambda r: (r["cv_pair_f1"] + r["cv_pair_type_f1"], -r["C"], not r["detector_context"]))
    by_input = {("with" if r["detector_context"] else "without") + f" context C={r['C']}":
                [r["cv_pair_f1"], r["cv_pair_type_f1"]] for r in results}
    blend = _tree_blend(inputs[best["detector_context"]], positive, typed_ok, pair_folds, n_gold, seed, best["oof"])
    return {**best, **blend, "cv_detector_pair_and_type_f1_by_input": by_input, **typer}


def tree_columns(X: Any) -> np.ndarray:
    """The columns the detector's trees read (:class:`~kg.relate.model.TreeBlend`): the
    :data:`TREE_COLUMNS` features most training pairs have, each by at least :data:`TREE_MIN_ROWS`."""
    counts = np.asarray((X != 0).sum(axis=0)).ravel()
    order = np.argsort(-counts, kind="stable")[:TREE_COLUMNS]
    return np.sort(order[counts[order] >= TREE_MIN_ROWS])


def _trees(seed: int) -> HistGradientBoostingClassifier:
    """The detector's trees (100 of learning rate 0.15 scored as 300 of 0.05 did, in a third of the time)."""
    return HistGradientBoostingClassifier(max_iter=100, learning_rate=0.15, max_leaf_nodes=15, min_samples_leaf=20,
                                          l2_regularization=1.0, early_stopping=False, random_state=seed)


def _tree_blend(X: Any, positive: np.ndarray, typed_ok: np.ndarray, pair_folds: list, n_gold: int, seed: int,
                linear_oof: np.ndarray) -> dict[str, Any]:
    """The weight of gradient-boosted trees beside the chosen linear detector (its out-of-fold scores
    ``linear_oof``) that scores best by CV, of :data:`TREE_WEIGHTS` (0: the linear model alone), with the
    threshold, out-of-fold scores (``oof``) and tree columns (``tree_columns``) that go with it."""
    columns = tree_columns(X)
    trees = np.zeros(len(positive))
    weights: tuple[float, ...] = (0.0,)  # too few pairs for any column: the linear model alone
    if len(columns):
        dense = dense_columns(X, columns)
        for train, test in pair_folds:
            trees[test] = positive_scores(_trees(seed).fit(dense[train], positive[train].astype(int)), dense[test])
        weights = TREE_WEIGHTS
    by_weight = {w: _best_threshold(w * trees + (1 - w) * linear_oof, positive, typed_ok, n_gold) for w in weights}
    w = max(by_weight, key=lambda k: (by_weight[k]["cv_pair_f1"] + by_weight[k]["cv_pair_type_f1"], -k))
    return {**by_weight[w], "tree_weight": w, "tree_columns": columns, "oof": w * trees + (1 - w) * linear_oof,
            "cv_pair_and_type_f1_by_tree_weight": {str(k): [v["cv_pair_f1"], v["cv_pair_type_f1"]]
                                                   for k, v in by_weight.items()}}


def _most_specific_pays(docs: list, oof: np.ndarray, cv: dict[str, Any], positive: np.ndarray,
                        typed_ok: np.ndarray, n_gold: int) -> dict[str, Any]:
    """Whether dropping relations to a broader disease (see :class:`Head`) raises out-of-fold F1."""
    views = [view for view, *_ in docs]
    pairs = [(n, p) for n, (_, doc_pairs, _, _) in enumerate(docs) for p in doc_pairs]
    keep = np.flatnonzero(oof >= cv["threshold"])
    pred = np.zeros(len(oof), dtype=bool)
    pred[most_specific(views, pairs, keep)] = True
    f1_pair, f1_typed = _f1(pred, positive, n_gold), _f1(pred, typed_ok, n_gold)
    pays = f1_pair + f1_typed > cv["cv_pair_f1"] + cv["cv_pair_type_f1"]
    return {"most_specific": bool(pays), "cv_most_specific_pair_f1": round(f1_pair, 4),
            "cv_most_specific_pair_type_f1": round(f1_typed, 4)}


def train_re(
    output_dir: str | Path,
    *,
    corpora: Mapping[str, str | Path] | None = None,
    shared_data: str | Path = SHARED_DATA,
    mesh_disease_terms: str | Path | None = MESH_DISEASE_TERMS,
    mesh_descriptor_terms: str | Path | None = MESH_DESCRIPTOR_TERMS,
    mesh_supplementary_terms: str | Path | None = MESH_SUPPLEMENTARY_TERMS,
    seed: int = 0,
    dev: Mapping[str, str | Path] | None = None,
    dev_exclude: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Train both heads (and the novelty head), save to ``output_dir``; returns the training report.

    ``corpora`` maps task (``cid``, ``biored``) to a PubTator training file; the shared
    training splits by default. A file whose name says dev/develop/test is refused. ``dev`` maps
    a task to a development split whose documents join its training documents (all but the PMIDs
    of ``dev_exclude``): the model then records their PMIDs, so that scores on them are reported
    as in-sample, and its end-to-end calibration is cross-fitted (:mod:`kg.train.re_calibration`).
    The MeSH files give concepts their tree numbers (class features); each may be None. Relative
    paths are under ``shared_data`` (MEDKG_SHARED_DATA for the CLI).
    """
    started = time.perf_counter()
    shared = Path(shared_data)
    paths = {task: shared / p for task, p in (corpora or TRAINING_CORPORA).items()}
    dev_paths = {task: shared / p for task, p in (dev or {}).items()}
    for task, path in paths.items():
        if task not in TRAINING_CORPORA:
            raise SourceError(Errors.E231, task=task, tasks=sorted(TRAINING_CORPORA))
        if NOT_TRAINING.search(path.name):
            raise SourceError(Errors.E232, path=path)
    for task in dev_paths.keys() - paths.keys():  # a dev split joins its head's training corpus
        raise SourceError(Errors.E231, task=task, tasks=sorted(paths))
    for path in [*paths.values(), *dev_paths.values()]:
        if not path.exists():
            raise SourceError(Errors.E230, path=path)
    trees = load_mesh_trees(*(None if p is None else shared / p for p in
                              (mesh_descriptor_terms, mesh_supplementary_terms, mesh_disease_terms)))
    heads: dict[str, Head] = {}
    priors: dict[str, Priors] = {}
    novelty: Head | None = None
    report: dict[str, Any] = {"format": FORMAT_VERSION, "seed": seed, "tasks": {}}
    dev_pmids: set[str] = set()
    for task, path in paths.items():
        t0 = time.perf_counter()
        docs = _documents(path, task, trees, shared, dev_paths.get(task), dev_exclude)
        task_dev = pmids_of(dev_paths[task]) - dev_exclude if task in dev_paths else set()
        dev_pmids |= task_dev
        folds = _folds(len(docs))
        sentences, sentence_report = _train_sentences(docs, folds, seed)
        data = _dataset(docs)
        t1 = time.perf_counter()
        vec = DictVectorizer()
        X = int32_indices(vec.fit_transform(data["feats"]).tocsr())
        y = data["labels"]
        positive = y != NONE
        typer_pairs = tuple(sorted(set(data["type_pairs"])))
        typer_X = (conjoin_types(X, data["type_pairs"], typer_pairs)
                   if len(set(y[positive])) > 1 else None)  # a head with one type (CID) has no typer
        base_columns = np.array(sorted(i for f, i in vec.vocabulary_.items() if not f.startswith(CONTEXT_FEATURES)))
        cv = _cross_validate(X, y, data["groups"], folds, data["gold"], seed, typer_X, base_columns)
        detector_columns = None if cv["detector_context"] else base_columns
        oof, columns = cv.pop("oof"), cv.pop("tree_columns")
        Xdet = X if detector_columns is None else X[:, detector_columns]
        detector = _classifier(cv["C"], seed).fit(Xdet, positive.astype(int))
        if cv["tree_weight"] > 0:
            boosted = _trees(seed).fit(dense_columns(Xdet, columns), positive.astype(int))
            detector = TreeBlend(linear=detector, trees=boosted, columns=columns, weight=cv["tree_weight"])
        calibrator = fit_calibrator(oof, positive)
        typed_calibrator = None
        typed_ok = positive
        if "typer_C" in cv:
            oof_types, oof_proba = cv.pop("oof_types"), cv.pop("oof_type_proba")
            typed_ok = positive & (oof_types == y)
            typed_calibrator = fit_calibrator(oof * oof_proba, typed_ok)
        cv.update(_most_specific_pays(docs, oof, cv, positive, typed_ok, data["gold"]))
        heads[task] = Head(
            vectorizer=vec,
            classifier=detector,
            threshold=cv["threshold"],
            detector_columns=detector_columns,
            typer=(
                _classifier(cv["typer_C"], seed, multiclass=True).fit(
                    (typer_X if cv["typer_conjoined"] else X)[positive], y[positive])
                if "typer_C" in cv
                else None
            ),
            typer_pairs=typer_pairs if cv.get("typer_conjoined") else (),
            most_specific=cv["most_specific"],
            sentences=sentences,
            calibrator=calibrator,
            typed_calibrator=typed_calibrator,
        )
        priors[task] = data["priors"]
        report["tasks"][task] = {
            "corpus": str(path),
            **({"dev_corpus": str(dev_paths[task]), "dev_documents": len(task_dev)} if task in dev_paths else {}),
            "documents": data["documents"],
            "candidate_pairs": len(y),
            "gold_relations": data["gold"],
            "gold_not_candidates": data["missed"],
            "features": len(vec.vocabulary_),
            "featurize_seconds": round(t1 - t0, 1),
            "fit_seconds": round(time.perf_counter() - t1, 1),
            "sentence_scorer": sentence_report,
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
        metadata={"version": FORMAT_VERSION, "training": report, "dev_pmids": sorted(dev_pmids),
                  "training_arguments": {  # what fold_models trains with (paths as given: under the shared data)
                      "corpora": {t: str(p) for t, p in (corpora or TRAINING_CORPORA).items()},
                      "dev": {t: str(p) for t, p in (dev or {}).items()}, "seed": seed,
                      "mesh_disease_terms": mesh_disease_terms and str(mesh_disease_terms),
                      "mesh_descriptor_terms": mesh_descriptor_terms and str(mesh_descriptor_terms),
                      "mesh_supplementary_terms": mesh_supplementary_terms and str(mesh_supplementary_terms)}},
    )
    out = Path(output_dir)
    model.save(out)
    (out / "training.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    card = out / MODEL_CARD
    if not card.exists() or card.read_text(encoding="utf-8").startswith(GENERATED):
        card.write_text(model_card(report, out), encoding="utf-8")
    else:  # written by hand (the shipped model's): it says more than a generated one, so it is kept
        log.warning("kept the hand-written %s: update its figures from %s", card, out / "training.json")
    return report


MODEL_CARD = "MODEL_CARD.md"
GENERATED = "<!-- written by medkg train re -->"


def model_card(report: Mapping[str, Any], out: Path) -> str:
    """The model card of a model :func:`train_re` wrote: data, command, time, machine and the
    cross-validated choices and scores of each head, from its training ``report``. Dev scores are not
    in it (training reads a dev split only with ``--with-dev``, and then they are in-sample); the card says how to get them."""
    with_dev = any("dev_corpus" in t for t in report["tasks"].values())
    lines = [GENERATED, f"# {out.name}: a medkg relation model (format `{report['format']}`)", "",
             f"Trained {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with "
             f"`medkg train re --output {out} --seed {report['seed']}{' --with-dev' * with_dev}` in {report['train_seconds']} s on "
             f"{report['machine']}. Load it with `MEDKG_RE_MODEL={out}`. `training.json` holds the whole report.",
             "", "| head | training corpus | abstracts | candidate pairs | relations | C | tree weight | threshold | "
             "CV pair F1 | CV pair+type F1 | typer (C, CV accuracy) |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for task, t in report["tasks"].items():
        typer = f"{t['typer_C']}, {t['cv_typer_accuracy']}" if "typer_C" in t else "-"
        corpus = f"`{Path(t['corpus']).name}`" + (f" + `{Path(t['dev_corpus']).name}`" if "dev_corpus" in t else "")
        lines.append(f"| `{task}` | {corpus} | {t['documents']:,} | {t['candidate_pairs']:,} | "
                     f"{t['gold_relations']:,} | {t['C']} | {t['tree_weight']} | {t['threshold']} | {t['cv_pair_f1']} | "
                     f"{t['cv_pair_type_f1']} | {typer} |")
    lines += ["", "Five-fold cross-validation over the training documents chose C, the weight of the gradient-boosted "
              "trees beside the linear detector (`TreeBlend`; 0: linear alone), the thresholds and the calibration "
              + ("(the dev documents were among them: scores on a dev split are in-sample; train a twin without "
                 "`--with-dev` for dev figures). " if with_dev else "(no dev split was read). ")
              + "Dev scores, end to end and with gold entities:", "",
              f"    MEDKG_RE_MODEL={out} medkg evaluate re --corpus CORPUS_DEV.PubTator [--gold-entities]", ""]
    return "\n".join(lines)
