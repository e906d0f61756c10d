"""The CPU relation model: logistic regression over the pair features of :mod:`kg.relate.features`.

Two heads because the two corpora answer different questions about the same kind of pair:

- ``cid``: is chemical C said to induce disease D (BC5CDR)? Binary.
- ``biored``: does one of BioRED's eight relation types hold between two concepts, and which?
  A binary detector decides *whether* (its probability is the score); a typer trained on the
  related pairs only decides *which* type, and a third classifier whether the relation is the
  paper's novel finding or background knowledge (``Novel``/``No``). Splitting detection from
  typing lets the typer see only related pairs, which types them better than one classifier
  with a "none" class.

Thresholds are chosen by cross-validation on the training split (not on dev), so dev scores
stay an honest estimate. The file is a joblib pickle: load only models you trust.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.feature_extraction import DictVectorizer

from kg.doc import AnnotatedDoc, batched
from kg.errors import Errors, ModelError
from kg.models import Relation
from kg.relate.features import DocView, Priors, candidate_pairs, document_view, pair_features, supports

TASKS: tuple[str, ...] = ("cid", "biored")
FORMAT_VERSION = "re-cpu-1"
MODEL_FILE = "model.joblib"


@dataclass
class Head:
    """Vectoriser, classifier and decision threshold of one task.

    ``at_least_one``: a document whose pairs all score under the threshold still gets its best
    pair (the corpora were sampled for abstracts that state relations; cross-validation decides
    whether the rule pays).
    """

    vectorizer: DictVectorizer
    classifier: Any  # binary LogisticRegression: is the pair related?
    threshold: float
    at_least_one: bool = False
    typer: Any = None  # which type, for related pairs (None: the head has one type)

    def scores(self, X: Any) -> np.ndarray:
        return self.classifier.predict_proba(X)[:, list(self.classifier.classes_).index(1)]


def featurize(
    view: DocView, task: str, priors: Priors, exclude: dict[str, Counter] | None = None
) -> tuple[list[tuple[str, str]], list[dict[str, float]]]:
    """Candidate pairs of ``task`` in the document and their features, priors included."""
    pairs = candidate_pairs(view, task)
    feats = []
    for a, b in pairs:
        f = pair_features(view, a, b)
        f.update(priors.features(a, b, exclude))
        feats.append(f)
    return pairs, feats


@dataclass
class RelationModel:
    heads: dict[str, Head]
    priors: dict[str, Priors]
    novelty: Head | None = None
    trees: dict[str, tuple[str, ...]] = field(default_factory=dict)  # MeSH disease tree numbers
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return str(self.metadata.get("version", FORMAT_VERSION))

    def predict(self, doc: AnnotatedDoc, tasks: Sequence[str] | None = None) -> list[Relation]:
        """Relations among the document's linked mentions, best first within each task."""
        return self.predict_many([doc], tasks)[0]

    def predict_many(self, docs: Sequence[AnnotatedDoc], tasks: Sequence[str] | None = None) -> list[list[Relation]]:
        """:meth:`predict` for each document, with one vectoriser and classifier call per head for all of them."""
        views = [document_view(doc, self.trees) for doc in docs]
        out: list[list[Relation]] = [[] for _ in docs]
        for task in tasks or TASKS:
            head = self.heads.get(task)
            if head is None:
                raise ModelError(Errors.E414, task=task, heads=sorted(self.heads))
            pairs: list[tuple[int, tuple[str, str]]] = []
            feats: list[dict[str, float]] = []
            for n, view in enumerate(views):
                doc_pairs, doc_feats = featurize(view, task, self.priors[task])
                pairs += [(n, p) for p in doc_pairs]
                feats += doc_feats
            if not pairs:
                continue
            X = head.vectorizer.transform(feats)
            scores = head.scores(X)
            by_doc: dict[int, list[int]] = defaultdict(list)
            for i, (owner, _) in enumerate(pairs):
                by_doc[owner].append(i)
            keep = []
            for rows in by_doc.values():
                chosen = [i for i in rows if scores[i] >= head.threshold]
                if not chosen and head.at_least_one:
                    chosen = [max(rows, key=lambda i: (scores[i], -i))]  # the first best, as argmax
                keep += chosen
            if not keep:
                continue
            novelty = self._novelty(X[keep]) if task == "biored" else None
            types = head.typer.predict(X[keep]) if head.typer is not None else ["CID"] * len(keep)
            for k, (i, rtype) in enumerate(zip(keep, types)):
                n, (a, b) = pairs[i]
                out[n].append(
                    Relation(
                        subject=a,
                        object=b,
                        type=str(rtype),
                        score=round(float(scores[i]), 4),
                        novelty=None if novelty is None else novelty[k],
                        supports=tuple(supports(views[n], a, b)),
                        task=task,
                        model_version=self.version,
                    )
                )
        for relations in out:
            relations.sort(key=lambda p: (TASKS.index(p.task) if p.task in TASKS else 9, -p.score, p.subject, p.object))
        return out

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
        tmp = target.with_suffix(".tmp")
        joblib.dump({"format": FORMAT_VERSION, "model": self}, tmp, compress=3)
        tmp.replace(target)
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
            payload = joblib.load(p)
        except Exception as exc:  # joblib/pickle raise many unrelated types for a bad file
            raise ModelError(Errors.E412, path=p, error=f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(payload, dict) or payload.get("format") != FORMAT_VERSION or not isinstance(
            payload.get("model"), cls
        ):
            raise ModelError(Errors.E413, path=p, format=FORMAT_VERSION)
        return payload["model"]


class RelationExtractor:
    """The pipeline component: fills each document's ``relations`` with the model's predictions.

    ``tasks``: which heads run (``"cid"``, ``"biored"``); all by default.
    """

    name = "relations"

    def __init__(self, model: RelationModel, tasks: Sequence[str] | None = None) -> None:
        self.model = model
        self.tasks = tuple(tasks) if tasks else TASKS
        self.version = model.version

    @property
    def settings(self) -> dict[str, object]:
        return {"tasks": list(self.tasks)}

    def pipe(self, docs: Iterable[AnnotatedDoc], batch_size: int = 256) -> Iterator[AnnotatedDoc]:
        for batch in batched(docs, batch_size):
            for doc, relations in zip(batch, self.model.predict_many(batch, self.tasks), strict=True):
                doc.relations = tuple(relations)
            yield from batch
