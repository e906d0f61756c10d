"""Gene mentions -> NCBI Gene ids (``NCBIGene:7157``), with the species the document is about.

Symbols are shared across species (TP53, Trp53 and Tp53 are the human, mouse and rat p53) and
within a species aliases are shared by several genes, so a name alone is not enough:

1. **Species** of a mention: a species word in it or just before it ("mouse p53"), else the
   nearest species named before it in its sentence, else the species the document names most
   (title counts double, people words like "patients" half); when it names no human or rodent,
   the species most of its gene symbols are written for ("Ctr9, Sox2, Mest": mouse), else,
   where it names another animal, plant or fungus (zebrafish, Drosophila), that species, whose
   genes are NIL but for names training gave a gene of another species; else human (a paper
   that names only viruses or bacteria names its host's genes). How a symbol is written then
   has a say where the document names that species: "Nanog" is the mouse gene, "ADAM12" the
   human one.
2. **Candidates** of that species: the gene whose symbol, name, previous symbol, alias or other
   designation (in that order of trust) the mention is, compared case- and punctuation-blind
   with Greek letters spelled out ("TNF-alpha" = "TNFα" = "tnfa"); fallbacks drop "gene" or
   "protein", a species prefix, a plural s, or read an abbreviation defined inside the mention
   ("tumor necrosis factor (TNF)-alpha"). A name of another species reaches this one's gene
   through HGNC's ortholog groups (TP53 in a mouse paper is Trp53); one without an ortholog in
   the species is NIL. Names learned from training mentions rank first; a family's name stands
   for its first member by that member's symbol or official name ("histone deacetylase" is HDAC1;
   "T-cell factor" is not TCF7, whose other designation "T-cell factor 1" is) and a coordination
   for its first gene ("MMP-2/-9" is MMP2) only when nothing else matched. A short form the
   document spells out is the one gene its long form names where it is a name of that gene too
   or no more than an alias of another ("HDAC" for "histone deacetylase" is HDAC1, not HDAC9).
3. **Ambiguity** left among the best candidates is resolved by the document: the long form of
   an abbreviation, then the other gene mentions (an unambiguous "hepatocyte nuclear factor 6"
   elsewhere settles "HNF6"), then genes MeSH indexes as proteins ("iNOS" is NOS2, not
   ISYNA1), then protein-coding genes. What is still tied is NIL, and so are names no source
   lists.

Human genes come from HGNC, mouse genes from NCBI's ``gene_info``, rat genes from RGD (whose
file has no NCBI ids: rat genes are ``RGD:`` ids unless training mentions gave their NCBI id).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from kg.cache import cached_pickle
from kg.config import SHARED_DATA
from kg.models import stable_hash
from kg.vocab.compact import KeyTable, StringList
from kg.vocab.context import DocContext
from kg.vocab.learned import inputs_key, learned_names, training_docs, training_path
from kg.vocab.species import HUMAN, MOUSE, RAT, SpeciesNormalizer
from ontology import loaders

# v2: MeSH gene-product records; v3: microRNAs as their MIR genes; v4: symbol-style species vote;
# v5: no phenotype loci; v6: "protease" = "proteinase", numbered members of abbreviated families;
# v7: a learned name yields to another gene's official symbol; v8: no other species' gene without
# an ortholog, a family's first member only by symbol or name, a spelled-out short form's gene;
# v9: a paper about another animal, plant or fungus is not human
FORMAT_VERSION = "genes-v9"
HGNC = "ontology/genes/hgnc_entries.tsv.gz"
MOUSE_GENE_INFO = "ontology/genes/Mus_musculus.gene_info.gz"
RGD = "ontology/genes/rgd_entries.tsv.gz"
MESH_SUPPLEMENTARY = "ontology/mesh/mesh2024_supplementary_terms.tsv.gz"
# The gene files the index is built from, in the order their digests enter the version
# (genes._version and normalizers.version_of).
INPUT_FILES = (HGNC, MOUSE_GENE_INFO, RGD, MESH_SUPPLEMENTARY)
OTHER_SPECIES = "other"  # any other species: its genes are only those training names
TAXA: tuple[str, ...] = (HUMAN, MOUSE, RAT, OTHER_SPECIES)
# How much a kind of name is trusted (lower is better): a learned name was a gold mention.
LEARNED, SYMBOL, NAME, PREVIOUS, ALIAS, OTHER = 0, 1, 2, 3, 4, 5
ORTHOLOG_PENALTY = 1
FAMILY_PENALTY = 2
GENERIC_WEIGHT = 0.5  # how much "patients" counts towards a human paper, against a named species (tuned on dev)
FAMILY_SUFFIXES = ("1", "a")
SCORES = {LEARNED: 1.0, SYMBOL: 1.0, NAME: 0.95, PREVIOUS: 0.9, ALIAS: 0.85, OTHER: 0.8}

_GREEK_CHARS = str.maketrans({"α": "a", "β": "b", "γ": "g", "δ": "d", "ε": "e", "κ": "k", "λ": "l",
                              "μ": "m", "σ": "s", "θ": "t", "ζ": "z", "ω": "o", "τ": "t"})
_GREEK_WORDS = re.compile(r"alpha|beta|gamma|delta|epsilon|kappa|lambda|sigma|omega|theta|zeta")
_GREEK_SHORT = re.compile(r"(?<![a-z])(mu|tau|eta|nu|xi|pi|rho|chi|psi)(?![a-z])")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_NOISE_TAIL = re.compile(
    r"[\s-]+(?:genes?|proteins?|mrnas?|transcripts?|expression|levels?|isoforms?|polypeptides?|products?)$",
    re.IGNORECASE,
)
_INNER_ABBREVIATION = re.compile(r"^(?P<long>.+?)\s*\((?P<short>[A-Za-z][\w-]*)\)\s*(?P<rest>[-\w]*)$")
_SPECIES_PREFIX = re.compile(r"^(human|mouse|murine|mice|rat|rats)[\s-]+", re.IGNORECASE)
_LETTER_PREFIX = re.compile(r"^([hmr])(?=[A-Z0-9])")
# "miRNA-193a", "hsa-miR-21-5p": the MIR gene ("MIR193A", "MIR21") of a microRNA written as a mature one
_MICRORNA = re.compile(r"^(?:(?:hsa|mmu|rno)-)?(?:micro-?rna|mirna|mir)[\s-]*(?P<name>\d+[a-z]?(?:-\d+)?)(?:-[35]p)?$",
                       re.IGNORECASE)
_PREFIX_TAXON = {"human": HUMAN, "mouse": MOUSE, "murine": MOUSE, "mice": MOUSE, "rat": RAT, "rats": RAT}


def gene_key(text: str) -> str:
    """Case-, space- and punctuation-blind key with Greek letters as one Latin letter: "TNF-alpha" -> "tnfa";
    "proteinase" and "protease", which names use alike ("proteinase-activated receptor 1"), are one word."""
    t = text.lower().replace("proteinase", "protease").translate(_GREEK_CHARS)
    t = _GREEK_WORDS.sub(lambda m: m.group()[0], t)
    t = _GREEK_SHORT.sub(lambda m: m.group()[0], t)
    return _NON_ALNUM.sub("", t)


@dataclass
class GeneIndex:
    """Plain data, picklable. ``table`` maps a key to ``(gene index, kind)`` pairs; ``learned``
    maps a key to the genes training mentions gave it, with their counts."""

    ids: StringList
    symbols: StringList  # official symbol, case kept ("Trp53"): rodent symbols are told apart by case
    taxa: np.ndarray  # int8 index into TAXA
    coding: np.ndarray  # bool: protein-coding
    studied: np.ndarray  # bool: MeSH has a "<SYMBOL> protein, <species>" record (literature enough to index)
    table: KeyTable
    orthologs: dict[int, tuple[int, ...]]  # gene -> its orthologs (HGNC's human-mouse-rat groups)
    learned: dict[str, dict[int, int]]
    version: str


def _build_index(shared_data: Path, version: str, species: SpeciesNormalizer) -> GeneIndex:
    ids: list[str] = []
    symbols: list[str] = []
    taxa: list[int] = []
    coding: list[bool] = []
    pos: dict[str, int] = {}
    names: dict[str, dict[int, int]] = defaultdict(dict)

    def add_gene(curie: str, taxon: str, protein_coding: bool = True, symbol: str = "") -> int:
        if curie not in pos:
            pos[curie] = len(ids)
            ids.append(curie)
            symbols.append(symbol)
            taxa.append(TAXA.index(taxon) if taxon in TAXA else TAXA.index(OTHER_SPECIES))
            coding.append(protein_coding)
        return pos[curie]

    def add_names(i: int, texts: Iterable[str], kind: int) -> None:
        for text in texts:
            if (key := gene_key(text)) and kind < names[key].get(i, OTHER + 1):
                names[key][i] = kind

    records: list[loaders.GeneRecord] = []
    for rel, reader in ((HGNC, loaders.read_hgnc), (MOUSE_GENE_INFO, loaders.read_gene_info), (RGD, loaders.read_rgd)):
        if (path := Path(shared_data) / rel).exists():
            records.extend(reader(path, quarantine=[]))
    mgi_to_gene: dict[str, int] = {}
    # Loci known by a phenotype or a QTL are no gene products: their symbols ("Par1", "act") would
    # outrank the aliases of the genes papers mean (F2r is "PAR1"); no training mention names one.
    records = [g for g in records if not g.phenotype_locus]
    for g in records:
        i = add_gene(g.id, f"NCBITaxon:{g.taxon}", g.protein_coding, g.symbol)
        add_names(i, (g.symbol,), SYMBOL)
        add_names(i, (g.name,), NAME)
        add_names(i, g.previous, PREVIOUS)
        add_names(i, g.aliases, ALIAS)
        add_names(i, g.other_names, OTHER)
        for x in g.xrefs:
            if x.startswith("MGI:"):
                mgi_to_gene[x] = i
    groups: list[tuple[int, ...]] = []
    for g in records:
        found = tuple(j for o in g.orthologs if (j := mgi_to_gene.get(o, pos.get(o))) is not None)
        if found:
            groups.append((pos[g.id], *found))
    orthologs: dict[int, tuple[int, ...]] = defaultdict(tuple)
    for group in groups:  # every member of an ortholog group reaches the others, both ways
        for i in group:
            orthologs[i] += tuple(j for j in group if j != i)
    studied = np.zeros(len(ids), dtype=bool)
    by_symbol = {(taxa[i], symbols[i].upper()): i for i in range(len(ids)) if symbols[i]}
    for taxon, symbol, terms in _mesh_gene_products(Path(shared_data) / MESH_SUPPLEMENTARY):
        if (i := by_symbol.get((TAXA.index(taxon), symbol.upper()))) is not None:
            studied[i] = True
            add_names(i, terms, OTHER)
    learned: dict[str, dict[int, int]] = defaultdict(dict)
    docs = list(training_docs(shared_data))
    for doc in docs:
        # an NCBI id the human and mouse files lack is a rat gene in a paper about rats, else another species'
        named = {s.taxon for s in species.find(doc.text)}
        doc_taxon = RAT if RAT in named else OTHER_SPECIES
        for (text, raw), n in learned_names([doc], "Gene").items():
            if not raw.isdigit():
                continue
            curie = f"NCBIGene:{raw}"
            i = pos[curie] if curie in pos else add_gene(curie, doc_taxon)
            if key := gene_key(text):
                learned[key][i] = learned[key].get(i, 0) + n
    return GeneIndex(
        ids=StringList(ids), symbols=StringList(symbols), taxa=np.array(taxa, dtype=np.int8),
        coding=np.array(coding, dtype=bool), studied=np.concatenate([studied, np.zeros(len(ids) - len(studied), bool)]),
        table=KeyTable(names), orthologs=dict(orthologs), learned=dict(learned), version=version,
    )


@lru_cache(maxsize=2)
def _cached_index(path: Path, shared_data: Path, version: str) -> GeneIndex:
    """The index read from (or built into) ``path``, once per process: the extractor's gene-list
    rule and the linker's normaliser share it (the index is plain data, never changed)."""
    return cached_pickle(
        path,
        lambda cached: isinstance(cached, GeneIndex) and cached.version == version,
        lambda: _build_index(shared_data, version, SpeciesNormalizer.load(shared_data, path.parent)),
    )


_PRODUCT = re.compile(r"^(?P<symbol>\S+) protein, (?P<species>human|mouse|rat)$")
_PRODUCT_TAXA = {"human": HUMAN, "mouse": MOUSE, "rat": RAT}
_SPECIES_SUFFIX = re.compile(r"(?:\s+protein)?,\s+(?:human|mouse|rat)$")


def _mesh_gene_products(path: Path) -> Iterable[tuple[str, str, list[str]]]:
    """(taxon, symbol, other names) of MeSH's gene-product records ("NOS2 protein, human": "iNOS",
    "inducible nitric oxide 2A"). MeSH makes one for proteins the literature indexes, so having
    one says a gene is well studied: what settles "iNOS" between NOS2 and ISYNA1."""
    if not path.exists():
        return
    with loaders.open_binary(path) as fh:
        for raw in fh:
            if b" protein, " not in raw:
                continue
            cols = raw.decode("utf-8", "replace").rstrip("\r\n").split("\t")
            if len(cols) >= 3 and (m := _PRODUCT.match(cols[1])):
                terms = [_SPECIES_SUFFIX.sub("", t) for t in cols[2].split("|") if t]
                yield _PRODUCT_TAXA[m["species"]], m["symbol"], terms


# A numbered gene family: a name and a number ("caspase-3", "FGF receptors 2"), then more numbers.
NUMBER = re.compile(r"\d{1,3}[A-Za-z]?")
_MORE = rf"(?:\s*(?:/|,\s*(?:and|or)?|and|or|&)\s*-?\s*{NUMBER.pattern}(?![\w-]))+"
FAMILY = re.compile(rf"^(?P<stem>.*?[A-Za-z])(?P<sep>[\s-]?)(?P<num>{NUMBER.pattern})(?P<more>{_MORE})?$")
MORE_NUMBERS = re.compile(rf"^{_MORE}")  # the rest of a family written after its first member
_OTHER_MEMBERS = re.compile(r"\s*(?:/|,|\band\b|\bor\b|&)\s*")


def family_member(stem: str, sep: str, number: str) -> str:
    """One member's name: "matrix metalloproteinases" + " " + "2" is "matrix metalloproteinase 2"."""
    last = stem.split()[-1] if stem.split() else ""
    if len(last) > 4 and last.islower() and last.endswith("s") and not last.endswith("ss"):
        stem = stem[:-1]
    return f"{stem}{sep}{number}"


def _members(text: str) -> list[str]:
    """The genes a coordinated mention names: "MMP-2/-9" -> MMP-2, MMP-9; "IL-4 and IL-13" -> both."""
    text = text.strip()
    if (m := FAMILY.match(text)) and m["more"]:
        return [family_member(m["stem"], m["sep"], n) for n in [m["num"], *NUMBER.findall(m["more"])]]
    parts = [p for p in _OTHER_MEMBERS.split(text) if p]
    return parts if len(parts) > 1 else []


def _majority(counts: Counter) -> str:
    """The most-named of human, mouse and rat (human on ties and when none is named)."""
    best = max((HUMAN, MOUSE, RAT), key=lambda t: (counts.get(t, 0), t == HUMAN))
    return best if counts.get(best, 0) > 0 else HUMAN


@dataclass
class GeneNormalizer:
    """Gene mentions of one document -> ``(NCBIGene CURIE or None, score)``; see the module docstring.

    >>> normalizer = GeneNormalizer.load(cache_dir=Path(".medkg/cache"))   # doctest: +SKIP
    >>> ctx = DocContext.build(text, species=normalizer.species, genes=[text[s:e] for s, e in spans])
    >>> normalizer.normalize([(text[s:e], s, e) for s, e in spans], ctx)
    """

    index: GeneIndex
    species: SpeciesNormalizer
    generic_weight: float = GENERIC_WEIGHT
    sentence_species: bool = True
    non_ncbi: bool = False  # also answer with RGD/MGI ids where NCBI Gene has none (BioRED-style scoring counts them wrong)
    _memo: dict = field(default_factory=dict, repr=False)
    _symbols: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def version(self) -> str:
        return f"{FORMAT_VERSION}-{self.index.version}"

    @classmethod
    def build(cls, shared_data: Path = SHARED_DATA) -> GeneNormalizer:
        species = SpeciesNormalizer.build(shared_data)
        return cls(_build_index(shared_data, _version(shared_data), species), species)

    @classmethod
    def load(cls, shared_data: Path = SHARED_DATA, cache_dir: Path | None = None) -> GeneNormalizer:
        """Built once from the gene files and the training split, then read from ``<cache_dir>``."""
        if cache_dir is None:
            return cls.build(shared_data)
        version = _version(shared_data)
        species = SpeciesNormalizer.load(shared_data, cache_dir)
        return cls(_cached_index(Path(cache_dir) / f"genes-{version}.pkl", Path(shared_data), version), species)

    def symbol(self, curie: str) -> str | None:
        """The official symbol of a gene this normaliser has answered with."""
        return self._symbols.get(curie)

    def is_symbol(self, text: str) -> bool:
        """Whether ``text`` is the official symbol of a human, mouse or rat gene, compared case-,
        punctuation- and Greek-blind as names are ("b2m" is B2m's, "IL-6" IL6's); a microRNA
        however written is its MIR gene's ("miRNA-193a", "hsa-miR-21-5p")."""
        return any(kind == SYMBOL for _, kind in self.index.table.get(gene_key(_mir_gene(text.strip()) or text)))

    def is_name(self, text: str) -> bool:
        """Whether ``text`` (or a fallback reading of it: without "gene", a plural s, an inner
        abbreviation) is a name of a human, mouse or rat gene, or was a gold gene mention in training."""
        return any(k in self.index.learned or any(self.index.taxa[i] < 3 for i, _ in self.index.table.get(k))
                   for k in self._keys(text))

    # -- one document -------------------------------------------------------------------------
    def normalize(self, mentions: Sequence[tuple[str, int, int]], context: DocContext) -> list[tuple[str | None, float]]:
        """``(text, start, end)`` gene mentions of the document ``context`` describes -> ``(CURIE or None, score)``."""
        counts = context.species_counts(generic_weight=self.generic_weight)
        doc_taxon = _majority(counts)
        if not any(counts.get(t, 0) for t in (HUMAN, MOUSE, RAT)):
            # A document that names no human or rodent is about the species its symbols are
            # written for: "Ctr9, Sox2, Mest" are mouse genes, so its "Oct4" is mouse's too ...
            styles = Counter(self._symbol_style(g) for g in set(context.genes))
            if styles["rodent"] > max(1, styles["human"]):
                doc_taxon = MOUSE
            elif any(self.species.is_other_eukaryote(t) for t in counts):
                # ... else one about zebrafish or flies names their genes, which no gene file has:
                # only a name training learned for another species' gene is one
                doc_taxon = OTHER_SPECIES
        long_forms = context.long_forms
        comentioned = self._unambiguous(context.genes, doc_taxon)
        out = []
        rodent = RAT if counts.get(RAT, 0) > counts.get(MOUSE, 0) else MOUSE
        has_human, has_rodent = counts.get(HUMAN, 0) > 0, counts.get(MOUSE, 0) + counts.get(RAT, 0) > 0
        for text, start, end in mentions:
            taxon = self._said_species(text, start, context)
            if taxon is None:
                taxon = self._context_species(start, context, doc_taxon)
                # How a symbol is written tells the species where the document names it: "Nanog"
                # is the mouse gene unless only people are mentioned, "ADAM12" the human one
                # when people are mentioned at all.
                style = self._symbol_style(text)
                if style == "rodent" and taxon == HUMAN and (has_rodent or not has_human):
                    taxon = rodent
                elif style == "human" and taxon != HUMAN and has_human:
                    taxon = HUMAN
            long = long_forms.get(text.strip()) or _numbered_long_form(text.strip(), long_forms)
            ranked = self._spelled_out(long, taxon, self._ranked(text, taxon))
            if not ranked:  # "MMP-2/-9", "ERK1/2": the first member a coordination names
                ranked = next((r for part in _members(text) if (r := self._ranked(part, taxon))), [])
            best = [g for g, rank in ranked if rank == ranked[0][1]] if ranked else []
            if len(best) > 1:
                best = self._disambiguate(best, long, taxon, comentioned)
            if len(best) != 1:
                out.append((None, 0.0))
                continue
            rank = dict(ranked)[best[0]]
            curie = self.index.ids[best[0]]
            if not self.non_ncbi and not curie.startswith("NCBIGene:"):
                out.append((None, 0.0))
                continue
            if symbol := self.index.symbols[best[0]]:
                self._symbols[curie] = symbol
            out.append((curie, SCORES.get(min(rank, OTHER), 0.8)))
        return out

    @staticmethod
    def _said_species(text: str, start: int, context: DocContext) -> str | None:
        """The species a word in or right before the mention names ("mouse p53", "human TP53")."""
        if m := _SPECIES_PREFIX.match(text):
            return _PREFIX_TAXON[m.group(1).lower()]
        window = context.text[max(0, start - 12) : start].lower().split()
        return _PREFIX_TAXON.get(window[-1]) if window else None

    def _context_species(self, start: int, context: DocContext, doc_taxon: str) -> str:
        """The species named nearest before the mention in its sentence, else the document's."""
        near = context.species_before(start) if self.sentence_species else None
        if near is not None and near.taxon in (HUMAN, MOUSE, RAT):
            return near.taxon
        return doc_taxon

    def _symbol_style(self, text: str) -> str | None:
        """``"rodent"`` for a mouse or rat symbol written as such ("Nanog", "Cacna2d4"), ``"human"``
        for a human symbol ("ADAM12") that is no rodent one: case is how papers tell them apart."""
        text = text.strip()
        readings = self.index.table.get(gene_key(text))
        human = any(self.index.taxa[i] == 0 and self.index.symbols[i] == text for i, _ in readings)
        rodent = any(self.index.taxa[i] in (1, 2) and self.index.symbols[i] == text for i, _ in readings)
        if human != rodent:
            return "human" if human else "rodent"
        return None

    def _keys(self, text: str) -> list[str]:
        """The mention's key, then fallbacks: an abbreviation defined inside it with what follows
        ("tumor necrosis factor (TNF)-alpha" -> "TNF-alpha") or the text without it, without
        "gene"/"protein"/"mRNA", without a species prefix ("human", "h"), a microRNA as its MIR
        gene ("miRNA-21-5p" -> "mir21"), without a plural s."""
        text = text.strip()
        out = [text]
        if m := _INNER_ABBREVIATION.match(text):
            out += [m["short"] + m["rest"], f"{m['long']} {m['rest']}".strip()]
            text = out[-1]
        trimmed = _NOISE_TAIL.sub("", text)
        out.append(trimmed)
        out.append(_SPECIES_PREFIX.sub("", trimmed))
        if _LETTER_PREFIX.match(trimmed) and len(trimmed) > 3:
            out.append(trimmed[1:])
        if mir := _mir_gene(trimmed):
            out.append(mir)
        keys = [gene_key(t) for t in out]
        keys += [k[:-1] for k in keys if len(k) > 3 and k.endswith("s")]
        return [k for k in dict.fromkeys(keys) if k]

    def _ranked(self, text: str, taxon: str) -> list[tuple[int, int]]:
        """(gene, rank) of ``taxon`` for the first key with any, best first."""
        memo_key = (text, taxon)
        if memo_key in self._memo:
            return self._memo[memo_key]
        found: list[tuple[int, int]] = []
        keys = self._keys(text)
        for key in keys:
            found = self._candidates(key, taxon)
            if found:
                break
        else:  # a family's name for its first member: "histone deacetylase" is HDAC1, "VEGF" VEGFA
            for key in (k + suffix for k in keys[:2] for suffix in FAMILY_SUFFIXES):
                # after a number any name counts ("HIF-1" + "a" is HIF-1 alpha), else only a symbol or
                # an official name ("connexin" + "1" is no GJB5 through an other designation)
                loose = key[-2].isdigit()
                found = [(g, rank + FAMILY_PENALTY) for g, rank in self._candidates(key, taxon)
                         if rank <= NAME or loose]
                if found:
                    break
        if len(self._memo) > 200_000:
            self._memo.clear()
        self._memo[memo_key] = found
        return found

    def _candidates(self, key: str, taxon: str) -> list[tuple[int, int]]:
        t = TAXA.index(taxon) if taxon in TAXA else TAXA.index(OTHER_SPECIES)
        ranks: dict[int, int] = {}

        def offer(i: int, rank: int) -> None:
            if rank < ranks.get(i, 99):
                ranks[i] = rank

        learned = self.index.learned.get(key, {})
        readings = self.index.table.get(key)
        mine = [i for i in learned if self.index.taxa[i] == t]
        if mine:  # the gene annotators chose most often for this name, in this species ...
            choice = max(mine, key=lambda i: (learned[i], -i))
            # ... unless the name is another gene's official symbol that the chosen one does not
            # share: one training abstract's "MMP-2" annotated as MAP1A must not outrank MMP2
            if not any(kind == SYMBOL and i != choice and self.index.taxa[i] == t for i, kind in readings) or any(
                i == choice for i, _ in readings
            ):
                offer(choice, LEARNED)
        for i, kind in readings:
            if self.index.taxa[i] == t:
                offer(i, kind)
        if not ranks:  # a human name in a mouse paper (TP53 -> Trp53), a mouse designation in a human one
            for i, kind in readings:
                for j in self.index.orthologs.get(i, ()):
                    if self.index.taxa[j] == t:
                        offer(j, kind + ORTHOLOG_PENALTY)
        return sorted(
            ranks.items(),
            key=lambda x: (x[1], not self.index.studied[x[0]], not self.index.coding[x[0]], -learned.get(x[0], 0)),
        )

    def _spelled_out(self, long: str | None, taxon: str, ranked: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """What a short form the document spells out as ``long`` stands for: the gene the long form
        names, where the short form is a name of that gene too (even if it is another gene's symbol:
        "TTF-1" is TTF1's symbol and an alias of NKX2-1) or is no more than an alias of another
        ("HDAC" for "histone deacetylase" is HDAC1, not the HDAC9 that has it as an alias)."""
        spelled = self._ranked(long, taxon) if long and ranked else []
        own = dict(ranked)
        if shared := [(g, own[g]) for g, _ in spelled if g in own]:  # the long form's best gene the short form names
            return shared[:1]
        if spelled and (len(spelled) == 1 or spelled[1][1] > spelled[0][1]) and ranked[0][1] >= ALIAS:
            return spelled[:1]
        return ranked

    def _unambiguous(self, texts: Iterable[str], taxon: str) -> set[int]:
        """Genes that some other mention of the document names without ambiguity."""
        genes = set()
        for text in dict.fromkeys(texts):
            ranked = self._ranked(text, taxon)
            if ranked and (len(ranked) == 1 or ranked[1][1] > ranked[0][1]):
                genes.add(ranked[0][0])
        return genes

    def _disambiguate(self, tied: list[int], long: str | None, taxon: str, comentioned: set[int]) -> list[int]:
        """One of the tied genes: the one the mention's long form (``long``) names, else the
        co-mentioned, MeSH-studied, protein-coding ones."""
        if long:
            via_long = [g for g, _ in self._ranked(long, taxon)]
            if hit := [g for g in tied if g in via_long[:1]]:
                return hit
        if hit := [g for g in tied if g in comentioned]:
            return hit
        if studied := [g for g in tied if self.index.studied[g]]:
            tied = studied
        if coding := [g for g in tied if self.index.coding[g]]:
            return coding
        return tied


def _mir_gene(text: str) -> str | None:
    """The MIR gene of a microRNA however written ("miRNA-193a", "hsa-miR-21-5p" -> "mir193a", "mir21")."""
    return f"mir{m['name']}" if (m := _MICRORNA.match(text)) else None


_NUMBERED = re.compile(r"(?P<short>[A-Za-z]{2,})-?(?P<n>\d{1,2}[a-z]?)")


def _numbered_long_form(text: str, long_forms: dict[str, str]) -> str | None:
    """The long form of a numbered member of an abbreviated family: "PAR1" where the document
    defined "Protease-activated receptors (PAR)" is "Protease-activated receptor 1"."""
    if not (m := _NUMBERED.fullmatch(text)):
        return None
    long = long_forms.get(m["short"]) or long_forms.get(m["short"] + "s")
    return f"{long.removesuffix('s')} {m['n']}" if long else None


def _version(shared_data: Path) -> str:
    paths = [Path(shared_data) / rel for rel in INPUT_FILES]
    return stable_hash(FORMAT_VERSION, inputs_key(*paths, training_path(shared_data)))[:12]
