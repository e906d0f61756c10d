"""Species mentions -> NCBI Taxonomy ids, and species found in a document's text.

Names come from the MeSH organism descriptors that carry NCBI Taxonomy ids (``Mice`` ->
10090) and from the species mentions of the training splits ("patients" -> 9606, "HBV" ->
10407). People words ("patients", "women", "children") count as human for context but are
*generic*: a graph can keep them from drawing every clinical paper into one "human" hub.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.cache import cached_pickle
from kg.config import SHARED_DATA
from kg.models import stable_hash
from kg.vocab.context import SpeciesMention
from kg.vocab.learned import inputs_key, learned_names, training_docs, training_path
from ontology.loaders import open_binary, read_mesh_descriptor_terms

# v2: "adult", "newborn", "adolescent" are adjectives, no people words; v3: a MeSH organism's taxon as
# training names it, a name's singular and plural alike; the taxa of other animals, plants and fungi
FORMAT_VERSION = "species-v3"
MESH_DESCRIPTORS = "ontology/mesh/mesh2024_descriptor_terms.tsv.gz"
HUMAN, MOUSE, RAT = "NCBITaxon:9606", "NCBITaxon:10090", "NCBITaxon:10116"
# Not "adult", "newborn" or "adolescent": abstracts use them as adjectives ("adult mice", "adult stem
# cells", "newborn rats"), which made a mouse paper's genes human.
GENERIC_HUMAN = frozenset({
    "patient", "patients", "woman", "women", "man", "men", "child", "children", "infant", "infants",
    "adults", "people", "person", "persons", "participant", "participants", "volunteer", "volunteers",
    "boy", "boys", "girl", "girls", "inpatient", "inpatients", "outpatient", "outpatients", "neonate", "neonates",
    "newborns", "adolescents", "proband", "probands", "individuals", "subjects",
})  # fmt: skip
# Species words that ride on other words ("murine models", "rat liver") with the taxon they mean.
_ADJECTIVES = {"murine": MOUSE, "human": HUMAN, "rat": RAT, "mouse": MOUSE}
_IRREGULAR = {"mice": "mouse", "men": "man", "women": "woman", "children": "child", "geese": "goose", "teeth": "tooth"}
_TOKEN = re.compile(r"[A-Za-z0-9]+")
MAX_NGRAM = 4
MIN_SCAN_CHARS = 3


def _key(text: str) -> str:
    return " ".join(_TOKEN.findall(text.lower()))


def _singular(key: str) -> str:
    last = key.rsplit(" ", 1)[-1]
    if last in _IRREGULAR:
        return key[: len(key) - len(last)] + _IRREGULAR[last]
    if len(last) > 3 and last.endswith("s") and not last.endswith("ss"):
        return key[:-1]
    return key


@dataclass
class SpeciesNormalizer:
    """``names``: key (lowercased alphanumeric tokens joined by spaces) -> taxon CURIE;
    ``other_eukaryotes``: see :meth:`is_other_eukaryote`."""

    names: dict[str, str]
    generic: frozenset[str] = GENERIC_HUMAN
    version: str = field(kw_only=True)
    other_eukaryotes: frozenset[str] = field(default=frozenset(), kw_only=True)
    _scan: dict[str, str] = field(default_factory=dict, repr=False)
    _starts: frozenset[str] = field(default=frozenset(), repr=False)

    def __post_init__(self) -> None:
        self._scan = {k: v for k, v in self.names.items() if len(k) >= MIN_SCAN_CHARS}
        self._scan.update(dict.fromkeys(self.generic, HUMAN))
        self._starts = frozenset(k.split(" ", 1)[0] for k in self._scan) | frozenset(_ADJECTIVES)

    def normalize(self, text: str) -> tuple[str | None, bool]:
        """(NCBI Taxonomy CURIE or None, generic): ``"patients"`` -> ``("NCBITaxon:9606", True)``."""
        key = _key(text)
        if key in self.generic or _singular(key) in self.generic:
            return HUMAN, True
        for k in (key, _singular(key)):
            if k in self.names:
                return self.names[k], False
        words = key.split(" ")
        for j in range(1, len(words)):  # "Sprague-Dawley rats", "C57BL/6 mice": the head noun names it
            suffix = " ".join(words[j:])
            for k in (suffix, _singular(suffix)):
                if k in self.names:
                    return self.names[k], False
        return None, False

    def is_other_eukaryote(self, taxon: str) -> bool:
        """Whether ``taxon`` is an animal, plant or fungus other than human, mouse and rat, and not a
        group that holds one of them ("mammals") nor a strain of one (by its MeSH tree numbers): a
        paper about zebrafish or flies names their genes, for which medkg has no gene file. Viruses
        and bacteria are not: a paper about HIV names its host's genes (CCR5)."""
        return taxon in self.other_eukaryotes

    def find(self, text: str) -> Iterator[SpeciesMention]:
        """Species names in ``text``, longest first, non-overlapping: the document's species context.

        Adjectives count too ("murine macrophages", "human TP53"): they say which species a
        gene or cell is, which is what context is for.
        """
        tokens = list(_TOKEN.finditer(text))
        words = [t.group().lower() for t in tokens]
        i = 0
        while i < len(tokens):
            if words[i] not in self._starts and _singular(words[i]) not in self._starts:
                i += 1
                continue
            for n in range(min(MAX_NGRAM, len(tokens) - i), 0, -1):
                span = tokens[i : i + n]
                key = " ".join(words[i : i + n])
                taxon = self._scan.get(key) or self._scan.get(_singular(key))
                if taxon is None and n == 1:
                    taxon = _ADJECTIVES.get(key)
                if taxon is not None:
                    generic = key in self.generic or _singular(key) in self.generic
                    yield SpeciesMention(span[0].start(), span[-1].end(), taxon, generic)
                    i += n
                    break
            else:
                i += 1

    @classmethod
    def build(cls, shared_data: Path = SHARED_DATA) -> SpeciesNormalizer:
        """MeSH organism names, each descriptor's with the taxon training prefers for it, then
        training-split names on top (majority taxon per name, its singular and plural counted as one)."""
        trained: dict[str, Counter] = defaultdict(Counter)  # a name's singular key -> taxon votes
        keys: set[str] = set()
        for (text, raw), n in learned_names(training_docs(shared_data), "Species").items():
            if raw.isdigit() and (key := _key(text)):
                keys.add(key)
                trained[_singular(key)][f"NCBITaxon:{raw}"] += n
        names: dict[str, str] = {}
        trees: dict[str, set[str]] = defaultdict(set)  # taxon -> the MeSH tree numbers of its descriptors
        mesh = Path(shared_data) / MESH_DESCRIPTORS
        if mesh.exists():
            listed = _listed_taxa(mesh)
            used: Counter = sum(trained.values(), Counter())
            descriptor_trees: dict[str, list[str]] = {}
            for term in read_mesh_descriptor_terms(mesh, quarantine=[]):
                if term.id.startswith("MESH:"):
                    descriptor_trees[term.id] = [t.removeprefix("MESHTREE:") for t in term.parents]
                elif term.id.startswith("NCBITaxon:"):
                    descriptor = term.xrefs[0] if term.xrefs else ""
                    own = [_key(name) for name in (term.name, *(s for s, _ in term.synonyms))]
                    taxon = _descriptor_taxon(term.id, own, listed.get(descriptor, ()), trained, used)
                    for key in own:
                        names.setdefault(key, taxon)
                    trees[taxon].update(descriptor_trees.get(descriptor, ()))
        for key in keys:
            names[key] = names[_singular(key)] = trained[_singular(key)].most_common(1)[0][0]
        return cls(names=names, version=_version(shared_data), other_eukaryotes=_other_eukaryotes(trees))

    @classmethod
    def load(cls, shared_data: Path = SHARED_DATA, cache_dir: Path | None = None) -> SpeciesNormalizer:
        """Built once, then read from ``<cache_dir>/species-<inputs>.pkl``."""
        if cache_dir is None:
            return cls.build(shared_data)
        version = _version(shared_data)
        return cached_pickle(
            Path(cache_dir) / f"species-{version}.pkl",
            lambda cached: isinstance(cached, SpeciesNormalizer) and cached.version == version,
            lambda: cls.build(shared_data),
        )


def _descriptor_taxon(first: str, keys: list[str], listed: tuple[str, ...], trained: dict[str, Counter],
                      used: Counter) -> str:
    """The taxon of a MeSH organism descriptor: the one training gives its own names (BioRED's
    "rhesus monkeys" are 9544, which Macaca mulatta does not list), else the one of the taxa it lists
    that training uses most (BioRED's "bovine" is 9913, Cattle lists 30521|9913|9915), else the
    first it lists (``first``, the loader's choice)."""
    own: Counter = Counter()
    for key in {_singular(k) for k in keys}:
        own.update(trained.get(key, {}))
    if own:
        return own.most_common(1)[0][0]
    return max((t for t in listed if used[t]), key=lambda t: used[t], default=first)


def _listed_taxa(path: Path) -> dict[str, tuple[str, ...]]:
    """MeSH descriptor -> the NCBI Taxonomy ids it lists where it lists several (``MESH:D002417``,
    Cattle: 30521, 9913, 9915); :func:`~ontology.loaders.read_mesh_descriptor_terms` keeps the first."""
    out: dict[str, tuple[str, ...]] = {}
    with open_binary(path) as fh:
        header = fh.readline().decode("utf-8-sig").rstrip("\r\n").split("\t")
        if "taxon_ids" not in header:
            return out
        at, taxa_at = header.index("id"), header.index("taxon_ids")
        for raw in fh:
            cols = raw.decode("utf-8", "replace").rstrip("\r\n").split("\t")
            if len(cols) > taxa_at and "|" in cols[taxa_at]:
                out[f"MESH:{cols[at]}"] = tuple(f"NCBITaxon:{t}" for t in cols[taxa_at].split("|") if t.isdigit())
    return out


def _other_eukaryotes(trees: dict[str, set[str]]) -> frozenset[str]:
    """The taxa whose MeSH trees are all under Eukaryota (B01) and none above, at or below the
    trees of human, mouse and rat: other animals, plants and fungi."""
    ours = [t for taxon in (HUMAN, MOUSE, RAT) for t in trees.get(taxon, ())]

    def related(tree: str) -> bool:
        return any(tree == t or t.startswith(tree + ".") or tree.startswith(t + ".") for t in ours)

    return frozenset(taxon for taxon, found in trees.items() if found and taxon not in (HUMAN, MOUSE, RAT)
                     and all(t.startswith("B01.") and not related(t) for t in found))


def _version(shared_data: Path) -> str:
    return stable_hash(FORMAT_VERSION, inputs_key(Path(shared_data) / MESH_DESCRIPTORS, training_path(shared_data)))[:12]
