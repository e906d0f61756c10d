"""Candidate generation over the concept store: exact, normalised, abbreviation, then TF-IDF.

Tiers, first hit wins (scispaCy's design, with the string tiers in front because they are
both faster and more precise than vectors):

1. exact name (case-insensitive), score 1.0;
2. normalised name (punctuation, plural -s, stop words and word order ignored: the
   lexicon's :func:`~kg.vocab.lexicon.normalise`), score 0.95;
3. abbreviation: a mention that is a short form defined in its document ("... puromycin
   aminonucleoside (PAN) ...", found by the text analysis) is linked through its long form,
   score x 0.98;
4. character 3-gram TF-IDF nearest names by exact sparse cosine search (scikit-learn; no ANN
   library needed at ~250k names), score = 0.9 x cosine.

Where several concepts share a name, names learned from training-corpus gold mentions rank
first by how often annotators chose each concept, then MeSH before other vocabularies. Only
concepts of the mention's type are candidates (untyped MeSH descriptors count as chemical:
the CSV has no tree numbers, and its non-disease descriptors are mostly chemicals and drugs),
and a top score under ``threshold`` (tuned on the dev sets) makes the mention NIL.

The index (dicts and a sparse matrix) is pickled in the cache folder keyed by the
store's version, so only the first linker after ``medkg ontology build`` pays for building it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from kg.cache import cached_pickle
from kg.config import Settings
from kg.doc import AnnotatedDoc, batched
from kg.models import Candidate, Concept, Mention
from kg.vocab.conceptstore import ConceptStore
from kg.vocab.lexicon import normalise

INDEX_VERSION = "tfidf-v2"
# Which concept types a mention of each type may link to (None: an untyped MeSH descriptor).
ELIGIBLE: dict[str, frozenset[str | None]] = {
    "Chemical": frozenset({"Chemical", None}),
    "Disease": frozenset({"Disease", "Finding"}),
    "Finding": frozenset({"Finding", "Disease"}),
    "Gene": frozenset({"Gene"}),
    "Species": frozenset({"Species"}),
    "CellLine": frozenset({"CellLine"}),
    "Variant": frozenset({"Variant"}),
}
EXACT, NORMALISED, ABBREVIATION, TFIDF, VARIANT = 1.0, 0.95, 0.98, 0.9, 0.97
DEFAULT_THRESHOLD = 0.7
MAX_CANDIDATES = 5
NEIGHBOURS = 20
QUERY_BATCH = 512
MEMO_SIZE = 100_000
CONCEPT_CACHE_SIZE = 50_000


@dataclass
class _Group:
    """The TF-IDF rows of one eligible-type set: name strings and the concepts each names."""

    matrix: sparse.csr_matrix
    names: list[str]
    concepts: list[tuple[int, ...]]  # row -> indexes into LinkerIndex.ids


@dataclass
class LinkerIndex:
    """Plain data, picklable; ``readings[key]`` lists ``(concept index, gold count, is_mesh)``."""

    store_version: str
    ids: list[str]
    types: list[str | None]
    labels: list[str]  # preferred name of each concept
    exact: dict[str, list[tuple[int, int, bool]]]
    normalised: dict[str, list[tuple[int, int, bool]]]
    vectorizer: TfidfVectorizer
    groups: dict[frozenset, _Group]


def _linkable(cid: str, type_: str | None) -> bool:
    return type_ is not None or cid.startswith("MESH:")


def build_index(store: ConceptStore) -> LinkerIndex:
    """All linkable names of the store, keyed three ways (exact, normalised, TF-IDF rows)."""
    ids: list[str] = []
    types: list[str | None] = []
    pos: dict[str, int] = {}
    support: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for cid, type_, name, _source, count in store.iter_names():
        if not _linkable(cid, type_) or not name.strip():
            continue
        if cid not in pos:
            pos[cid] = len(ids)
            ids.append(cid)
            types.append(type_)
        support[name.lower()][pos[cid]] += count
    exact: dict[str, list[tuple[int, int, bool]]] = {}
    normalised: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for lower, by_concept in support.items():
        exact[lower] = [(i, n, ids[i].startswith("MESH:")) for i, n in by_concept.items()]
        key = normalise(lower)
        if key:
            for i, n in by_concept.items():
                normalised[key][i] += n
    norm = {k: [(i, n, ids[i].startswith("MESH:")) for i, n in v.items()] for k, v in normalised.items()}

    names = sorted(support)
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), sublinear_tf=True, dtype=np.float32)
    matrix = vectorizer.fit_transform(names).tocsr()
    groups = {}
    for eligible in set(ELIGIBLE.values()):
        rows, concepts = [], []
        for r, name in enumerate(names):
            cs = tuple(i for i in support[name] if types[i] in eligible)
            if cs:
                rows.append(r)
                concepts.append(cs)
        groups[eligible] = _Group(matrix=matrix[rows].T.tocsr(), names=[names[r] for r in rows], concepts=concepts)
    preferred = store.preferred_names()
    return LinkerIndex(store.version, ids, types, [preferred.get(i, "") for i in ids], exact, norm, vectorizer, groups)


def load_index(store: ConceptStore, cache_dir: Path) -> LinkerIndex:
    """The cached index for this store version, or a freshly built (and cached) one."""
    cache = Path(cache_dir) / f"{INDEX_VERSION}-{store.version}.pkl"
    return cached_pickle(
        cache,
        lambda cached: isinstance(cached, LinkerIndex) and cached.store_version == store.version,
        lambda: build_index(store),
    )


class TfidfLinker:
    """The Linker over a :class:`ConceptStore`; ``version`` changes with the store and the index format.

    As a pipeline component it fills each mention's ``candidates`` (a mention that already has
    some keeps them) and the document's ``concepts`` (the Concept record of every linked id).
    """

    name = "tfidf"

    def __init__(
        self,
        store: ConceptStore,
        *,
        cache_dir: Path | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        index: LinkerIndex | None = None,
    ) -> None:
        self.store = store
        self.threshold = threshold
        self.index = index or (load_index(store, cache_dir) if cache_dir else build_index(store))
        self.version = f"{INDEX_VERSION}-{store.version}"
        self._memo: dict[tuple[str, str], list[tuple[int, float]]] = {}
        self._concepts: dict[str, Concept | None] = {}

    @classmethod
    def open(cls, settings: Settings, **kwargs) -> TfidfLinker:
        """The linker over the built concept store, its index cached next to it."""
        return cls(ConceptStore.open(settings), cache_dir=Path(settings.cache_path), **kwargs)

    @property
    def settings(self) -> dict[str, object]:
        return {"threshold": self.threshold, "exact": EXACT, "normalised": NORMALISED, "abbreviation": ABBREVIATION,
                "tfidf": TFIDF, "variant": VARIANT, "max_candidates": MAX_CANDIDATES, "neighbours": NEIGHBOURS}

    # -- component ----------------------------------------------------------------------------
    def pipe(self, docs: Iterable[AnnotatedDoc], batch_size: int = 256) -> Iterator[AnnotatedDoc]:
        for batch in batched(docs, batch_size):
            self._link_batch(batch)
            yield from batch

    def concepts(self, ids: Iterable[str]) -> dict[str, Concept]:
        """Concept records (with synonyms and xrefs) of ``ids``; ids the store does not know are left out.

        Remembered per process: a corpus mentions the same few thousand concepts again and again.
        """
        ids = list(dict.fromkeys(ids))
        missing = [i for i in ids if i not in self._concepts]
        if missing:
            if len(self._concepts) + len(missing) > CONCEPT_CACHE_SIZE:
                self._concepts.clear()
            found = self.store.get_many(missing, default_type="Chemical")
            for cid in missing:
                self._concepts[cid] = found.get(cid)
        return {cid: c for cid in ids if (c := self._concepts.get(cid)) is not None}

    # -- candidate generation -----------------------------------------------------------------
    def candidates(self, texts: Sequence[tuple[str, str]]) -> list[tuple[Candidate, ...]]:
        """Ranked candidates for ``(text, type)`` pairs; an empty tuple is NIL.

        Abstracts repeat their entities, so each distinct (lowercased text, type) is looked up
        once and remembered (up to ``MEMO_SIZE`` of them) across calls.
        """
        keys = [(text.lower().strip(), type_) for text, type_ in texts]
        pending: dict[frozenset, list[tuple[str, str]]] = defaultdict(list)
        for key in dict.fromkeys(keys):
            if key in self._memo:
                continue
            found = self._string_match(*key)
            if found is None and key[1] in ELIGIBLE:
                pending[ELIGIBLE[key[1]]].append(key)
            else:
                self._remember(key, found or [])
        for eligible, group in pending.items():
            for key, found in zip(group, self._nearest([k[0] for k in group], eligible), strict=True):
                self._remember(key, found)
        return [self._candidates(self._memo[key]) for key in keys]

    def _remember(self, key: tuple[str, str], found: list[tuple[int, float]]) -> None:
        if len(self._memo) >= MEMO_SIZE:
            self._memo.clear()
        self._memo[key] = found

    def _string_match(self, text: str, type_: str) -> list[tuple[int, float]] | None:
        """Exact then normalised, over the text and its variants; a MeSH reading beats any other.

        A hit on another vocabulary only ("anaemia" is an HPO synonym) is kept as the
        fallback while the variants ("anemia") get their chance to reach MeSH.
        """
        eligible = ELIGIBLE.get(type_)
        if eligible is None:
            return []
        fallback = None
        variants = _variants(text, type_)
        for table, base, keyer in ((self.index.exact, EXACT, str), (self.index.normalised, NORMALISED, normalise)):
            for k, variant in enumerate(variants):
                readings = [r for r in table.get(keyer(variant), ()) if self.index.types[r[0]] in eligible]
                if not readings:
                    continue
                ranked = _ranked(readings, base * (VARIANT if k else 1.0))
                if any(r[2] for r in readings):
                    return ranked
                fallback = fallback or ranked
        return fallback

    def _nearest(self, texts: list[str], eligible: frozenset) -> list[list[tuple[int, float]]]:
        group = self.index.groups[eligible]
        out: list[list[tuple[int, float]]] = []
        for start in range(0, len(texts), QUERY_BATCH):
            queries = self.index.vectorizer.transform([t.lower() for t in texts[start : start + QUERY_BATCH]])
            sims = (queries @ group.matrix).tocsr()
            for row in range(sims.shape[0]):
                lo, hi = sims.indptr[row], sims.indptr[row + 1]
                cols, vals = sims.indices[lo:hi], sims.data[lo:hi]
                top = np.arange(len(vals))
                if len(vals) > NEIGHBOURS:
                    top = np.argpartition(-vals, NEIGHBOURS)[:NEIGHBOURS]
                top = top[np.argsort(-vals[top], kind="stable")]
                best: dict[int, float] = {}
                for j in top:
                    for i in group.concepts[cols[j]]:
                        best.setdefault(i, float(vals[j]) * TFIDF)
                out.append(sorted(best.items(), key=lambda x: (-x[1], self.index.ids[x[0]]))[:MAX_CANDIDATES])
        return out

    def _candidates(self, scored: list[tuple[int, float]]) -> tuple[Candidate, ...]:
        if not scored or scored[0][1] < self.threshold:
            return ()
        out = []
        for i, score in scored[:MAX_CANDIDATES]:
            cid = self.index.ids[i]
            out.append(Candidate(concept_id=cid, score=round(min(score, 1.0), 4), name=self.index.labels[i] or None))
        return tuple(out)

    # -- documents ----------------------------------------------------------------------------
    def _link_batch(self, docs: list[AnnotatedDoc]) -> None:
        """A short form is linked through its long form; if that finds nothing, as itself
        (the long form may be a chemical name no vocabulary here spells out, "AZT" not)."""
        queries: list[tuple[str, str]] = []
        where: list[tuple[int, int, bool]] = []  # (document, mention, long form queried first)
        for n, doc in enumerate(docs):
            short_forms = doc.short_forms()
            for k, m in enumerate(doc.mentions):
                if m.candidates:
                    continue
                long = short_forms.get(m.text.strip())
                if long is not None:
                    queries.append((long, m.label))
                queries.append((m.text, m.label))
                where.append((n, k, long is not None))
        found = iter(self.candidates(queries))
        updated: dict[tuple[int, int], tuple[Candidate, ...]] = {}
        for n, k, via_long in where:
            cands = next(found)
            if via_long:
                own = next(found)
                if cands:
                    cands = tuple(c.model_copy(update={"score": round(c.score * ABBREVIATION, 4)}) for c in cands)
                else:
                    cands = own
            updated[(n, k)] = cands
        for n, doc in enumerate(docs):
            mentions: list[Mention] = [
                m.model_copy(update={"candidates": updated[(n, k)]}) if (n, k) in updated else m
                for k, m in enumerate(doc.mentions)
            ]
            doc.mentions = tuple(mentions)
            doc.concepts = self.concepts(m.concept_id for m in mentions if m.concept_id)


_INDUCED = re.compile(r"^.+?[- ](?:induced|associated|related|mediated|evoked|provoked|dependent)\s+(.+)$")
_BRITISH = (
    ("aemia", "emia"), ("haem", "hem"), ("oedema", "edema"), ("oea", "ea"), ("aesthe", "esthe"), ("tumour", "tumor")
)


def _variants(text: str, type_: str) -> list[str]:
    """The text, its American spelling, and for diseases the part after "X-induced"/"X-associated".

    BC5CDR and NCBI-disease annotate "levodopa-induced dyskinesia" with the dyskinesia's id,
    and MeSH has no concept for most such compounds.
    """
    out = [text]
    american = text
    for gb, us in _BRITISH:
        american = american.replace(gb, us)
    out.append(american)
    if type_ in ("Disease", "Finding"):
        for t in (text, american):
            if m := _INDUCED.match(t):
                out.append(m.group(1))
    return list(dict.fromkeys(out))


def _ranked(readings: list[tuple[int, int, bool]], base: float) -> list[tuple[int, float]]:
    """Gold support first, MeSH before other vocabularies; the top keeps ``base``, others scale with support."""
    readings = sorted(readings, key=lambda r: (-r[1], not r[2], r[0]))
    top = readings[0][1] + 1
    return [(i, base * (0.5 + 0.5 * min(1.0, (n + 1) / top)) if k else base) for k, (i, n, _) in enumerate(readings)]
