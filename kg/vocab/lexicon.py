"""A typed lexicon: lowercased surface form -> the concepts (and entity types) it can denote.

Built from MeSH disease name variants, MeSH preferred names, and the gold mention -> id pairs
of the *training* splits of BC5CDR, NCBI-disease and BioRED. Development splits are refused
outright: they are what the extractor and linker are evaluated on.

Raw gold forms are noisy for a matcher ("patients" is a Species in BioRED, "depression" is a
Disease in some contexts only), so two corpus-driven filters run at build time:

- type share: a type that a form carries in under 25% of its gold occurrences is dropped;
- annotation rate: a form that occurs at least 3 times in training texts of corpora that
  annotate its type, but is annotated there less than 30% of the time, is dropped.

Building takes a few seconds, so the result is pickled under the data dir, keyed by the
hashes of the input files and of this module's format version: changing any input rebuilds.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS

from spacy.language import Language
from spacy.matcher import PhraseMatcher

from kg.cache import cached_pickle
from kg.config import SHARED_DATA
from kg.errors import Errors, OntologyError
from kg.models import stable_hash, validate_curie
from kg.vocab.corpora import NOT_TRAINING, TRAIN_CORPORA, Corpus, training_documents
from kg.vocab.curie import to_curie
from kg.vocab.types import entity_type
from ontology.loaders import file_sha256

FORMAT_VERSION = "lexicon-v5"  # v5: normalise drops a sibilant's plural -es; v4: BioRED's "-" is no concept id;
# v3: dev-split documents skipped
MESH_DISEASE_TERMS = "ontology/mesh/mesh_disease_terms.tsv.gz"
MESH_DESCRIPTORS = "ontology/mesh/mesh_descriptors.csv.gz"
# Drug-name stems (INN) and chemical-class endings. MeSH descriptors come without tree numbers,
# so a one-word descriptor name with one of these endings is the only chemical signal we have
# for drugs the training corpora never mention. Deliberately left out: -in, -an (proteins,
# peptides), -ium (bacteria, fungi).
CHEMICAL_SUFFIXES = (
    "ine", "ol", "one", "ide", "ate", "azole", "azepam", "cillin", "mycin", "oxacin", "olol",
    "pril", "statin", "dipine", "caine", "profen", "barbital", "rubicin", "cycline",
    "thiazide", "sartan", "setron", "parin", "navir", "ciclovir", "fibrate", "fentanil",
    "gliptin", "coxib", "afil", "platin", "dronate", "zosin",
)  # fmt: skip
MIN_SUFFIX_NAME_CHARS = 7
MIN_FORM_CHARS = 3
MIN_TYPE_SHARE = 0.25
MIN_ANNOTATION_RATE = 0.30
MIN_OCCURRENCES_FOR_RATE = 3
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_NORMALISE_DROP = frozenset({"of", "the", "and", "in", "with", "nos", "a", "an", "to", "by"})

# Salt and hydrate words: MeSH names the parent drug ("metformin hydrochloride" is Metformin).
SALT = re.compile(
    r"(?:[\s,]+(?:hydrochloride|hcl|dihydrochloride|hydrobromide|sulfate|sulphate|mesylate|maleate|citrate|tartrate|"
    r"fumarate|succinate|besylate|tosylate|bromide|sodium|potassium|calcium|monohydrate|dihydrate|trihydrate))+$",
    re.IGNORECASE,
)
# The cation word of a salt's name ("sodium dipropylacetate", "potassium clavulanate").
CATIONS = r"(?:sodium|potassium|calcium|magnesium)"
# The anion word after it: a word in -ate, -ite or -ide.
ANION = re.compile(r"[a-z]{2,}(?:ate|ite|ide)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    """One reading of a form. ``concept_id`` is None when the gold mention had no id ("-1")."""

    concept_id: str | None
    type: str
    source: str
    count: int = 0  # gold occurrences in training corpora; ranks the readings of one form


_SIBILANT_PLURALS = ("sses", "shes", "ches", "xes", "zzes")  # plurals in -es: the -es goes


def normalise(text: str) -> str:
    """Key that ignores case, punctuation, plural -s or -es and word order ("Tumors, Brain" = "brain tumor",
    "Skin rashes" = "skin rash")."""
    tokens = []
    for tok in _NON_ALNUM.sub(" ", text.lower()).split():
        if tok in _NORMALISE_DROP:
            continue
        if len(tok) > 4 and tok.endswith("ies"):
            tok = tok[:-3] + "y"
        elif len(tok) > 5 and tok.endswith(_SIBILANT_PLURALS) and not tok.endswith("aches"):
            tok = tok[:-2]  # "rashes", "abscesses", "reflexes"; "headaches" is headache + s
        elif len(tok) > 3 and tok.endswith("s") and not tok.endswith(("ss", "us", "is")):
            tok = tok[:-1]
        tokens.append(tok)
    return " ".join(sorted(tokens))


@dataclass
class Lexicon:
    """Surface forms and concept names; plain data so tests can build a five-entry one by hand."""

    entries: dict[str, tuple[LexiconEntry, ...]]
    names: dict[str, str] = field(default_factory=dict)
    hash: str = ""
    normalised: dict[str, tuple[LexiconEntry, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.hash:
            self.hash = stable_hash(FORMAT_VERSION, sorted(self.entries.items()), sorted(self.names.items()))
        if not self.normalised:
            merged: dict[str, dict[tuple[str | None, str], LexiconEntry]] = defaultdict(dict)
            for form, entries in self.entries.items():
                bucket = merged[normalise(form)]
                for e in entries:
                    old = bucket.get((e.concept_id, e.type))
                    if old is None or e.count > old.count:
                        bucket[(e.concept_id, e.type)] = e
            self.normalised = {k: _ranked(v.values()) for k, v in merged.items() if k}

    @classmethod
    def from_entries(
        cls, rows: Iterable[tuple[str, str | None, str, str]], names: dict[str, str] | None = None
    ) -> Lexicon:
        """From ``(form, concept_id, type, source)`` rows; each row counts as one gold occurrence."""
        counts: dict[str, Counter[tuple[str | None, str, str]]] = defaultdict(Counter)
        for form, concept_id, type_, source in rows:
            counts[form.lower()][(concept_id, type_, source)] += 1
        return cls(entries=_entries_from_counts(counts), names=dict(names or {}))

    def lookup(self, text: str) -> tuple[LexiconEntry, ...]:
        return self.entries.get(text.lower(), ())

    def lookup_normalised(self, text: str) -> tuple[LexiconEntry, ...]:
        return self.normalised.get(normalise(text), ())

    def reads_as(self, text: str, type_: str) -> bool:
        """Whether ``text`` is a form (as written, else normalised) whose best-supported type is ``type_``."""
        readings = self.lookup(text) or self.lookup_normalised(text)
        return bool(readings) and best_type(readings)[0] == type_

    def __len__(self) -> int:
        return len(self.entries)


def _ranked(entries: Iterable[LexiconEntry]) -> tuple[LexiconEntry, ...]:
    return tuple(sorted(entries, key=lambda e: (-e.count, e.source, e.concept_id or "")))


def _entries_from_counts(
    counts: dict[str, Counter[tuple[str | None, str, str]]],
) -> dict[str, tuple[LexiconEntry, ...]]:
    return {
        form: _ranked(LexiconEntry(cid, t, src, n) for (cid, t, src), n in c.items())
        for form, c in counts.items()
    }


def build_matcher(nlp: Language, forms: Iterable[str]) -> tuple[PhraseMatcher, int]:
    """A LOWER PhraseMatcher with one key per form (tokenized by ``nlp``); returns it and the number of patterns."""
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    forms = list(forms)
    for form, pattern in zip(forms, nlp.tokenizer.pipe(forms), strict=True):
        matcher.add(form, [pattern])
    return matcher, len(forms)


def longest_matches(matches: Iterable[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """Non-overlapping token spans, longer (then earlier) first; input is PhraseMatcher output."""
    spans = sorted({(s, e) for _, s, e in matches}, key=lambda se: (se[0] - se[1], se[0]))
    taken: set[int] = set()
    kept = []
    for s, e in spans:
        if not taken.intersection(range(s, e)):
            kept.append((s, e))
            taken.update(range(s, e))
    return sorted(kept)


def best_type(readings: tuple[LexiconEntry, ...]) -> tuple[str, float]:
    """Type with most gold support; score = its share (1.0 when the form has one type)."""
    support: dict[str, int] = {}
    for e in readings:
        support[e.type] = support.get(e.type, 0) + e.count + 1
    total = sum(support.values())
    best = max(support, key=lambda t: (support[t], t))
    return best, support[best] / total


def _looks_like_drug(name: str) -> bool:
    lower = name.lower()
    return (
        len(name) >= MIN_SUFFIX_NAME_CHARS
        and lower.isalpha()
        and lower.endswith(CHEMICAL_SUFFIXES)
    )


def _is_noise(form: str) -> bool:
    return (
        len(form) < MIN_FORM_CHARS
        or form in STOP_WORDS
        or not any(ch.isalpha() for ch in form)
        or form.replace(" ", "").replace(".", "").replace(",", "").isdigit()
    )


def _corpora(shared_data: Path) -> list[Corpus]:
    """The training corpora there are: as the concept store, the lexicon of a user without them still has
    every MeSH name."""
    return [c for c in TRAIN_CORPORA if (shared_data / c.path).exists()]


def _inputs(shared_data: Path) -> list[Path]:
    """The MeSH files (required) and the training corpora there are."""
    paths = [shared_data / MESH_DISEASE_TERMS, shared_data / MESH_DESCRIPTORS]
    paths += [shared_data / c.path for c in _corpora(shared_data)]
    for p in paths:
        if not p.exists():
            raise OntologyError(Errors.E510, path=p)
        if p.parent.parent.name == "corpora" and NOT_TRAINING.search(p.name):
            raise OntologyError(Errors.E511, path=p)
    return paths


def _inputs_key(shared_data: Path) -> str:
    return stable_hash(FORMAT_VERSION, *(file_sha256(p) for p in _inputs(shared_data)))


def _read_tsv_gz(path: Path) -> Iterable[dict[str, str]]:
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            yield from csv.DictReader(fh, delimiter="\t" if path.name.endswith(".tsv.gz") else ",")
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as exc:
        raise OntologyError(Errors.E512, path=path, error=exc) from exc


def build_lexicon(shared_data: Path = SHARED_DATA) -> Lexicon:
    """Build from the files under ``shared_data`` (see the module docstring for the filters)."""
    digest = _inputs_key(shared_data)
    counts: dict[str, Counter[tuple[str | None, str, str]]] = defaultdict(Counter)
    names: dict[str, str] = {}
    concept_types: dict[str, str] = {}

    terms = shared_data / MESH_DISEASE_TERMS
    for row in _read_tsv_gz(terms):
        try:
            form, cid, pref = row["term"].strip().lower(), row["mesh_id"].strip(), row["preferred_name"]
        except (KeyError, AttributeError) as exc:
            raise OntologyError(Errors.E513, path=terms) from exc
        if form and validate_curie(cid):
            counts[form][(cid, "Disease", "mesh")] += 0
            names.setdefault(cid, pref)
            concept_types[cid] = "Disease"

    corpus_docs = []
    for corpus in _corpora(shared_data):
        for doc in training_documents(shared_data / corpus.path, shared_data):
            corpus_docs.append((doc, corpus.types))
            for ann in doc.annotations:
                type_ = entity_type(ann.type)
                ids = ann.concept_ids
                if type_ is None or len(ids) > 1:
                    continue  # composite mentions name several concepts: not one form's reading
                cid = to_curie(ids[0], type_) if ids else None
                counts[ann.text.lower()][(cid, type_, corpus.name)] += 1
                if cid:
                    concept_types.setdefault(cid, type_)

    descriptors = shared_data / MESH_DESCRIPTORS
    for row in _read_tsv_gz(descriptors):
        uri, name = row.get("id") or "", (row.get("subject") or "").strip()
        cid = "MESH:" + uri.rsplit("/", 1)[-1]
        if not name or not validate_curie(cid):
            continue
        names[cid] = name
        if cid in concept_types:
            counts[name.lower()][(cid, concept_types[cid], "mesh")] += 0
        elif _looks_like_drug(name):
            counts[name.lower()][(cid, "Chemical", "mesh-suffix")] += 0

    entries = _filter(_entries_from_counts({f: c for f, c in counts.items() if not _is_noise(f)}), corpus_docs)
    return Lexicon(entries=entries, names=names, hash=digest)


def _filter(
    entries: dict[str, tuple[LexiconEntry, ...]], corpus_docs: list
) -> dict[str, tuple[LexiconEntry, ...]]:
    kept: dict[str, tuple[LexiconEntry, ...]] = {}
    for form, readings in entries.items():
        per_type = Counter()
        for e in readings:
            per_type[e.type] += e.count
        total = sum(per_type.values())
        if total >= 2:
            readings = tuple(e for e in readings if per_type[e.type] / total >= MIN_TYPE_SHARE)
        if readings:
            kept[form] = readings
    rates = _annotation_rates(kept, corpus_docs)
    out = {}
    for form, readings in kept.items():
        readings = tuple(
            e
            for e in readings
            if not (
                (seen := rates.get((form, e.type), (0, 0)))[0] >= MIN_OCCURRENCES_FOR_RATE
                and seen[1] / seen[0] < MIN_ANNOTATION_RATE
            )
        )
        if readings:
            out[form] = readings
    return out


def _annotation_rates(
    entries: dict[str, tuple[LexiconEntry, ...]], corpus_docs: list
) -> dict[tuple[str, str], tuple[int, int]]:
    """(form, type) -> (occurrences, gold-annotated occurrences) in corpora that annotate the type.

    Matches are made exactly as the extractor makes them (longest match wins), so "cancer"
    inside an annotated "breast cancer" does not count against "cancer".
    """
    import spacy

    nlp = spacy.blank("en")
    matcher, _ = build_matcher(nlp, entries.keys())
    strings = nlp.vocab.strings
    seen: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for doc, (pdoc, annotated) in zip(
        nlp.tokenizer.pipe(d.text for d, _ in corpus_docs), corpus_docs, strict=True
    ):
        gold = {(a.start, a.end) for a in pdoc.annotations}
        matches = matcher(doc)
        forms = {(s, e): strings[key] for key, s, e in matches}
        for start, end in longest_matches(matches):
            span = doc[start:end]
            form = forms[(start, end)]
            hit = (span.start_char, span.end_char) in gold
            for type_ in {e.type for e in entries.get(form, ())} & annotated:
                counter = seen[(form, type_)]
                counter[0] += 1
                counter[1] += hit
    return {k: (v[0], v[1]) for k, v in seen.items()}


def load_lexicon(shared_data: Path = SHARED_DATA, cache_dir: Path | None = None) -> Lexicon:
    """The lexicon, from the pickle cache when the input files are unchanged, else built and cached.

    ``cache_dir`` defaults to the settings' cache (``MEDKG_CACHE_DIR``, else ``<data_dir>/cache``).
    """
    if cache_dir is None:
        from kg.config import load_settings

        cache_dir = load_settings().cache_path
    key = _inputs_key(shared_data)
    cache = Path(cache_dir) / f"lexicon-{key[:16]}.pkl"
    return cached_pickle(
        cache, lambda cached: isinstance(cached, Lexicon) and cached.hash == key, lambda: build_lexicon(shared_data)
    )
