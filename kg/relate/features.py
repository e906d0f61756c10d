"""Candidate entity pairs of one document and the sparse features a linear relation model reads.

Relations in BC5CDR and BioRED are document-level: a pair of concepts is related if the
abstract as a whole says so, whether or not one sentence holds both names (about a third of
CID pairs never share a sentence). So a candidate is a pair of *concepts*, and its features
summarise all mentions of both: how often and how closely they co-occur, the words between
the closest same-sentence mentions, where they appear (title, last sentence), how prominent
each concept is in the document, which MeSH classes the two concepts belong to (drug class,
disease class; supplementary chemicals through their descriptors), negation, hedging and the
assertion tagger's status around the mentions, and how often the pair was related in the
training corpora (a knowledge prior, as the best BioCreative V CID systems used; computed
leave-one-document-out while training so a document never sees its own label).

The same words, read in one sentence at a time (:func:`sentence_features`), let the sentence
scorer pick which sentences state a relation (:func:`supports`).

Everything here works on :class:`~kg.doc.AnnotatedDoc`, so the same code serves gold entities
(from a PubTator corpus, :func:`kg.vocab.corpora.gold_documents`) and the pipeline's own
linked mentions.
"""

from __future__ import annotations

import csv
import gzip
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.doc import AnnotatedDoc
from kg.errors import Errors, OntologyError
from kg.models import FILL_IN, Mention, Support, outermost, pair_assertion

CID_TYPES: tuple[str, str] = ("Chemical", "Disease")
# Type pairs BioRED annotates (unordered); Gene-Variant occurs once in 3,680 training relations.
BIORED_TYPE_PAIRS: frozenset[frozenset[str]] = frozenset(
    frozenset(p)
    for p in (
        ("Gene", "Gene"),
        ("Gene", "Disease"),
        ("Chemical", "Disease"),
        ("Chemical", "Gene"),
        ("Variant", "Disease"),
        ("Chemical", "Chemical"),
        ("Chemical", "Variant"),
        ("Variant", "Variant"),
    )
)
# Canonical direction of a BioRED pair (its relations are undirected): Chemical -> Gene ->
# Variant -> Disease, so "drug X -> disease Y" and "gene G -> disease D" read naturally.
TYPE_ORDER = {"Chemical": 0, "Gene": 1, "Variant": 2, "Disease": 3}
MAX_BETWEEN_TOKENS = 30
MAX_SHARED_SENTENCES = 5  # words between the mentions in each of the first few shared sentences

_TOKEN = re.compile(r"\w+|[^\w\s]")
_DIGITS = re.compile(r"\d+")
# Prefixes of the context features: the abstract's trigger stems and the kind of each variant id. They
# tell the types of relations apart (an association study's polymorphism against a functional study's
# mutation); training lets a head's detector read them only where cross-validation says it pays.
CONTEXT_FEATURES: tuple[str, ...] = ("doc_trig:", "variant_kind:")
_RSID = re.compile(r"rs\d")
_HGVS_KIND = re.compile(r"([cgmnpr])\|([A-Za-z]+)")
NEGATION_CUES = frozenset(
    {"no", "not", "without", "neither", "nor", "lack", "lacked", "absence", "absent", "failed", "unlikely", "none"}
)
# Words that make a statement tentative ("X may cause Y", "whether X induces Y").
HEDGE_CUES = frozenset(
    {"may", "might", "could", "possibly", "possible", "suggest", "suggests", "suggested", "suggesting", "whether",
     "potential", "potentially", "likely", "appear", "appears", "speculate", "hypothesis", "hypothesized", "unclear",
     "perhaps", "putative", "presumably"}
)
# Stems of the words that state a relation; matching stems generalises over inflections.
TRIGGER_STEMS: tuple[str, ...] = (
    "induc", "caus", "associat", "treat", "relat", "reduc", "increas", "decreas", "inhibit",
    "bind", "interact", "activat", "express", "risk", "mutat", "toxic", "protect", "prevent",
    "attenuat", "correlat", "develop", "occur", "produc", "elevat", "suppress", "block",
    "enhanc", "improv", "revers", "antagon", "agonist", "combin", "compar", "convert", "metabol",
    "respons", "sensitiv", "resist", "regulat", "after", "follow", "due", "secondary",
    "therap", "efficac", "benefi", "amelior", "alleviat", "downregul", "upregul", "lower",
    "loss", "deficien", "overexpress", "phosphoryl", "complex", "recruit", "target", "mediat",
    "promot", "stimul", "accumul", "potentiat", "synerg", "versus", "than", "substrat", "form",
)


_STEMS_BY_LETTER: dict[str, tuple[str, ...]] = {
    letter: tuple(s for s in TRIGGER_STEMS if s[0] == letter) for letter in {s[0] for s in TRIGGER_STEMS}
}


@dataclass
class Entity:
    """All mentions of one concept in a document."""

    id: str
    type: str
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class DocView:
    """A document's sentences and entities, indexed for pair features.

    Per-entity and per-sentence facts are computed once here, not once per pair: a BioRED
    abstract has a few hundred candidate pairs over a few dozen entities.
    """

    doc_id: str
    text: str
    title_end: int
    sentences: list[tuple[int, int]]
    entities: dict[str, Entity]
    sentence_of: dict[tuple[int, int], int]  # mention span -> sentence index
    trees: Mapping[str, tuple[str, ...]] | MeshTrees = field(default_factory=dict)
    _cache: dict[object, object] = field(default_factory=dict, repr=False)

    def tokens(self, start: int, end: int) -> list[str]:
        return [_token_form(t) for t in _TOKEN.findall(self.text[start:end])]

    def sentence_tokens(self, i: int) -> list[str]:
        key = ("sent", i)
        if key not in self._cache:
            self._cache[key] = self.tokens(*self.sentences[i])
        return self._cache[key]  # type: ignore[return-value]

    def sentence_stems(self, i: int) -> set[str]:
        key = ("stems", i)
        if key not in self._cache:
            self._cache[key] = _stems(self.sentence_tokens(i))
        return self._cache[key]  # type: ignore[return-value]

    def document_stems(self) -> set[str]:
        """The trigger stems of the whole abstract (what kind of study it reports: an association
        study's "risk", "associat" or a functional study's "express", "inhibit")."""
        key = ("doc_stems",)
        if key not in self._cache:
            self._cache[key] = set().union(*(self.sentence_stems(i) for i in range(len(self.sentences))))
        return self._cache[key]  # type: ignore[return-value]

    def entity_sentences(self, ent_id: str) -> set[int]:
        key = ("esent", ent_id)
        if key not in self._cache:
            self._cache[key] = {self.sentence_of[(m.start, m.end)] for m in self.entities[ent_id].mentions}
        return self._cache[key]  # type: ignore[return-value]

    def tree(self, ent_id: str) -> tuple[str, ...]:
        """The concept's MeSH tree numbers (none for genes, variants and unknown ids)."""
        key = ("tree", ent_id)
        if key not in self._cache:
            self._cache[key] = self.trees.get(ent_id, ())
        return self._cache[key]  # type: ignore[return-value]

    def entity_features(self, ent_id: str) -> dict[str, float]:
        """Facts about one concept in the document, unprefixed (the caller adds its role)."""
        key = ("efeat", ent_id)
        if key in self._cache:
            return self._cache[key]  # type: ignore[return-value]
        ent = self.entities[ent_id]
        sents = self.entity_sentences(ent_id)
        n_sent = len(self.sentences)
        same_type = sorted((x for x in self.entities.values() if x.type == ent.type), key=lambda x: -len(x.mentions))
        f = {
            f"count={_bin(len(ent.mentions), (1, 2, 3, 5, 8))}": 1.0,
            f"first_sent={_bin(min(sents), (0, 1, 2, 4))}": 1.0,
            f"freq_rank={_bin(same_type.index(ent), (0, 1, 2))}": 1.0,
            f"type_entities={_bin(len(same_type), (1, 2, 4, 8))}": 1.0,
        }
        if any(m.end <= self.title_end for m in ent.mentions):
            f["in_title"] = 1.0
        if n_sent > 1 and n_sent - 1 in sents:
            f["in_last"] = 1.0
        if any(m.assertion == "negated" for m in ent.mentions):
            f["negated"] = 1.0
        if self.tree(ent_id):
            for other in same_type:
                if other is ent or not self.tree(other.id):
                    continue
                if is_below(self.tree(other.id), self.tree(ent_id)):
                    f["has_narrower_in_doc"] = 1.0
                elif is_below(self.tree(ent_id), self.tree(other.id)):
                    f["has_broader_in_doc"] = 1.0
        for depth in (1, 2):
            for c in tree_classes(self.tree(ent_id), depth):
                f[f"cls{depth}={c}"] = 1.0
        self._cache[key] = f
        return f

    def narrower(self, ent_id: str) -> list[str]:
        """The document's concepts of ``ent_id``'s type that lie under it in MeSH."""
        key = ("narrower", ent_id)
        if key not in self._cache:
            ent, tree = self.entities[ent_id], self.tree(ent_id)
            self._cache[key] = [x.id for x in self.entities.values() if x.type == ent.type and x.id != ent_id
                                and tree and self.tree(x.id) and is_below(self.tree(x.id), tree)]
        return self._cache[key]  # type: ignore[return-value]

    def mentions_between(self, start: int, end: int, exclude: tuple[str, str]) -> int:
        return sum(
            1
            for e in self.entities.values()
            if e.id not in exclude
            for m in e.mentions
            if start <= m.start and m.end <= end
        )


def is_below(narrow: tuple[str, ...], broad: tuple[str, ...]) -> bool:
    """True when some tree number of ``narrow`` lies under some tree number of ``broad``."""
    return any(n.startswith(b + ".") for n in narrow for b in broad)


def load_disease_trees(path: Path) -> dict[str, tuple[str, ...]]:
    """MeSH disease id -> tree numbers, from ``mesh_disease_terms.tsv.gz`` (columns mesh_id, tree_numbers).

    BC5CDR annotates the most specific disease an abstract relates to a chemical; whether a
    narrower disease is also mentioned is the feature that encodes that guideline.
    """
    trees: dict[str, tuple[str, ...]] = {}
    for row in _tsv_rows(path):
        cid, raw = row.get("mesh_id") or "", row.get("tree_numbers") or ""
        if cid and raw and cid not in trees:
            trees[cid] = tuple(t for t in raw.split("|") if t)
    return trees


def _tsv_rows(path: Path) -> Iterable[dict[str, str]]:
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            yield from csv.DictReader(fh, delimiter="\t")
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as exc:
        raise OntologyError(Errors.E530, path=path, error=exc) from exc


@dataclass
class MeshTrees:
    """Tree numbers of every MeSH concept: descriptors directly, supplementary records (C-ids,
    most chemicals outside the descriptors) through the descriptors they are mapped to.

    A supplementary concept sits just under each descriptor it maps to (its tree numbers get a
    ``.~`` leaf), so "a narrower concept is in the document" holds for it too. Tree numbers
    say which class a concept belongs to (C10 nervous system diseases, C25 chemically-induced
    disorders, D03 heterocyclic compounds, ...): features that generalise beyond the pairs
    seen in training.
    """

    descriptors: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "MESH:D..." -> tree numbers
    supplementary: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "MESH:C..." -> descriptor CURIEs

    def get(self, curie: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        if curie in self.descriptors:
            return self.descriptors[curie]
        mapped = self.supplementary.get(curie)
        if not mapped:
            return default
        return tuple(t + ".~" for d in mapped for t in self.descriptors.get(d, ())) or default

    def __contains__(self, curie: object) -> bool:
        return bool(self.get(str(curie)))

    def __len__(self) -> int:
        return len(self.descriptors) + len(self.supplementary)


def load_mesh_trees(
    descriptor_terms: Path | None = None, supplementary_terms: Path | None = None, disease_terms: Path | None = None
) -> MeshTrees:
    """:class:`MeshTrees` from ``mesh2024_descriptor_terms.tsv.gz`` (id, tree_numbers),
    ``mesh2024_supplementary_terms.tsv.gz`` (id, mapped_to) and, for diseases the 2024 file
    lacks, ``mesh_disease_terms.tsv.gz``; each file is optional."""
    trees = MeshTrees()
    if disease_terms is not None:
        trees.descriptors.update(load_disease_trees(disease_terms))
    if descriptor_terms is not None:
        for row in _tsv_rows(descriptor_terms):
            raw = row.get("tree_numbers") or ""
            if row.get("id") and raw:
                trees.descriptors["MESH:" + row["id"]] = tuple(sys.intern(t) for t in raw.split("|") if t)
    if supplementary_terms is not None:
        interned: dict[str, str] = {}
        for row in _tsv_rows(supplementary_terms):
            mapped = tuple(
                interned.setdefault(d, "MESH:" + d)
                for d in (x.strip().lstrip("*") for x in (row.get("mapped_to") or "").split(","))
                if d
            )
            if row.get("id") and mapped:
                trees.supplementary["MESH:" + row["id"]] = mapped
    return trees


def tree_classes(trees: tuple[str, ...], depth: int) -> set[str]:
    """The tree-number prefixes ``depth`` levels deep: ``C10.228.140`` -> ``C10`` (1), ``C10.228`` (2)."""
    return {".".join(t.split(".")[:depth]) for t in trees}


def document_view(doc: AnnotatedDoc, trees: Mapping[str, tuple[str, ...]] | MeshTrees | None = None) -> DocView:
    """The linked mentions of ``doc`` grouped by concept, over the sentences that hold them.

    Sentence positions (first, last, gaps) count only sentences with a linked mention: that is
    what the shipped relation model was trained with. A mention inside a longer one of another
    concept is left out (:func:`~kg.models.outermost`): "dopamine beta-hydroxylase" relates nothing to
    dopamine.
    """
    linked = outermost([m for m in doc.mentions if m.concept_id and m.extractor != FILL_IN])
    sentences = sorted({doc.sentence_of(m.start, m.end) if m.sentence_start is None
                        else (m.sentence_start, m.sentence_end) for m in linked})
    starts = [s for s, _ in sentences]
    sentence_of: dict[tuple[int, int], int] = {}
    entities: dict[str, Entity] = {}
    for m in sorted(linked, key=lambda m: (m.start, m.end)):
        sentence_of[(m.start, m.end)] = max(sum(1 for s in starts if s <= m.start) - 1, 0)
        ent = entities.setdefault(m.concept_id, Entity(m.concept_id, m.label))
        ent.mentions.append(m)
    title = doc.document.title
    title_end = len(title) if title and doc.text.startswith(title) else 0
    return DocView(doc.id, doc.text, title_end, sentences, entities, sentence_of, trees or {})


def candidate_pairs(view: DocView, task: str) -> list[tuple[str, str]]:
    """Concept pairs the task can relate, in canonical direction (CID: chemical first)."""
    ents = sorted(view.entities.values(), key=lambda e: e.id)
    if task == "cid":
        chems = [e.id for e in ents if e.type == CID_TYPES[0]]
        diss = [e.id for e in ents if e.type == CID_TYPES[1]]
        return [(c, d) for c in chems for d in diss]
    out = []
    for i, a in enumerate(ents):
        for b in ents[i + 1 :]:
            if frozenset((a.type, b.type)) in BIORED_TYPE_PAIRS:
                first, second = sorted((a, b), key=lambda e: (TYPE_ORDER.get(e.type, 9), e.id))
                out.append((first.id, second.id))
    return out


def entity_types(view: DocView, a: str, b: str) -> str:
    """The pair's entity types, ``"Chemical|Gene"`` (in the pair's order)."""
    return f"{view.entities[a].type}|{view.entities[b].type}"


def _bin(x: float, edges: tuple[float, ...]) -> str:
    for e in edges:
        if x <= e:
            return str(e)
    return f">{edges[-1]}"


def variant_kind(ent_id: str) -> str:
    """What a variant id says it is: ``rs`` (a dbSNP id, mostly a polymorphism of an association
    study), ``pSUB``, ``cDEL``, ``pFS``... (a protein or DNA change, mostly a mutation), else ``other``."""
    raw = ent_id.split(":", 1)[-1]
    if _RSID.match(raw):
        return "rs"
    kind = _HGVS_KIND.match(raw)
    return kind.group(1) + kind.group(2) if kind else "other"


def _stems(words: Iterable[str]) -> set[str]:
    return {s for w in words for s in _word_stems(w)}


@lru_cache(maxsize=65536)
def _token_form(token: str) -> str:
    """A token as the features read it: lowercase, each run of digits one 0."""
    return _DIGITS.sub("0", token.lower())


@lru_cache(maxsize=65536)
def _word_stems(word: str) -> tuple[str, ...]:
    """The trigger stems ``word`` starts with (a word's first letters rule out almost all of them)."""
    return tuple(s for s in _STEMS_BY_LETTER.get(word[:1], ()) if word.startswith(s))


@dataclass
class Priors:
    """How often concepts and pairs were related in the training documents that mention them.

    Counts are per document. ``exclude`` (a training document's own counts) is subtracted at
    feature time so training features never include the document's own label.
    """

    pair_pos: Counter = field(default_factory=Counter)
    pair_seen: Counter = field(default_factory=Counter)
    ent_pos: Counter = field(default_factory=Counter)
    ent_seen: Counter = field(default_factory=Counter)

    def add(self, pairs: Iterable[tuple[str, str]], positives: set[tuple[str, str]]) -> None:
        for key, value in self.counts(pairs, positives).items():
            getattr(self, key).update(value)

    @staticmethod
    def counts(pairs: Iterable[tuple[str, str]], positives: set[tuple[str, str]]) -> dict[str, Counter]:
        pairs = list(pairs)
        ents = {e for p in pairs for e in p}
        pos_ents = {e for p in positives for e in p}
        return {
            "pair_seen": Counter(frozenset(p) for p in pairs),
            "pair_pos": Counter(frozenset(p) for p in pairs if p in positives),
            "ent_seen": Counter(ents),
            "ent_pos": Counter(ents & pos_ents),
        }

    def features(self, a: str, b: str, exclude: dict[str, Counter] | None = None) -> dict[str, float]:
        ex = exclude or {}

        def get(name: str, key: object) -> int:
            return getattr(self, name)[key] - ex.get(name, Counter())[key]

        out: dict[str, float] = {}
        pair = frozenset((a, b))
        seen, pos = get("pair_seen", pair), get("pair_pos", pair)
        out[f"prior_pair={'unseen' if not seen else _bin(pos / seen, (0.0, 0.34, 0.67, 1.0))}"] = 1.0
        if pos:
            out[f"prior_pair_pos={_bin(pos, (1, 2, 4))}"] = 1.0
        for role, ent in (("a", a), ("b", b)):
            seen, pos = get("ent_seen", ent), get("ent_pos", ent)
            out[f"prior_{role}={'unseen' if not seen else _bin(pos / seen, (0.0, 0.25, 0.5, 0.75, 1.0))}"] = 1.0
        return out


def _closest(view: DocView, e1: Entity, e2: Entity) -> tuple[Mention, Mention, int, int]:
    """The nearest pair of mentions: fewest sentences apart, then fewest characters."""
    best = None
    for m1 in e1.mentions:
        s1 = view.sentence_of[(m1.start, m1.end)]
        for m2 in e2.mentions:
            s2 = view.sentence_of[(m2.start, m2.end)]
            gap = max(m2.start - m1.end, m1.start - m2.end, 0)
            key = (abs(s1 - s2), gap)
            if best is None or key < best[0]:
                best = (key, m1, m2, s1, s2)
    assert best is not None
    return best[1], best[2], best[3], best[4]


def sentence_pairs(view: DocView, a: str, b: str) -> list[tuple[int, Mention, Mention]]:
    """Each sentence holding both concepts, with its nearest pair of mentions (``a``'s, ``b``'s), in text order."""
    key = ("spairs", a, b)
    if key in view._cache:
        return view._cache[key]  # type: ignore[return-value]
    by_sentence: dict[int, list[Mention]] = defaultdict(list)
    for m in view.entities[a].mentions:
        by_sentence[view.sentence_of[(m.start, m.end)]].append(m)
    best: dict[int, tuple[int, Mention, Mention]] = {}
    for m2 in view.entities[b].mentions:
        i = view.sentence_of[(m2.start, m2.end)]
        for m1 in by_sentence.get(i, ()):
            gap = max(m2.start - m1.end, m1.start - m2.end, 0)
            if i not in best or gap < best[i][0]:
                best[i] = (gap, m1, m2)
    out = [(i, m1, m2) for i, (_, m1, m2) in sorted(best.items())]
    view._cache[key] = out
    return out


def sentence_features(view: DocView, a: str, b: str, i: int, m1: Mention, m2: Mention) -> dict[str, float]:
    """What sentence ``i`` says about the pair, read around its mentions ``m1`` (of ``a``) and ``m2`` (of ``b``).

    The words between the two mentions carry most of it ("X-induced Y", "Y after X", "X and
    Y"), then trigger stems, negation and hedging cues, the words just outside, and the
    assertion status the tagger gave each mention. The sentence scorer reads these for every
    shared sentence; the pair model reads them for the closest mentions.
    """
    types = entity_types(view, a, b)
    f: dict[str, float] = {}
    first, second = (m1, m2) if m1.start <= m2.start else (m2, m1)
    f["a_first" if first is m1 else "b_first"] = 1.0
    between = view.tokens(first.end, second.start) if second.start > first.end else []
    f[f"tok_gap={_bin(len(between), (0, 1, 2, 3, 5, 8, 12, 20))}"] = 1.0
    f[f"ents_between={_bin(view.mentions_between(first.end, second.start, (a, b)), (0, 1, 2, 4))}"] = 1.0
    if len(between) <= 4:
        f["between=" + " ".join(between)] = 1.0
    window = between[:MAX_BETWEEN_TOKENS]
    for w in window:
        f["btw:" + w] = 1.0
        f[f"{types}|btw:{w}"] = 1.0
    for x, y in zip(window, window[1:]):
        f[f"btw2:{x} {y}"] = 1.0
    for st in _stems(window):
        f["btw_trig:" + st] = 1.0
        f[f"{types}|btw_trig:{st}"] = 1.0
    if NEGATION_CUES.intersection(window):
        f["btw_neg"] = 1.0
    if HEDGE_CUES.intersection(window):
        f["btw_hedge"] = 1.0
    s_start, s_end = view.sentences[i]
    for w in view.tokens(s_start, first.start)[-3:]:
        f["pre:" + w] = 1.0
    for w in view.tokens(second.end, s_end)[:3]:
        f["post:" + w] = 1.0
    for st in view.sentence_stems(i):
        f["sent_trig:" + st] = 1.0
        f[f"{types}|trig:{st}"] = 1.0
    words = view.sentence_tokens(i)
    if NEGATION_CUES.intersection(words):
        f["sent_neg"] = 1.0
    if HEDGE_CUES.intersection(words):
        f["sent_hedge"] = 1.0
    for role, m in (("a", m1), ("b", m2)):
        if m.assertion != "affirmed":
            f[f"{role}_assertion={m.assertion}"] = 1.0
    return f


def sentence_scorer_features(view: DocView, a: str, b: str, i: int, m1: Mention, m2: Mention) -> dict[str, float]:
    """Features of one (pair, shared sentence) for the sentence scorer: :func:`sentence_features`
    plus the sentence's place in the abstract and how crowded it is."""
    f = sentence_features(view, a, b, i, m1, m2)
    f[f"types={entity_types(view, a, b)}"] = 1.0
    f["bias"] = 1.0
    if i == 0 and view.title_end and view.sentences[0][0] < view.title_end:
        f["in_title"] = 1.0
    if i == len(view.sentences) - 1 and i > 0:
        f["last_sentence"] = 1.0
    n_concepts = sum(1 for e in view.entities.values() if i in view.entity_sentences(e.id))
    f[f"sent_concepts={_bin(n_concepts, (2, 3, 4, 6))}"] = 1.0
    return f


def supports(
    view: DocView, a: str, b: str, scores: Mapping[int, float] | None = None, threshold: float = 0.0
) -> list[Support]:
    """Where the document states the relation between ``a`` and ``b``.

    With sentence ``scores`` (sentence index -> probability that it states the relation), the
    shared sentences scoring at least ``threshold``, best first, or the best one when none
    does; without, every shared sentence in text order. A pair that shares no sentence gets
    the nearest passage, marked ``same_sentence=False``.
    """
    shared = sentence_pairs(view, a, b)
    if shared:
        if scores is not None:
            ranked = sorted(shared, key=lambda p: (-scores[p[0]], p[0]))
            shared = [p for p in ranked if scores[p[0]] >= threshold] or ranked[:1]
        return [
            Support(sentence=view.sentences[i], subject_span=(m1.start, m1.end), object_span=(m2.start, m2.end),
                    same_sentence=True, assertion=pair_assertion(m1, m2),
                    score=None if scores is None else round(float(scores[i]), 4))
            for i, m1, m2 in shared
        ]
    m1, m2, s1, s2 = _closest(view, view.entities[a], view.entities[b])
    lo, hi = min(s1, s2), max(s1, s2)
    passage = (view.sentences[lo][0], view.sentences[hi][1])
    return [Support(sentence=passage, subject_span=(m1.start, m1.end), object_span=(m2.start, m2.end),
                    same_sentence=False, assertion=pair_assertion(m1, m2))]


def pair_features(view: DocView, a: str, b: str) -> dict[str, float]:
    """Sparse features of the candidate pair ``(a, b)`` (priors and sentence scores are added by the model).

    A new dict each call; computed once per view and pair (the CID and BioRED heads both read a
    document's chemical-disease pairs)."""
    key = ("pair", a, b)
    if key not in view._cache:
        view._cache[key] = _pair_features(view, a, b)
    return dict(view._cache[key])  # type: ignore[call-overload]


def _pair_features(view: DocView, a: str, b: str) -> dict[str, float]:
    e1, e2 = view.entities[a], view.entities[b]
    types = entity_types(view, a, b)
    f: dict[str, float] = {f"types={types}": 1.0, "bias": 1.0}
    n_sent = len(view.sentences)
    s1, s2 = view.entity_sentences(a), view.entity_sentences(b)
    shared = s1 & s2
    f[f"shared_sents={_bin(len(shared), (0, 1, 2, 3))}"] = 1.0
    f[f"sent_gap={_bin(min(abs(x - y) for x in s1 for y in s2), (0, 1, 2, 4))}"] = 1.0
    if shared:
        f[f"shared_frac={_bin(len(shared) / max(len(s1 | s2), 1), (0.25, 0.5, 0.75, 1.0))}"] = 1.0
    if 0 in shared and view.title_end:
        f["both_in_title"] = 1.0
    if n_sent - 1 in shared and n_sent > 1:
        f["both_in_last_sentence"] = 1.0
    for role, ent_id in (("a", a), ("b", b)):
        for name in view.entity_features(ent_id):
            f[f"{role}_{name}"] = 1.0
    for role, ent in (("a", e1), ("b", e2)):
        if ent.type == "Variant":
            f[f"{CONTEXT_FEATURES[1]}{role}={variant_kind(ent.id)}"] = 1.0
    for st in view.document_stems():
        f[CONTEXT_FEATURES[0] + st] = 1.0
    for c1 in tree_classes(view.tree(a), 1):
        for c2 in tree_classes(view.tree(b), 1):
            f[f"cls_pair={c1}|{c2}"] = 1.0
    if e1.type != e2.type and any(view.entity_sentences(x) & s1 for x in view.narrower(b)):
        f["b_narrower_cooccurs_with_a"] = 1.0
    m1, m2, i1, i2 = _closest(view, e1, e2)
    if i1 == i2:
        f.update(sentence_features(view, a, b, i1, m1, m2))
    else:
        f["cross_sentence"] = 1.0
        for st in view.sentence_stems(i1) | view.sentence_stems(i2):
            f["xs_trig:" + st] = 1.0
            f[f"{types}|trig:{st}"] = 1.0
        if pair_assertion(m1, m2) == "negated":  # trained as "either mention negated"
            f["xs_negated"] = 1.0
    for i, n1, n2 in sentence_pairs(view, a, b)[:MAX_SHARED_SENTENCES]:
        lo, hi = sorted(((n1.start, n1.end), (n2.start, n2.end)))
        words = view.tokens(lo[1], hi[0])[:MAX_BETWEEN_TOKENS] if hi[0] > lo[1] else []
        for w in words:
            f["any_btw:" + w] = 1.0
        for st in _stems(words):
            f[f"{types}|any_btw_trig:{st}"] = 1.0
    return f
