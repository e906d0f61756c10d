"""The CPU relation model: logistic regression, with gradient-boosted trees beside it where they pay
(:class:`TreeBlend`), over the pair features of :mod:`kg.relate.features`.

Two heads because the two corpora answer different questions about the same kind of pair:

- ``cid``: is chemical C said to induce disease D (BC5CDR)? Binary.
- ``biored``: does one of BioRED's eight relation types hold between two concepts, and which?
  A binary detector decides *whether* (its probability is the score); a typer trained on the
  related pairs only decides *which* type, and a third classifier whether the relation is the
  paper's novel finding or background knowledge (``Novel``/``No``). Splitting detection from
  typing lets the typer see only related pairs, which types them better than one classifier
  with a "none" class.

Each head also has a sentence scorer (:class:`SentenceHead`) that decides which of the
pair's sentences state the relation: those become the relation's evidence. A relation's score
is calibrated (:class:`Calibrator`): a 0.9 relation is right about nine times in ten on data
like the training corpora, between their gold entities; :class:`EndToEndCalibration` then maps it
to how often such a relation is right between the entities the pipeline itself finds.

Thresholds and calibration come from cross-validation on the training split (not on dev), so
dev scores stay an honest estimate. The file is a joblib pickle: load only models you trust.
"""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from scipy import sparse
from sklearn.feature_extraction import DictVectorizer

from kg.cache import atomic_file
from kg.doc import AnnotatedDoc, batched
from kg.errors import Errors, ModelError
from kg.models import Relation, Support
from kg.relate.features import (
    DocView,
    MeshTrees,
    Priors,
    candidate_pairs,
    document_view,
    entity_types,
    is_below,
    pair_features,
    sentence_pairs,
    sentence_scorer_features,
    supports,
)

TASKS: tuple[str, ...] = ("cid", "biored")
FORMAT_VERSION = "re-cpu-4"
# Claims that contradict each other for one pair of one document: the CID head's "chemical induces the
# disease" and the BioRED head's Negative_Correlation (the chemical treats or lowers it).
CONTRADICTORY: tuple[tuple[str, str], tuple[str, str]] = (("cid", "CID"), ("biored", "Negative_Correlation"))
MODEL_FILE = "model.joblib"
SCORE_FLOOR, SCORE_CEILING = 0.005, 0.995  # no edge is certain: a 1.0 would end every noisy-OR


@dataclass
class Calibrator:
    """A monotone map from a raw classifier score to the probability that the prediction is right.

    Fitted by isotonic regression on out-of-fold scores of the training documents
    (:func:`fit_calibrator`); stored as the breakpoints of the step function and applied with
    linear interpolation, so it needs nothing but numpy to load.
    """

    x: np.ndarray
    y: np.ndarray

    def __call__(self, scores: Any) -> np.ndarray:
        return np.clip(np.interp(np.asarray(scores, dtype=float), self.x, self.y), SCORE_FLOOR, SCORE_CEILING)


def _logit(p: Any) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), SCORE_FLOOR, SCORE_CEILING)
    return np.log(p / (1 - p))


@dataclass
class EndToEndCalibration:
    """The head's calibrated score, recalibrated for entities found and linked by the pipeline.

    The head's own calibrators are fitted on the training corpus's gold entities, where every
    concept of a pair is right; end to end some are not, so a 0.9 there was right 77% of the time
    (BioRED dev). This maps the score ``s`` to ``sigmoid(a * logit(s) + b)``, fitted (Platt scaling,
    two numbers: it beat isotonic regression on both dev splits in cross-fitting) on the relations
    the whole ingestion chain predicts for a development split (:mod:`kg.train.re_calibration`).
    ``corpus``/``sha256``: the file it was fitted on (a reliability table on that file is in-sample);
    ``fitted_with``: the chain it was fitted with (:func:`chain_of`), whose errors it measured
    (:meth:`RelationModel.stale_calibrations`).
    """

    a: float
    b: float
    corpus: str
    sha256: str
    documents: int
    relations: int
    fitted_with: tuple[tuple[str, str], ...] = ()

    def __call__(self, scores: Any) -> np.ndarray:
        return platt(scores, self.a, self.b)


def chain_of(components: Sequence[Any]) -> tuple[tuple[str, str], ...]:
    """The (name, version) of each component before the relation model: what an end-to-end calibration
    records as ``fitted_with`` and what a run's chain is compared with."""
    return tuple((c.name, c.version) for c in components)


def platt(scores: Any, a: float, b: float) -> np.ndarray:
    """``sigmoid(a * logit(score) + b)``, within the score floor and ceiling."""
    return np.clip(1 / (1 + np.exp(-(a * _logit(scores) + b))), SCORE_FLOOR, SCORE_CEILING)


def fit_platt(scores: Any, correct: Any) -> tuple[float, float]:
    """(a, b) of ``sigmoid(a * logit(score) + b)`` fitted to ``correct`` (0/1) by maximum likelihood."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e6).fit(_logit(scores)[:, None], np.asarray(correct, dtype=int))
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def vectorize(vectorizer: DictVectorizer, feats: Sequence[dict[str, float]]) -> sparse.csr_matrix:
    """``vectorizer.transform(feats)`` for numeric features (all of medkg's are): the same matrix,
    about 3x faster (one dict lookup per feature; the relation heads' share of ingestion)."""
    vocabulary = vectorizer.vocabulary_
    indices: list[int] = []
    data: list[float] = []
    indptr = [0]
    for f in feats:
        for name, value in f.items():
            if (j := vocabulary.get(name)) is not None:
                indices.append(j)
                data.append(value)
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.asarray(data, dtype=vectorizer.dtype), np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int32)),
        shape=(len(indptr) - 1, len(vocabulary)),
    )


def int32_indices(X: sparse.csr_matrix) -> sparse.csr_matrix:
    """``X`` with 32-bit indices, as liblinear needs (SciPy may choose 64-bit ones)."""
    X.indices, X.indptr = X.indices.astype(np.int32), X.indptr.astype(np.int32)
    return X


def conjoin(X: Any, groups: Sequence[int], n_groups: int) -> sparse.csr_matrix:
    """``X`` beside ``n_groups`` blocks of its columns, in which a row of group ``g`` repeats its
    features in block ``g`` (a row of no group, ``-1``, only in ``X``).

    A linear model on it learns weights shared by all rows plus, per group, weights that add to
    them ("frustratingly easy" domain adaptation): the typer reads "inhibits" one way between a
    chemical and a gene and another between two genes, with the shared weight to fall back on.
    """
    X = sparse.csr_matrix(X)
    groups = np.asarray(groups)
    blocks = [X] + [X.multiply((groups == g)[:, None]) for g in range(n_groups)]
    out = sparse.hstack(blocks, format="csr")
    out.eliminate_zeros()
    return int32_indices(out)


def conjoin_types(X: Any, type_pairs: Sequence[str], known: Sequence[str]) -> sparse.csr_matrix:
    """:func:`conjoin` with one group per entity-type pair of ``known`` (``"Chemical|Gene"``); a row
    whose pair is not known (none training saw) gets only the shared block. Training and prediction
    build the typer's input with it."""
    index = {t: g for g, t in enumerate(known)}
    return conjoin(X, [index.get(t, -1) for t in type_pairs], len(known))


def fit_calibrator(scores: np.ndarray, correct: np.ndarray) -> Calibrator:
    """Isotonic regression of ``correct`` (0/1) on ``scores``."""
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(scores, correct.astype(float))
    return Calibrator(x=np.asarray(iso.X_thresholds_, dtype=float), y=np.asarray(iso.y_thresholds_, dtype=float))


@dataclass
class SentenceHead:
    """Does one sentence state the pair's relation? Scores every sentence that holds both concepts.

    Trained by distant supervision (a sentence holding both concepts of a related pair is
    positive, of an unrelated pair negative) on the words between and around the two mentions,
    and calibrated on out-of-fold scores. It picks a relation's evidence: ``threshold``: the
    sentences at or above it state the relation (the best one stands in when none does).
    """

    vectorizer: DictVectorizer
    classifier: Any
    threshold: float
    calibrator: Calibrator | None = None

    def scores(self, feats: list[dict[str, float]]) -> np.ndarray:
        if not feats:
            return np.zeros(0)
        raw = positive_scores(self.classifier, vectorize(self.vectorizer, feats))
        return self.calibrator(raw) if self.calibrator is not None else raw


def positive_scores(classifier: Any, X: Any) -> np.ndarray:
    return classifier.predict_proba(X)[:, list(classifier.classes_).index(1)]


def dense_columns(X: Any, columns: np.ndarray) -> np.ndarray:
    """The ``columns`` of the sparse rows ``X`` as the dense float32 array a :class:`TreeBlend`'s trees read,
    in training and prediction alike."""
    return X[:, columns].toarray().astype(np.float32)


@dataclass
class TreeBlend:
    """A detector whose probability is ``weight`` x gradient-boosted trees' + (1 - ``weight``) x the linear model's.

    The trees read the ``columns`` of the pair features that enough training pairs have (dense), where they
    learn what a linear model cannot: conjunctions ("a trigger between them" *and* "both in the title").
    Measured when it was built (2026-12-04, five-fold CV on the training split, trees alone / linear alone /
    half and half): CID 0.6345 / 0.6170 / 0.6359, BioRED pair 0.7417 / 0.7359 / 0.7450; BC5CDR dev with gold
    entities, trained on the training split: 0.618 / 0.620 / 0.633. Training picks ``weight`` by CV
    (:func:`kg.train.re.train_re`). ``X`` is sparse, as :func:`vectorize` gives it.
    """

    linear: Any
    trees: Any  # HistGradientBoostingClassifier fitted on X[:, columns] as a dense array, labels 0/1
    columns: np.ndarray
    weight: float
    classes_: np.ndarray = field(default_factory=lambda: np.array([0, 1]))

    def predict_proba(self, X: Any) -> np.ndarray:
        p = (self.weight * positive_scores(self.trees, dense_columns(X, self.columns))
             + (1 - self.weight) * positive_scores(self.linear, X))
        return np.column_stack([1 - p, p])


@dataclass
class Head:
    """Vectoriser, classifier and decision threshold of one task.

    ``most_specific``: BC5CDR relates a chemical to the most specific disease the abstract
    names, so a relation to a broader disease is dropped when one to a narrower disease under it
    is kept (training turns it on where cross-validation says it pays).
    ``threshold`` applies to the raw score; the score a relation
    carries is calibrated: ``calibrator`` maps the raw score to the probability that the pair is
    related, ``typed_calibrator`` (heads with a typer) maps raw score x typer probability to the
    probability that the pair is related *with the predicted type*; ``end_to_end`` maps that
    probability, fitted on gold entities, to the one for the pipeline's own entities (applied unless
    the relations are predicted between gold entities). ``detector_columns``: the
    columns of the pair features the classifier reads, all but the context features
    (:data:`~kg.relate.features.CONTEXT_FEATURES`) where training found they do not pay for it;
    the typer reads every column.
    """

    vectorizer: DictVectorizer
    classifier: Any  # binary LogisticRegression or TreeBlend: is the pair related?
    threshold: float
    typer: Any = None  # which type, for related pairs (None: the head has one type)
    most_specific: bool = False  # drop (a, b) when (a, b') is kept and b' is narrower in MeSH
    sentences: SentenceHead | None = None
    calibrator: Calibrator | None = None
    typed_calibrator: Calibrator | None = None
    typer_pairs: tuple[str, ...] = ()  # the typer reads features conjoined with these entity-type pairs
    detector_columns: np.ndarray | None = None  # the columns of X the classifier reads (None: all)
    end_to_end: EndToEndCalibration | None = None  # the score recalibrated for predicted entities

    def scores(self, X: Any) -> np.ndarray:
        return positive_scores(self.classifier, X if self.detector_columns is None else X[:, self.detector_columns])

    def typer_input(self, X: Any, type_pairs: Sequence[str]) -> Any:
        """What the typer reads for rows ``X`` of pairs of these entity types (``"Chemical|Gene"``)."""
        return conjoin_types(X, type_pairs, self.typer_pairs) if self.typer_pairs else X


def sentence_rows(view: DocView, pairs: Sequence[tuple[str, str]]) -> tuple[list[tuple[int, int]], list[dict[str, float]]]:
    """(pair index, sentence index) and sentence-scorer features of every sentence holding both concepts of a pair."""
    keys, feats = [], []
    for k, (a, b) in enumerate(pairs):
        for i, m1, m2 in sentence_pairs(view, a, b):
            keys.append((k, i))
            feats.append(sentence_scorer_features(view, a, b, i, m1, m2))
    return keys, feats


def featurize(
    view: DocView, pairs: Sequence[tuple[str, str]], priors: Priors, exclude: dict[str, Counter] | None = None
) -> list[dict[str, float]]:
    """Features of each candidate pair: its own and the training priors.

    The sentence scorer's scores are not among them: summed up per pair (best score, number
    of stating sentences) they added nothing in cross-validation on either corpus, since the
    pair features already read every shared sentence.
    """
    feats = []
    for a, b in pairs:
        f = pair_features(view, a, b)
        f.update(priors.features(a, b, exclude))
        feats.append(f)
    return feats


def most_specific(views: Sequence[DocView], pairs: Sequence[tuple[int, tuple[str, str]]], keep: Sequence[int]
                  ) -> list[int]:
    """``keep`` without the pairs ``(n, (a, b))`` for which some kept ``(n, (a, c))`` has ``c`` under ``b`` in MeSH."""
    kept: dict[tuple[int, str], list[str]] = {}
    for i in keep:
        n, (a, b) = pairs[i]
        kept.setdefault((n, a), []).append(b)
    out = []
    for i in keep:
        n, (a, b) = pairs[i]
        view = views[n]
        if not any(c != b and is_below(view.tree(c), view.tree(b)) for c in kept[(n, a)]):
            out.append(i)
    return out


def likelier_claims(relations: list[Relation]) -> list[Relation]:
    """``relations`` of one document, where two heads make :data:`CONTRADICTORY` claims about one pair,
    with only the likelier of them (both on a tie).

    Both scores are calibrated probabilities of their own claim. Measured on the dev splits (2026-12-03),
    end to end: on BC5CDR 31 of 110 such CID relations went, 25 of them wrong (CID F1 0.482 -> 0.484); on
    BioRED 2 of 7 Negative_Correlation relations went, both wrong (pair + type 0.3762 -> 0.3766).
    """
    rival = dict(zip(CONTRADICTORY, reversed(CONTRADICTORY)))
    scores = {((r.task, r.type), frozenset((r.subject, r.object))): r.score
              for r in relations if (r.task, r.type) in rival}

    def beaten(r: Relation) -> bool:
        claim = (r.task, r.type)
        return claim in rival and scores.get((rival[claim], frozenset((r.subject, r.object))), -1.0) > r.score

    return [r for r in relations if not beaten(r)]


@dataclass
class RelationModel:
    heads: dict[str, Head]
    priors: dict[str, Priors]
    novelty: Head | None = None
    trees: MeshTrees | dict[str, tuple[str, ...]] = field(default_factory=dict)  # MeSH tree numbers
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return str(self.metadata.get("version", FORMAT_VERSION))

    def stale_calibrations(self, chain: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
        """Per head calibrated end to end with another chain than ``chain`` (:func:`chain_of`), the components
        that differ: its scores measured another NER's or linker's errors. A calibration that does not record
        its chain is not judged."""
        running = dict(chain)
        out = {}
        for task, head in self.heads.items():
            fitted = dict(head.end_to_end.fitted_with) if head.end_to_end is not None else {}
            if fitted and (differ := sorted(n for n in fitted.keys() | running.keys()
                                            if fitted.get(n) != running.get(n))):
                out[task] = differ
        return out

    def predict(self, doc: AnnotatedDoc, tasks: Sequence[str] | None = None) -> list[Relation]:
        """Relations among the document's linked mentions, best first within each task."""
        return self.predict_many([doc], tasks)[0]

    def predict_many(self, docs: Sequence[AnnotatedDoc], tasks: Sequence[str] | None = None, *,
                     gold_entities: bool = False) -> list[list[Relation]]:
        """:meth:`predict` for each document, with one vectoriser and classifier call per head (and
        one per sentence scorer) for all of them. ``gold_entities``: the documents' mentions are a
        corpus's gold ones, so a head's end-to-end calibration (:class:`EndToEndCalibration`) is not applied."""
        return self.predict_views([document_view(doc, self.trees) for doc in docs], tasks, gold_entities=gold_entities)

    def predict_views(self, views: Sequence[DocView], tasks: Sequence[str] | None = None, *,
                      gold_entities: bool = False) -> list[list[Relation]]:
        """:meth:`predict_many` on documents already grouped by concept (:func:`document_view`)."""
        out: list[list[Relation]] = [[] for _ in views]
        for task in tasks or TASKS:
            head = self.heads.get(task)
            if head is None:
                raise ModelError(Errors.E414, task=task, heads=sorted(self.heads))
            pairs: list[tuple[int, tuple[str, str]]] = []
            feats: list[dict[str, float]] = []
            for n, view in enumerate(views):
                doc_pairs = candidate_pairs(view, task)
                pairs += [(n, p) for p in doc_pairs]
                feats += featurize(view, doc_pairs, self.priors[task])
            if not pairs:
                continue
            X = vectorize(head.vectorizer, feats)
            scores = head.scores(X)
            keep = [i for i in range(len(pairs)) if scores[i] >= head.threshold]
            if head.most_specific:
                keep = most_specific(views, pairs, keep)
            if not keep:
                continue
            novelty = self._novelty(X[keep]) if task == "biored" else None
            kept = [pairs[i] for i in keep]
            type_pairs = [entity_types(views[n], a, b) for n, (a, b) in kept]
            types, edge_scores = self._types_and_scores(head, head.typer_input(X[keep], type_pairs), scores[keep])
            if head.end_to_end is not None and not gold_entities:
                edge_scores = head.end_to_end(edge_scores)
            evidence = self._evidence(head, views, kept)
            for k, (n, (a, b)) in enumerate(kept):
                out[n].append(
                    Relation(
                        subject=a,
                        object=b,
                        type=types[k],
                        score=round(float(edge_scores[k]), 4),
                        novelty=None if novelty is None else novelty[k],
                        supports=evidence[k],
                        task=task,
                        model_version=self.version,
                    )
                )
        out = [likelier_claims(relations) for relations in out]
        for relations in out:
            relations.sort(key=lambda p: (TASKS.index(p.task) if p.task in TASKS else 9, -p.score, p.subject, p.object))
        return out

    @staticmethod
    def _evidence(head: Head, views: Sequence[DocView], kept: Sequence[tuple[int, tuple[str, str]]]
                  ) -> list[tuple[Support, ...]]:
        """The supports of each kept pair: its sentences that state the relation, scored in one
        call for the whole batch (every shared sentence when the head has no sentence scorer)."""
        if head.sentences is None:
            return [tuple(supports(views[n], a, b)) for n, (a, b) in kept]
        keys: list[tuple[int, int]] = []
        feats: list[dict[str, float]] = []
        for k, (n, pair) in enumerate(kept):
            rows, f = sentence_rows(views[n], [pair])
            keys += [(k, i) for _, i in rows]
            feats += f
        scores: list[dict[int, float]] = [{} for _ in kept]
        for (k, i), s in zip(keys, head.sentences.scores(feats), strict=True):
            scores[k][i] = float(s)
        return [tuple(supports(views[n], a, b, scores[k], head.sentences.threshold))
                for k, (n, (a, b)) in enumerate(kept)]

    @staticmethod
    def _types_and_scores(head: Head, X: Any, raw: np.ndarray) -> tuple[list[str], np.ndarray]:
        """The predicted type of each kept pair and its calibrated score (see :class:`Head`); ``X``
        is what the typer reads (:meth:`Head.typer_input`)."""
        if head.typer is None:
            return ["CID"] * len(raw), head.calibrator(raw) if head.calibrator is not None else raw
        proba = head.typer.predict_proba(X)
        classes = np.asarray(head.typer.classes_, dtype=object)
        best = proba.argmax(axis=1)
        types = [str(t) for t in classes[best]]
        if head.typed_calibrator is not None:
            return types, head.typed_calibrator(raw * proba[np.arange(len(best)), best])
        return types, raw

    def _novelty(self, X: Any) -> list[str] | None:
        if self.novelty is None:
            return None
        proba = self.novelty.classifier.predict_proba(X)
        classes = list(self.novelty.classifier.classes_)
        novel = proba[:, classes.index("Novel")]
        return ["Novel" if p >= self.novelty.threshold else "No" for p in novel]

    def save(self, path: str | Path) -> Path:
        """Write ``model.joblib`` into the directory ``path`` (created if missing)."""
        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / MODEL_FILE
        with atomic_file(target) as fh:
            joblib.dump({"format": FORMAT_VERSION, "model": self}, fh, compress=3)
        return target

    @classmethod
    def load(cls, path: str | Path) -> RelationModel:
        """From a model directory (``models/re-cpu``) or the ``model.joblib`` file itself."""
        p = Path(path)
        if p.is_dir():
            p = p / MODEL_FILE
        if not p.exists():
            raise ModelError(Errors.E411, path=p)
        try:
            data = p.read_bytes()  # read once: loaded, and hashed for the version
            payload = joblib.load(io.BytesIO(data))
        except Exception as exc:  # joblib/pickle raise many unrelated types for a bad file
            raise ModelError(Errors.E412, path=p, error=f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(payload, dict) or payload.get("format") != FORMAT_VERSION or not isinstance(
            payload.get("model"), cls
        ):
            raise ModelError(Errors.E413, path=p, format=FORMAT_VERSION)
        model = payload["model"]
        # the file's own hash: a retrained or edited model (weights, thresholds) is another version, so the
        # pipeline fingerprint changes and the ledger redoes every document with it
        model.metadata = {**model.metadata, "version": f"{FORMAT_VERSION}+{hashlib.sha256(data).hexdigest()[:12]}"}
        return model


class RelationExtractor:
    """The pipeline component: fills each document's ``relations`` with the model's predictions.

    ``tasks``: which heads run (``"cid"``, ``"biored"``); all by default. ``gold_entities``: the
    documents' mentions are a corpus's gold ones (evaluation of the relation model alone).
    """

    name = "relations"

    def __init__(self, model: RelationModel, tasks: Sequence[str] | None = None, *, gold_entities: bool = False) -> None:
        self.model = model
        self.tasks = tuple(tasks) if tasks else TASKS
        self.gold_entities = gold_entities
        self.version = model.version

    @property
    def settings(self) -> dict[str, object]:
        return {"tasks": list(self.tasks), "nested_mentions": "left out (kg.models.outermost)",
                "contradictory_claims": "the likelier kept (kg.relate.model.likelier_claims)"}

    def pipe(self, docs: Iterable[AnnotatedDoc], batch_size: int = 256) -> Iterator[AnnotatedDoc]:
        for batch in batched(docs, batch_size):
            relations_of = self.model.predict_many(batch, self.tasks, gold_entities=self.gold_entities)
            for doc, relations in zip(batch, relations_of, strict=True):
                doc.relations = tuple(relations)
            yield from batch
