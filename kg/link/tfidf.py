"""Candidate generation over the concept store: exact, normalised, abbreviation, then TF-IDF.

Tiers, first hit wins (scispaCy's design, with the string tiers in front because they are
both faster and more precise than vectors):

1. exact name (case-insensitive), score 1.0;
2. normalised name (punctuation, plural -s or -es, stop words and word order ignored: the
   lexicon's :func:`~kg.vocab.lexicon.normalise`), score 0.95; for chemicals then the name with
   nothing but its letters and digits, and with its leading locants left out (:func:`compact_keys`:
   "N-acetyl serotonin" is N-acetylserotonin, "tri-ortho-tolyl phosphate" tri-o-tolyl phosphate,
   "benzylacyclouridine" 5-benzylacyclouridine), score 0.93, where it names one concept (or one
   descriptor);
3. abbreviation: a mention that is a short form defined in its document ("... puromycin
   aminonucleoside (PAN) ...", found by the text analysis) is linked through its long form,
   score x 0.98;
4. character 3-gram TF-IDF nearest names by exact sparse cosine search (scikit-learn; no ANN
   library needed at ~250k names), score = 0.9 x cosine; a neighbour whose name puts another
   word in the place of one of the mention's ("decreased liver function" for "decreased renal
   function") is skipped.

A one-word disease mention written as an adjective is also read as its noun ("dyskinetic" dyskinesia,
"cataleptic" catalepsy, "edematous" edema: :data:`_ADJECTIVE_ENDINGS`), by the string tiers only, after
the mention as written. A chemical or disease short form its document uses without spelling it out ("women
with OAB" under a title about "overactive bladder") takes the concept of the document's mentions it
abbreviates, where they name one concept. A one-word chemical mention ending in "-ate" that names nothing is
read as its acid ("zoledronate" Zoledronic Acid), by the string tiers only. A disease mention that no tier
links takes the disease its last words name, by the string tiers, score x 0.8 (``TfidfLinker._head_match``).
A chemical written as a formula is looked up as the name it stands for, where that names a concept
(:mod:`kg.vocab.formulas`: "CaCl2" Calcium Chloride, "KCl" Potassium Chloride, "H2O2" Hydrogen Peroxide).

Where several concepts share a name, names learned from training-corpus gold mentions rank
first by how often annotators chose each concept, then MeSH before other vocabularies, then the
concept whose preferred name it is. A short form whose document spells it out as something
that links to nothing is linked as itself only where that long form shares a word with the
concept's names or the short form is a code with digits. Only
concepts of the mention's type are candidates (a MeSH descriptor's tree numbers give its type;
untyped descriptors from a file without tree numbers count as chemical, most of its
non-disease descriptors being chemicals and drugs),
and a top score under ``threshold`` (tuned on the dev sets) makes the mention NIL.

The index (dicts and a sparse matrix) is pickled in the cache folder keyed by the
store's version, so only the first linker after ``medkg ontology build`` pays for building it.
"""

from __future__ import annotations

import re
import string
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from spacy.lang.en.stop_words import STOP_WORDS

from kg.cache import cached_pickle
from kg.config import SHARED_DATA, Settings
from kg.doc import AnnotatedDoc, batched
from kg.link.coordination import coordination
from kg.models import Candidate, Concept, Mention
from kg.vocab.compact import KeyTable, StringList
from kg.vocab.conceptstore import ConceptStore
from kg.vocab.context import DocContext
from kg.vocab.formulas import VERSION as FORMULAS_VERSION
from kg.vocab.formulas import formula_names
from kg.vocab.lexicon import CATIONS
from kg.vocab.lexicon import SALT as _SALT
from kg.vocab.lexicon import normalise
from kg.vocab.normalizers import TYPES as NORMALISER_TYPES
from kg.vocab.normalizers import Normalizers, version_of
from kg.vocab.spellings import SPELLINGS, mesh_spelling

INDEX_VERSION = "tfidf-v8"
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
# Types whose names come from every vocabulary; the others only from training corpora (kg.vocab
# normalises genes, species, cell lines and variants with document context).
OPEN_TYPES = ("Chemical", "Disease", "Finding")
COORDINATED = frozenset({"Disease", "Gene"})  # types whose coordinations are spelled out (kg.link.coordination)
TYPE_CODES: tuple[str | None, ...] = (None, "Chemical", "Disease", "Finding", "Gene", "Species", "CellLine", "Variant")
EXACT, NORMALISED, COMPACT, ABBREVIATION, TFIDF, VARIANT = 1.0, 0.95, 0.93, 0.98, 0.9, 0.97
HEAD = 0.8  # a disease mention's last words (TfidfLinker._head_match)
DEFAULT_THRESHOLD = 0.7
MAX_CANDIDATES = 5
NEIGHBOURS = 20
QUERY_BATCH = 512
MEMO_SIZE = 100_000
CONCEPT_CACHE_SIZE = 50_000


@dataclass
class _Group:
    """The TF-IDF rows of one eligible-type set; the concepts of row r are ``concepts[ptr[r]:ptr[r + 1]]``,
    its name is the index's name ``rows[r]``."""

    matrix: sparse.csr_matrix
    ptr: np.ndarray
    concepts: np.ndarray
    rows: np.ndarray


@dataclass
class LinkerIndex:
    """Plain data, picklable, compact: ~1M names in a few hundred MB (see ``benchmarks/link.py``)."""

    store_version: str
    ids: StringList
    types: np.ndarray  # int8 codes into TYPE_CODES
    labels: StringList  # preferred name of each concept
    exact: KeyTable
    normalised: KeyTable
    compact: KeyTable  # chemical names by compact_keys
    vectorizer: TfidfVectorizer
    groups: dict[frozenset, _Group]
    names: StringList  # the name of each TF-IDF row

    def type_of(self, i: int) -> str | None:
        return TYPE_CODES[self.types[i]]

    def is_mesh(self, i: int) -> bool:
        return self.ids[i].startswith("MESH:")


def _fuzzy(cid: str) -> bool:
    """Names that TF-IDF searches: all but supplementary records' (their ~600k mostly systematic
    names are matched exactly or normalised; fuzzy neighbours among them are mostly wrong)."""
    return not cid.startswith("MESH:C")


def build_index(store: ConceptStore) -> LinkerIndex:
    """All linkable names of the store, keyed three ways (exact, normalised, TF-IDF rows)."""
    pos: dict[str, int] = {}
    ids: list[str] = []
    codes: list[int] = []
    code_of = {t: k for k, t in enumerate(TYPE_CODES)}

    def index_of(cid: str, type_: str | None) -> int:
        i = pos.get(cid)
        if i is None:
            i = pos[cid] = len(ids)
            ids.append(cid)
            codes.append(code_of.get(type_, 0))
        return i

    exact: dict[str, dict[int, int]] = {}
    normalised: dict[str, dict[int, int]] = {}
    compact: dict[str, dict[int, int]] = {}
    fuzzy: dict[str, list[int]] = {}
    for lower, norm, cid, type_, count in store.linkable_names(OPEN_TYPES):
        i = index_of(cid, type_)
        by_concept = exact.setdefault(lower, {})
        by_concept[i] = by_concept.get(i, 0) + count
        if norm:
            by_concept = normalised.setdefault(norm, {})
            by_concept[i] = by_concept.get(i, 0) + count
        if type_ in ELIGIBLE["Chemical"]:
            for key in compact_keys(lower):
                by_concept = compact.setdefault(key, {})
                by_concept[i] = by_concept.get(i, 0) + count
        if _fuzzy(cid):
            readings = fuzzy.setdefault(lower, [])
            if i not in readings:
                readings.append(i)
    # "Tiapride Hydrochloride" is the descriptor papers call "tiapride": a chemical name with a salt
    # word also stands without it, where no concept has that name already. Where the salts of a
    # descriptor and of a supplementary record meet ("Glycopyrronium Bromide" of Glycopyrrolate,
    # "glycopyrronium tosylate"), the descriptor is what the bare name means.
    chemical = code_of["Chemical"]
    stripped_names: dict[str, dict[int, int]] = {}
    for lower in [k for k in exact if _NAME_SALT.search(k)]:
        stripped = _SALT.sub("", lower)
        if stripped == lower:  # a chloride or acetate: only a descriptor's name, only of a compound
            stripped = _NAME_SALT.sub("", lower)
            radical = _RADICAL.search(stripped)
            readings = {} if radical else {i: n for i, n in exact[lower].items() if not ids[i].startswith("MESH:C")}
        else:
            readings = exact[lower]
        if stripped and stripped not in exact and readings:
            into = stripped_names.setdefault(stripped, {})
            for i, n in readings.items():
                if codes[i] == chemical:
                    into[i] = into.get(i, 0) + n
    for stripped, readings in stripped_names.items():
        if descriptors := {i: n for i, n in readings.items() if not ids[i].startswith("MESH:C")}:
            exact[stripped] = descriptors
        elif readings:
            exact[stripped] = readings
    exact_table, normalised_table, compact_table = KeyTable(exact), KeyTable(normalised), KeyTable(compact)
    del exact, normalised, compact
    names = sorted(fuzzy)
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), sublinear_tf=True, dtype=np.float32)
    matrix = vectorizer.fit_transform(names).tocsr()
    types = np.array(codes, dtype=np.int8)
    # One pass over the rows: each reading goes to every group its type is eligible in.
    groups_of = [[g for g in set(ELIGIBLE.values()) if t in g] for t in TYPE_CODES]
    members: dict[frozenset, tuple[list[int], list[int], list[int]]] = {
        g: ([], [0], []) for g in set(ELIGIBLE.values())
    }
    for r, name in enumerate(names):
        touched = set()
        for i in fuzzy[name]:
            for g in groups_of[types[i]]:
                members[g][2].append(i)
                touched.add(g)
        for g in touched:
            rows, ptr, concepts = members[g]
            rows.append(r)
            ptr.append(len(concepts))
    groups = {
        g: _Group(matrix=matrix[rows].T.tocsr(), ptr=np.array(ptr, dtype=np.int64),
                  concepts=np.array(concepts, dtype=np.int32), rows=np.array(rows, dtype=np.int32))
        for g, (rows, ptr, concepts) in members.items()
    }
    preferred = store.preferred_names()
    return LinkerIndex(
        store.version, StringList(ids), types, StringList(preferred.get(i, "") for i in ids), exact_table,
        normalised_table, compact_table, vectorizer, groups, StringList(names),
    )


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
        normalizers: Normalizers | None = None,
        shared_data: Path | None = None,
    ) -> None:
        self.store = store
        self.threshold = threshold
        self.index = index or (load_index(store, cache_dir) if cache_dir else build_index(store))
        # Genes, species, variants and cell lines go to kg.vocab's normalisers (with document
        # context) when given, or when a cache folder is (loaded on the first such mention).
        self._normalizers = normalizers
        shared_data = shared_data or store.shared_data() or SHARED_DATA  # the files the store was built from
        self._vocab = (shared_data, cache_dir) if normalizers is None and cache_dir is not None else None
        vocab = normalizers.version if normalizers else version_of(shared_data) if self._vocab else None
        self.version = f"{INDEX_VERSION}-{store.version}" + (f"+vocab-{vocab}" if vocab else "")
        self._memo: dict[tuple[str, str], tuple[Candidate, ...]] = {}
        self._formula_names: dict[str, str | None] = {}  # formula -> the name it is looked up as (_key)
        self._concepts: dict[str, Concept | None] = {}

    @classmethod
    def open(cls, settings: Settings, **kwargs) -> TfidfLinker:
        """The linker over the built concept store, its index and normalisers cached next to it."""
        return cls(
            ConceptStore.open(settings), cache_dir=Path(settings.cache_path), shared_data=settings.shared_data, **kwargs
        )

    @property
    def normalizers(self) -> Normalizers | None:
        """The context normalisers, built or read from the cache on first use (about 15 s built)."""
        if self._normalizers is None and self._vocab is not None:
            self._normalizers = Normalizers.load(*self._vocab)
        return self._normalizers

    def preload(self) -> None:
        """Load the context normalisers now, not on the first gene mention (:meth:`kg.pipeline.Annotator.preload`)."""
        _ = self.normalizers

    @property
    def settings(self) -> dict[str, object]:
        return {"threshold": self.threshold, "exact": EXACT, "normalised": NORMALISED, "compact": COMPACT,
                "abbreviation": ABBREVIATION,
                "tfidf": TFIDF, "variant": VARIANT, "max_candidates": MAX_CANDIDATES, "neighbours": NEIGHBOURS,
                "coordinated": sorted(COORDINATED), "spellings": [list(pair) for pair in SPELLINGS],
                "codes": _CODE.pattern, "combining": _COMBINING.pattern, "whole_word_long_forms": True,
                "adjective_endings": [[a, list(n)] for a, n in _ADJECTIVE_ENDINGS],
                "head": HEAD, "head_generic": sorted(_HEAD_GENERIC), "formulas": FORMULAS_VERSION,
                "organ_words": {w: list(alts) for w, alts in _ORGAN_WORDS.items()}, "harms": sorted(_HARMS),
                "bracketed_index": _BRACKETED_INDEX.pattern,
                "qualifiers": sorted(_QUALIFIERS),
                "undefined_short_forms": _UNDEFINED_SHORT.pattern, "anion_acids": True,
                "bracketed_short_forms": sorted(_BRACKETED_TYPES)}

    def names_a_compound(self, text: str) -> bool:
        """Whether ``text`` (lowercase) is, exactly, a name of MeSH supplementary chemical records and
        of nothing else, none of them an enzyme or protein ("NADH oxidase" maps to oxidoreductases,
        D08): :func:`kg.extract.rules.fill_record_names` asks."""
        readings = self.index.exact.get(text)
        if not readings or not all(self.index.ids[i].startswith("MESH:C") and self.index.type_of(i) == "Chemical"
                                   for i, _ in readings):
            return False
        return not any(t.startswith(_PROTEIN_TREES) for i, _ in readings
                       for t in self.store.tree_numbers(self.index.ids[i]))

    def names_a_disease(self, text: str) -> bool:
        """Whether ``text`` (any case) is, exactly, a name of diseases and of nothing else: MeSH 2024's
        supplementary disease records too ("APRT Deficiency"), which the lexicon does not list."""
        readings = self.index.exact.get(text.lower())
        return bool(readings) and all(self.index.type_of(i) == "Disease" for i, _ in readings)

    # -- component ----------------------------------------------------------------------------
    def pipe(self, docs: Iterable[AnnotatedDoc], batch_size: int = 256) -> Iterator[AnnotatedDoc]:
        for batch in batched(docs, batch_size):
            self._link_batch(batch)
            yield from batch

    def concepts(self, ids: Iterable[str]) -> dict[str, Concept]:
        """Concept records (with synonyms and xrefs) of ``ids``; ids the store does not know are left out.

        Remembered per process: a corpus mentions the same few thousand concepts again and again.
        A variant (``tmVar:``/``dbSNP:``), which no vocabulary here lists, is its own description.
        """
        ids = list(dict.fromkeys(ids))
        missing = [i for i in ids if i not in self._concepts]
        if missing:
            if len(self._concepts) + len(missing) > CONCEPT_CACHE_SIZE:
                self._concepts.clear()  # and this call's remembered ones with it: fetched again
                missing = ids
            found = self.store.get_many(missing, default_type="Chemical")
            for cid in missing:
                concept = found.get(cid)
                if concept is None and cid.startswith(("tmVar:", "dbSNP:")):
                    concept = Concept(id=cid, name=cid.split(":", 1)[1], type="Variant", source="medkg-variants",
                                      release=self.version)
                self._concepts[cid] = concept
        return {cid: c for cid in ids if (c := self._concepts.get(cid)) is not None}

    # -- candidate generation -----------------------------------------------------------------
    def candidates(self, texts: Sequence[tuple[str, str]]) -> list[tuple[Candidate, ...]]:
        """Ranked candidates for ``(text, type)`` pairs; an empty tuple is NIL.

        Abstracts repeat their entities, so each distinct (lowercased text, type) is looked up
        once and remembered (up to ``MEMO_SIZE`` of them) across calls.
        """
        keys = [self._key(text, type_) for text, type_ in texts]
        here: dict[tuple[str, str], tuple[Candidate, ...]] = {}  # this call's, whatever the memo forgets
        pending: dict[frozenset, list[tuple[str, str]]] = defaultdict(list)
        for key in dict.fromkeys(keys):
            if key in self._memo:
                here[key] = self._memo[key]
                continue
            found = [] if key[1] in _HEADED and _only_qualifiers(key[0]) else self._string_match(*key)
            if found is None and key[1] in ELIGIBLE:
                pending[ELIGIBLE[key[1]]].append(key)
            else:
                here[key] = self._remember(key, found or [])
        for eligible, group in pending.items():
            for key, found in zip(group, self._nearest([k[0] for k in group], eligible), strict=True):
                if key[1] in _HEADED and (not found or found[0][1] < self.threshold):
                    found = self._head_match(*key) or self._organ_disease(*key) or found
                here[key] = self._remember(key, found)
        return [here[key] for key in keys]

    def _head_match(self, text: str, type_: str) -> list[tuple[int, float]] | None:
        """For a disease mention no name matches: the longest run of its last words that a name matches
        exactly or normalised as a disease (:meth:`_string_match`), score x ``HEAD``, where those words name a
        disorder (:data:`_HEAD_GENERIC`): "limbic seizures" Seizures, "stage II hypertension" Hypertension,
        "inflammatory visceral pain" Visceral Pain; not "HCV infection" Infections, nor "rotational behavior"
        the finding Behavior."""
        words = text.split()
        for k in range(1, len(words)):
            tail = " ".join(words[k:])
            if not _content_words(tail) - _HEAD_GENERIC:
                break
            if found := self._disease_named(tail, type_):
                return found
        return None

    def _organ_disease(self, text: str, type_: str) -> list[tuple[int, float]] | None:
        """For a disease mention no name matches that is an organ's harm ("renal lesions", "gastrointestinal
        toxicity", "thyroid illness"): the organ's diseases ("renal disease" Kidney Diseases); for a pathogen's
        disease, its infections ("adenovirus disease" Adenovirus Infections, "HIV disease"); score x ``HEAD``."""
        words = text.split()
        if not 2 <= len(words) <= 3 or (words[-1] not in _HARMS and words[-1] != "disease"):
            return None
        query = " ".join(words[:-1] + ["infections" if words[-1] == "disease" else "disease"])
        return self._disease_named(query, type_)

    def _disease_named(self, name: str, type_: str) -> list[tuple[int, float]] | None:
        """The diseases that ``name`` matches exactly or normalised (:meth:`_string_match`), score x ``HEAD``: what
        the last-words and organ fallbacks of a disease mention no name matches take."""
        return [(i, score * HEAD) for i, score in self._string_match(name, type_) or ()
                if self.index.type_of(i) == "Disease"] or None

    def _key(self, text: str, type_: str) -> tuple[str, str]:
        """What a mention is looked up as: its text, lowercase, or for a chemical formula the first name it
        stands for that names a concept (:func:`~kg.vocab.formulas.formula_names`: "CaCl2" calcium chloride).
        Every mention of a formula asks this, so each formula's answer is remembered (the string match depends
        on the index alone; the formulas are the tables' few)."""
        if type_ == "Chemical" and (names := formula_names(_BRACKETED_INDEX.sub(r"\1", text))):
            if text not in self._formula_names:
                self._formula_names[text] = next((n for n in names if self._string_match(n, type_)), None)
            if (name := self._formula_names[text]) is not None:
                return name, type_
        return text.lower().strip(), type_

    def _remember(self, key: tuple[str, str], found: list[tuple[int, float]]) -> tuple[Candidate, ...]:
        """The candidates of ``found``, kept for ``key`` (frozen: one tuple serves every mention of it)."""
        if len(self._memo) >= MEMO_SIZE:
            self._memo.clear()
        self._memo[key] = out = self._candidates(found)
        return out

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
                key = keyer(variant)
                # the preferred name, give or take a plural ("Eye Diseases" for "eye disease")
                named = key if keyer is normalise else normalise(variant)
                readings = [
                    (i, n, self.index.is_mesh(i), normalise(self.index.labels[i]) == named)
                    for i, n in table.get(key)
                    if self.index.type_of(i) in eligible
                ]
                if not readings:
                    continue
                ranked = _ranked(readings, base * (VARIANT if k else 1.0))
                if any(r[2] for r in readings):
                    return ranked
                fallback = fallback or ranked
        if fallback is None and type_ == "Chemical":
            found = self._compact_match(variants)
            # the anion where MeSH names only the acid ("zoledronate" is Zoledronic Acid, and so is the "zoledronate"
            # of "sodium zoledronate"); tried last, so that "nitrate" stays Nitrates and "salicylate" Salicylates
            for anion in [v for v in variants if _ONE_WORD.fullmatch(v) and v.endswith("ate")]:
                if found is not None:
                    break
                acid = self._string_match(anion[:-3] + "ic acid", type_) or ()
                found = [(i, score * VARIANT) for i, score in acid] or None
            return found
        return fallback

    def _compact_match(self, variants: list[str]) -> list[tuple[int, float]] | None:
        """The one concept (or the one MeSH descriptor) a variant's :func:`compact_keys` name."""
        for k, variant in enumerate(variants):
            for key in compact_keys(variant)[:1]:  # the mention as written: its locants say which isomer
                readings = [i for i, _ in self.index.compact.get(key)]
                descriptors = [i for i in readings if self.index.ids[i].startswith("MESH:D")]
                if len(readings) == 1 or len(descriptors) == 1:
                    i = readings[0] if len(readings) == 1 else descriptors[0]
                    return [(i, COMPACT * (VARIANT if k else 1.0))]
        return None

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
                words = _content_words(texts[start + row])
                for j in top:
                    r = cols[j]
                    if not _words_agree(words, _content_words(self.index.names[group.rows[r]])):
                        continue
                    for i in group.concepts[group.ptr[r] : group.ptr[r + 1]].tolist():
                        best.setdefault(i, float(vals[j]) * TFIDF)
                ranked = sorted(best.items(), key=lambda x: (-x[1], not self.index.is_mesh(x[0]), self.index.ids[x[0]]))
                out.append(ranked[:MAX_CANDIDATES])
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
        """A short form is linked through its long form; if that finds nothing, as itself where
        :meth:`_may_stand_for` allows (the long form may be a chemical name no vocabulary here
        spells out, "AZT" not; or something no concept is, "mean arterial pressure (MAP)")."""
        queries: list[tuple[str, str]] = []
        where: list[tuple[int, int, int]] = []  # (document, mention, long forms queried first)
        long_forms: dict[tuple[int, int], str] = {}
        updated: dict[tuple[int, int], tuple[Candidate, ...]] = {}
        contexts: dict[int, DocContext] = {}  # each document's normaliser context, reused for gene coordinations
        normalizers = self.normalizers if any(
            m.label in NORMALISER_TYPES and not m.candidates for d in docs for m in d.mentions
        ) else None
        for n, doc in enumerate(docs):
            short_forms = {**_bracketed_short_forms(doc), **doc.short_forms()}
            whole_words = _whole_word_long_forms(doc)
            if normalizers is not None:
                normalised, context = self._normalised(n, doc, normalizers, short_forms)
                updated.update(normalised)
                if context is not None:
                    contexts[n] = context
            for k, m in enumerate(doc.mentions):
                if m.candidates or (n, k) in updated:
                    continue
                long = short_forms.get(m.text.strip())
                longs = [] if long is None else [long, *whole_words.get(m.text.strip(), ())]
                queries += [(text, m.label) for text in longs]
                if long is not None:
                    long_forms[(n, k)] = long
                queries.append((m.text, m.label))
                where.append((n, k, len(longs)))
        found = iter(self.candidates(queries))
        for n, k, via_long in where:
            cands = next((c for c in [next(found) for _ in range(via_long)] if c), ())
            own = next(found)
            if cands:
                cands = _via_abbreviation(cands)
            elif not via_long:
                cands = own
            else:
                short = docs[n].mentions[k].text
                cands = own if own and self._may_stand_for(own[0].concept_id, short, long_forms[(n, k)]) else ()
            updated[(n, k)] = cands
        for n, doc in enumerate(docs):
            mentions: list[Mention] = [
                m.model_copy(update={"candidates": updated[(n, k)]}) if (n, k) in updated else m
                for k, m in enumerate(doc.mentions)
            ]
            mentions = _undefined_short_forms(mentions, doc.short_forms())
            doc.mentions = self._coordinated(doc, mentions, normalizers, contexts.get(n))
            doc.concepts = self.concepts(m.concept_id for m in doc.mentions if m.concept_id)

    def _coordinated(self, doc: AnnotatedDoc, mentions: list[Mention], normalizers: Normalizers | None,
                     context: DocContext | None) -> tuple[Mention, ...]:
        """A mention that is part of a coordination ("breast and ovarian cancer", "caspase-3/7")
        becomes one mention per concept its conjuncts name, each over the coordination's span,
        where at least two conjuncts are names of concepts: a disease exactly or normalised (no
        nearest-neighbour guess), a gene as the gene normaliser reads it in the document. Where a
        disease conjunct names nothing and the whole coordination is a name of another concept,
        the mention becomes that one concept over the whole span. ``context``: the normalisers'
        context of the document, if linking made one (else made on the first gene coordination)."""
        text = doc.text
        spans = [(m.start, m.end) for m in mentions]  # a conjunct lies outside its own mention's span
        out: list[Mention] = []
        for m in mentions:
            members = []
            if m.label in COORDINATED and (m.label != "Gene" or normalizers is not None):
                members = coordination(text, m.start, m.end, spans, m.label)
            if m.label == "Gene" and members and normalizers is not None:
                if context is None:
                    context = self._context(doc, normalizers, doc.short_forms())
                named = self._normalise(normalizers, "Gene", [(x.name, x.start, x.end) for x in members], context)
            else:
                named = [m.candidates if x.own else self._named(x.name, m.label) for x in members]
            kept = [(member, cands) for member, cands in zip(members, named, strict=True) if cands]
            by_concept = {cands[0].concept_id: cands for _, cands in kept}
            if m.label != "Gene" and len(kept) < len(members):
                # a conjunct that names nothing, and the whole is a name: "hand, foot, and mouth disease"
                # is one disease, not foot and mouth diseases ("hand disease" names nothing)
                start, end = min(m.start, *(x.start for x in members)), max(m.end, *(x.end for x in members))
                whole = self._named(text[start:end], m.label)
                if whole and whole[0].concept_id not in by_concept:
                    out.append(m.model_copy(update={"start": start, "end": end, "text": text[start:end], "candidates": whole}))
                    continue
            if len(by_concept) < 2:
                out.append(m)
                continue
            start = min(m.start, *(member.start for member, _ in kept))
            end = max(m.end, *(member.end for member, _ in kept))
            out += [m.model_copy(update={"start": start, "end": end, "text": text[start:end], "candidates": cands})
                    for cands in by_concept.values()]
        return tuple(sorted(out, key=lambda m: (m.start, m.end)))

    def _named(self, name: str, type_: str) -> tuple[Candidate, ...]:
        """Candidates of ``name`` where it is a name of a concept of the type (exact or normalised)."""
        found = self._string_match(name.lower().strip(), type_)
        return self._candidates(found) if found else ()

    def _may_stand_for(self, cid: str, short: str, long: str) -> bool:
        """Whether a short form linked as itself may mean ``cid`` although its document spells it
        out as ``long``, which links to nothing: if ``long`` shares a word with a name of the
        concept ("puromycin aminonucleoside nephrosis" and Nephrosis for "PAN"), or the short form
        is a code with digits ("STI571"), too specific to mean something else. "MAP" defined as
        "mean arterial pressure" is not Methamphetamine, nor "SD" ("Sprague-Dawley") Sexual Dysfunction."""
        if any(c.isdigit() for c in short):
            return True
        words = _content_words(long)
        concept = self.concepts([cid]).get(cid)
        if not words or concept is None:
            return not words
        return any(_alike(w, v) for name in (concept.name, *concept.synonyms) for v in _content_words(name) for w in words)

    def _normalised(
        self, n: int, doc: AnnotatedDoc, normalizers: Normalizers, short_forms: dict[str, str]
    ) -> tuple[dict[tuple[int, int], tuple[Candidate, ...]], DocContext | None]:
        """Candidates for the document's gene, species, variant and cell line mentions, each type
        normalised with the document's context (species named, abbreviations, co-mentioned genes),
        and that context (None: no such mention)."""
        by_type: dict[str, list[int]] = defaultdict(list)
        for k, m in enumerate(doc.mentions):
            if m.label in NORMALISER_TYPES and not m.candidates:
                by_type[m.label].append(k)
        if not by_type:
            return {}, None
        context = self._context(doc, normalizers, short_forms)
        out = {}
        for type_, ks in by_type.items():
            mentions = [(doc.mentions[k].text, doc.mentions[k].start, doc.mentions[k].end) for k in ks]
            for k, cands in zip(ks, self._normalise(normalizers, type_, mentions, context), strict=True):
                out[(n, k)] = cands
        return out, context

    @staticmethod
    def _context(doc: AnnotatedDoc, normalizers: Normalizers, short_forms: dict[str, str]) -> DocContext:
        """What the normalisers read of a document: species named, abbreviations, co-mentioned genes."""
        title = doc.document.title
        return normalizers.context(
            doc.text, gene_texts=[m.text for m in doc.mentions if m.label == "Gene"], abbreviations=short_forms,
            title_end=len(title) if title and doc.text.startswith(title) else 0, variants=doc.variants,
            sentence_starts=doc.sentence_starts,
        )

    def _normalise(self, normalizers: Normalizers, type_: str, mentions: list[tuple[str, int, int]],
                   context: DocContext) -> list[tuple[Candidate, ...]]:
        """Candidates of ``(text, start, end)`` mentions of one type: the normaliser's id, if it scores the threshold."""
        return [
            (Candidate(concept_id=curie, score=round(score, 4), name=normalizers.label(curie)),)
            if curie is not None and score >= self.threshold else ()
            for curie, score in normalizers.normalize(type_, mentions, context)
        ]


# A one-word disease mention written as an adjective ("dyskinetic", "cataleptic", "parkinsonian", "edematous")
# names the disorder its noun names; tried last, for exact and normalised names only. Longest ending first.
_ADJECTIVE_ENDINGS = (
    ("genic", ("genesis",)), ("eptic", ("epsy",)), ("etic", ("esia",)), ("otic", ("osis",)), ("itic", ("itis",)),
    ("ysmal", ("ysm",)), ("matous", ("ma",)), ("ian", ("ism",)), ("oid", ("osis",)), ("ive", ("ion",)),
    ("ful", ("",)), ("ous", ("",)), ("ic", ("ia", "y")),
)
_ONE_WORD = re.compile(r"[a-z]{5,}")


def _nouns(word: str) -> list[str]:
    """The nouns an adjective of :data:`_ADJECTIVE_ENDINGS` may stand for: "psychotic" psychosis, "hypertrophic"
    hypertrophia and hypertrophy (the index decides which is a name)."""
    for ending, nouns in _ADJECTIVE_ENDINGS:
        if word.endswith(ending):
            return [word[: -len(ending)] + n for n in nouns]
    return []


_PROTEIN_TREES = ("D08", "D12")  # MeSH enzymes and coenzymes; amino acids, peptides and proteins
_INDUCED = re.compile(r"^.+?[- ](?:induced|associated|related|mediated|evoked|provoked|dependent)\s+(.+)$")
# A combining form hyphenated to the word it joins: "thrombo-embolism" is MeSH's "thromboembolism".
_COMBINING = re.compile(r"(?<=[a-z]{3}o)-(?=[a-z]{3})")
# A development code, letters then a number: "KF17837", "KF-17837" and "KF 17837" are one compound,
# which MeSH spells one way.
_CODE = re.compile(r"^([a-z]{1,5})[- ]?(\d[\d-]*)$")
# A descriptor's name also stands without these ("Methacholine Chloride" is what papers call
# methacholine), where no concept has the bare name; a mention keeps them ("sodium chloride").
# Phosphates and nitrates are left whole: there the anion is part of the compound (NADP).
_NAME_SALT = re.compile(_SALT.pattern.replace("|trihydrate", "|trihydrate|chloride|acetate"), re.IGNORECASE)
# ... unless what is left names a radical or an adjective ("Picryl Chloride", "Uranyl Acetate").
_RADICAL = re.compile(r"(?:yl|ic)$")
# A subscript or charge that PubMed writes in brackets: "PGE(2)" is PGE2, "H(2)O(2)" H2O2, "Ca(2+)" Ca2+.
_BRACKETED_INDEX = re.compile(r"(?<=[A-Za-z0-9)])\((\d+[a-z]{0,5}|\d?[+-])\)")  # not "(+)-pentazocine"
# Stereo prefixes: "L-thyroxine" is Thyroxine where no name has the prefix.
_STEREO = re.compile(r"^(?:l|d|dl)-(?=[a-z]{3})", re.IGNORECASE)
_SALT_PREFIX = re.compile(rf"^{CATIONS}\s+(?=[a-z]{{4,}}$)", re.IGNORECASE)


_SHORT_SHAPE = re.compile(r"[A-Za-z][A-Za-z0-9-]{1,9}")
# Not genes or variants: "643C>T (R215W)" gives one change two ways, which are two variant ids.
_BRACKETED_TYPES = frozenset({"Chemical", "Disease"})
_SHORT_ENDS = frozenset(");:,")  # "(ISPH)", "(DEN: 10 mg/kg)"; not "(CPA/EE)", two short forms


def _bracketed_short_forms(doc: AnnotatedDoc) -> dict[str, str]:
    """Short form -> long form for a chemical or disease mention bracketed right after a mention of
    its type that the abbreviation detector did not pair, because the letters do not follow the
    long form's ("isoproterenol (ISPH)") or the bracket holds more ("diethylnitrosamine (DEN: 10 mg/kg)")."""
    text = doc.text
    out: dict[str, str] = {}
    mentions = sorted(doc.mentions, key=lambda m: (m.start, m.end))
    for before, m in zip(mentions, mentions[1:]):
        if (m.label == before.label in _BRACKETED_TYPES and _SHORT_SHAPE.fullmatch(m.text)
                and any(c.isupper() for c in m.text)
                and text[before.end : m.start].strip() == "(" and text[m.end : m.end + 1] in _SHORT_ENDS
                and m.text.lower() != before.text.lower()):
            out.setdefault(m.text, before.text)
    return out


def _whole_word_long_forms(doc: AnnotatedDoc) -> dict[str, tuple[str, ...]]:
    """Short form -> its long form grown back to the start of the word it begins inside, where it
    does: the detector matches a short form's first letter to a token, so "22-oxacalcitriol (OCT)"
    gives "oxacalcitriol"; the linker tries the whole "22-oxacalcitriol" when that names nothing."""
    text = doc.text
    out = {}
    for a in doc.abbreviations:
        start = a.long_start
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        depth = 0  # a bracket the word opens and the long form does not close ("(22-oxacalcitriol (OCT))")
        for k in range(a.long_start - 1, start - 1, -1):
            depth += {")": 1, "]": 1, "(": -1, "[": -1}.get(text[k], 0)
            if depth < 0:
                start = k + 1
                break
        out[a.short] = (text[start : a.long_end],) if start < a.long_start else ()
    return out


def _via_abbreviation(cands: Sequence[Candidate]) -> tuple[Candidate, ...]:
    """A long form's candidates as a short form's: scores x ``ABBREVIATION``."""
    return tuple(c.model_copy(update={"score": round(c.score * ABBREVIATION, 4)}) for c in cands)


# A short form used without being spelled out ("women with OAB" in an abstract whose title says "overactive
# bladder"): three to six capitals, an optional plural s ("PGs"); two ("CT") would fit too many long forms.
_UNDEFINED_SHORT = re.compile(r"[A-Z][A-Z0-9]{2,5}s?|[A-Z]{2}s")


def _undefined_short_forms(mentions: list[Mention], defined: dict[str, str]) -> list[Mention]:
    """A chemical or disease mention left NIL that is shaped like a short form its document never defines
    takes the concept of the document's mentions of its type that it abbreviates (:func:`_abbreviates`), where
    they all name one concept: "OAB" is the document's "overactive bladder", "PGs" its "prostaglandins"."""
    out = list(mentions)
    for k, m in enumerate(mentions):
        if (m.candidates or m.label not in _BRACKETED_TYPES or m.text in defined
                or not _UNDEFINED_SHORT.fullmatch(m.text)):
            continue
        longs = [x for x in mentions if x.label == m.label and x.candidates and len(x.text) > len(m.text)
                 and _abbreviates(m.text, x.text)]
        if longs and len({x.candidates[0].concept_id for x in longs}) == 1:
            out[k] = m.model_copy(update={"candidates": _via_abbreviation(longs[0].candidates)})
    return out


def _abbreviates(short: str, long: str) -> bool:
    """Whether ``short`` may abbreviate ``long`` (Schwartz and Hearst's test, stricter at the start): its
    letters and digits occur in ``long`` in order, the first at the start of ``long``, the others each at
    a word's start or inside a word, and ``long`` has no more words than ``short`` has characters. A ``long``
    that begins with the short form's first two characters is another short form or a relative of it ("PGE2",
    "PGF2alpha" beside "PGs"), not its spelling out."""
    short = (short[:-1] if short.endswith("s") else short).lower()
    long = long.lower()
    if not long.startswith(short[0]) or long.startswith(short[:2]) or len(long.split()) > len(short):
        return False
    i = len(long)
    for c in reversed(short[1:]):
        i = long.rfind(c, 1, i)
        if i < 1:
            return False
    return True


def _variants(text: str, type_: str) -> list[str]:
    """The text, its spelling as MeSH writes it (:func:`~kg.vocab.spellings.mesh_spelling`, :data:`_COMBINING`),
    for chemicals the name without a salt word and a development code's other spellings (:data:`_CODE`), and for
    diseases the part after "X-induced"/"X-associated", for a one-word mention the nouns of an adjective
    (:func:`_nouns`), and an organ's other word (:func:`_organ_words`: "renal failure" kidney failure).

    BC5CDR and NCBI-disease annotate "levodopa-induced dyskinesia" with the dyskinesia's id,
    and MeSH has no concept for most such compounds.
    """
    out = [text]
    spelled = _COMBINING.sub("", mesh_spelling(text))
    out.append(spelled)
    if type_ == "Chemical":
        out += [stripped for t in (text, spelled) if (stripped := _SALT.sub("", t)) and stripped != t]
        out += [stripped for t in (text, spelled) if (stripped := _SALT_PREFIX.sub("", t)) != t]
        out += [stripped for t in list(out) if (stripped := _STEREO.sub("", t)) != t]
        out += [flat for t in (text, spelled) if (flat := _BRACKETED_INDEX.sub(r"\1", t)) != t]
        if code := _CODE.match(text):
            out += [f"{code[1]}{sep}{code[2]}" for sep in (" ", "-", "")]
    if type_ in ("Disease", "Finding"):
        for t in (text, spelled):
            if m := _INDUCED.match(t):
                out.append(m.group(1))
        if _ONE_WORD.fullmatch(spelled):
            out += _nouns(spelled)
        out += _organ_words(spelled)
    return list(dict.fromkeys(out))


# An organ named by its adjective or by its noun: the names have "cardiac hypertrophy" (Cardiomegaly) for what
# papers also call myocardial hypertrophy, and "lung toxicity" (Lung Diseases) for pulmonary toxicity.
_ORGAN_WORDS: dict[str, tuple[str, ...]] = {
    "renal": ("kidney",), "kidney": ("renal",), "hepatic": ("liver",), "liver": ("hepatic",),
    "cardiac": ("heart",), "heart": ("cardiac",), "myocardial": ("cardiac", "heart"),
    "pulmonary": ("lung",), "lung": ("pulmonary",), "cerebral": ("brain",), "brain": ("cerebral",),
    "gastric": ("stomach",), "stomach": ("gastric",), "ocular": ("eye",), "eye": ("ocular",),
    "visual": ("vision",), "vision": ("visual",), "cutaneous": ("skin",), "skin": ("cutaneous",),
    "intestinal": ("intestine",),
}


def _organ_words(text: str) -> list[str]:
    """``text`` with one organ word of :data:`_ORGAN_WORDS` in its other form ("renal injury" kidney injury); none
    for one word (the organ itself is no disorder)."""
    words = text.split()
    if len(words) < 2:
        return []
    return [" ".join(words[:k] + [alt] + words[k + 1:])
            for k, w in enumerate(words) for alt in _ORGAN_WORDS.get(w, ())]


_WORD = re.compile(r"[a-z0-9]+")
# Words that change nothing in what a name names: "beta-adrenergic blocking drugs" are the
# "beta-adrenergic blocking agents", "Crohn disease" is "Crohn's".
_GENERIC = frozenset({
    "disease", "diseases", "disorder", "disorders", "syndrome", "syndromes", "type", "nos",
    "drug", "drugs", "agent", "agents", "compound", "compounds",
})


# Words that qualify a disorder without naming one: a disease mention of these words only is NIL, where the
# nearest names would make "chronic" Chronic Pain and "progressive" Progressive ptosis.
_QUALIFIERS = frozenset({
    "chronic", "acute", "subacute", "progressive", "severe", "mild", "moderate", "bilateral", "unilateral",
    "recurrent", "idiopathic", "familial", "hereditary", "congenital", "transient", "sporadic", "primary",
    "secondary", "diffuse", "focal", "generalized", "persistent", "intermittent", "episodic",
})
_HEADED = frozenset({"Disease", "Finding"})  # types whose NIL mentions try their last words (TfidfLinker._head_match)
# Words that say something is wrong without saying what: a mention's last words made only of these
# (and :data:`_GENERIC`) do not stand for it ("renal impairment" is no Impairment, "HCV infection" no Infections).
_HEAD_GENERIC = frozenset({
    "toxicity", "toxicities", "injury", "injuries", "damage", "dysfunction", "dysfunctions", "impairment",
    "impairments", "complication", "complications", "abnormality", "abnormalities", "lesion", "lesions", "deficit",
    "deficits", "deficiency", "infection", "infections", "failure", "insufficiency", "effect", "effects", "reaction",
    "reactions", "change", "changes", "symptom", "symptoms", "problem", "problems", "event", "events", "activity",
    "disturbance", "disturbances", "illness", "condition", "conditions", "state", "degeneration", "involvement",
    "hyperactivity", "hypertrophy", "inflammation", "deficiencies", "defect", "defects", "anomaly", "anomalies",
    "malformation", "malformations", "tumor", "tumors", "tumour", "tumours", "neoplasm", "neoplasms", "cancer", "cancers",
    "malignancy", "malignancies", "inflammatory",
})


# What an organ suffers, said without naming a disorder: "<organ> <harm>" is one of the organ's diseases.
_HARMS = frozenset({
    "toxicity", "toxicities", "injury", "injuries", "damage", "dysfunction", "dysfunctions", "impairment",
    "impairments", "complications", "lesion", "lesions", "involvement", "illness", "abnormalities", "disturbances",
})


_PUNCTUATION = str.maketrans("", "", string.punctuation + string.whitespace)
_POSITION = re.compile(r"\b(ortho|meta|para)-")  # "tri-ortho-tolyl" is MeSH's "tri-o-tolyl"
_LOCANTS = re.compile(r"^(?:\d+(?:,\d+)*|\([\d,rs+-]+\))-")  # "5-", "1,2-", "(RS)-" before a name
COMPACT_MIN = 6  # shorter keys ("d1" of "D-1") name too many things


def compact_keys(name: str) -> list[str]:
    """A chemical name without punctuation and spaces, lowercase, "ortho-" written "o-"; then the same
    without its leading locants, where it has some. Keys shorter than ``COMPACT_MIN`` are left out.
    (Called for each of ~500k chemical names when the index is built: the cheap tests come first.)"""
    name = name.lower()
    if "o-" in name and ("ortho-" in name or "meta-" in name or "para-" in name):
        name = _POSITION.sub(lambda m: m.group(1)[0] + "-", name)
    keys = [name.translate(_PUNCTUATION)]
    if name[:1].isdigit() or name[:1] == "(":
        keys.append(_LOCANTS.sub("", name).translate(_PUNCTUATION))
    return [k for k in dict.fromkeys(keys) if len(k) >= COMPACT_MIN]


def _only_qualifiers(text: str) -> bool:
    """Whether every word of ``text`` is one of :data:`_QUALIFIERS` ("chronic", "acute and chronic")."""
    words = [w for w in _WORD.findall(text.lower()) if w not in ("and", "or")]
    return bool(words) and all(w in _QUALIFIERS for w in words)


def _content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in STOP_WORDS and w not in _GENERIC)


def _words_agree(mention: frozenset[str], name: frozenset[str]) -> bool:
    """Whether a TF-IDF neighbour's name says what the mention says, give or take words: a name
    may add words ("cardiac dysrhythmia" for "dysrhythmias") or leave some out, but not put
    another word in the place of one ("decreased liver function" is no neighbour of "decreased
    renal function", nor "diminished mental health" of "renal impairment", whatever their
    character n-grams share)."""
    added = any(not any(_alike(v, w) for w in mention) for v in name)
    dropped = any(not any(_alike(w, v) for v in name) for w in mention)
    return not (added and dropped)


# Prefixes that make a word its opposite: "hypothyroidism" is no misspelling of "hyperthyroidism".
_CONTRARY = (("hypo", "hyper"), ("brady", "tachy"), ("micro", "macro"))


def _alike(a: str, b: str) -> bool:
    """The same word, the same stem (5 letters: "hepatic"/"hepatitis" are not), or a misspelling
    (3-grams mostly shared: "melitus"/"mellitus"); never two words whose prefixes are contrary
    (:data:`_CONTRARY`: 3-grams made "hypothyroidism" a misspelling of "hyperthyroidism") nor a word and
    the same word after a prefix of three letters or more ("parainfluenza", "influenza"; not "oesophagitis")."""
    if a == b:
        return True
    if any(a.startswith(x) and b.startswith(y) or a.startswith(y) and b.startswith(x) for x, y in _CONTRARY):
        return False
    if len(a) >= 5 and len(b) >= 5 and a[:5] == b[:5]:
        return True
    if (len(a) >= len(b) + 3 and a.endswith(b)) or (len(b) >= len(a) + 3 and b.endswith(a)):
        return False
    ga, gb = {a[k : k + 3] for k in range(len(a) - 2)}, {b[k : k + 3] for k in range(len(b) - 2)}
    return len(ga & gb) >= 0.5 * len(ga | gb)


def _ranked(readings: list[tuple[int, int, bool, bool]], base: float) -> list[tuple[int, float]]:
    """``(concept, gold support, is MeSH, named so)`` readings of one name, ranked: gold support
    first, MeSH before other vocabularies, then the concept whose preferred name it is (give or take a plural:
    :meth:`TfidfLinker._string_match` compares them normalised) before those that have it as a synonym ("myalgia"
    is Myalgia, not Musculoskeletal Pain; "eye disease" Eye Diseases, not Eye Abnormalities). The top
    keeps ``base``, others scale with support."""
    readings = sorted(readings, key=lambda r: (-r[1], not r[2], not r[3], r[0]))
    top = readings[0][1] + 1
    return [(i, base * (0.5 + 0.5 * min(1.0, (n + 1) / top)) if k else base) for k, (i, n, *_) in enumerate(readings)]
