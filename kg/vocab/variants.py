"""Sequence variants: recognise and normalise rsIDs and HGVS-like protein and DNA changes.

Rule-based, in the spirit of tmVar: the statistical NER finds few variants, while their
written forms are regular. Ids follow BioRED's tmVar notation, as CURIEs:

- ``rs121913529`` -> ``dbSNP:rs121913529``;
- protein substitutions ``p.Arg215Trp``, ``Arg215Trp``, ``R215W``, "arginine to tryptophan at
  codon 215" -> ``tmVar:p|SUB|R|215|W``; frameshifts ``Y329fs`` -> ``tmVar:p|FS|Y|329||``;
  protein deletions ``p.V239del`` -> ``tmVar:p|DEL|239|V``;
- DNA changes ``c.1475G>A``, ``1284A>C``, ``C643T`` -> ``tmVar:c|SUB|G|1475|A``; deletions
  ``657del5``, ``c.2113_2114delGG`` -> ``tmVar:c|DEL|657|5``, ``tmVar:c|DEL|2113_2114|GG``;
  insertions and duplications alike (``c|INS|…``, ``c|DUP|…``); ``Delta32`` -> ``c|DEL||32``.

Where a document gives a change together with its rsID ("Pro75Ala (rs74805019)"), every mention
of that change in the document takes the rsID, as BioRED annotates it. A variant is tied to a
gene mentioned just before it in its sentence ("the HNF-6 Pro75Ala variant") or named as "in
the X gene" after it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from kg.cache import cached_pickle
from kg.config import SHARED_DATA
from kg.models import stable_hash
from kg.vocab.context import DocContext
from kg.vocab.genes import HGNC, gene_key
from kg.vocab.learned import inputs_key, training_docs, training_path
from kg.vocab.types import entity_type
from ontology import loaders

# v5: an rsID replaces only a change the text says it is; rsIDs learned from training by gene, also
# for the protein reading of a bare change whose letters are nucleotides ("A467T")
# v6: a bare change whose position has one or two digits is a protein change even when its letters are
# nucleotides ("G12C" is KRAS Gly12Cys, "A53T" SNCA Ala53Thr); DNA needs three digits or a promoter sign
# v7: a residue deleted without "p." ("F508del", "ΔF508", "delta F508")
FORMAT_VERSION = "variants-v7"

THREE_LETTER = {
    "ala": "A", "arg": "R", "asn": "N", "asp": "D", "cys": "C", "gln": "Q", "glu": "E", "gly": "G", "his": "H",
    "ile": "I", "leu": "L", "lys": "K", "met": "M", "phe": "F", "pro": "P", "ser": "S", "thr": "T", "trp": "W",
    "tyr": "Y", "val": "V", "ter": "X", "stop": "X", "sec": "U",
}  # fmt: skip
FULL_NAMES = {
    "alanine": "A", "arginine": "R", "asparagine": "N", "aspartic acid": "D", "aspartate": "D", "cysteine": "C",
    "glutamine": "Q", "glutamic acid": "E", "glutamate": "E", "glycine": "G", "histidine": "H", "isoleucine": "I",
    "leucine": "L", "lysine": "K", "methionine": "M", "phenylalanine": "F", "proline": "P", "serine": "S",
    "threonine": "T", "tryptophan": "W", "tyrosine": "Y", "valine": "V",
}  # fmt: skip
NUCLEOTIDES = {"adenine": "A", "adenosine": "A", "cytosine": "C", "cytidine": "C", "guanine": "G", "guanosine": "G",
               "thymine": "T", "thymidine": "T"}
_AA1 = "ACDEFGHIKLMNPQRSTVWY"
_AA3 = "|".join(sorted((k.capitalize() for k in THREE_LETTER if len(k) == 3), key=len, reverse=True))
_AA3_ANY = rf"(?:{_AA3}|{_AA3.upper()})"
_NAME = "|".join(sorted(FULL_NAMES, key=len, reverse=True))
_NUC = "ACGT"
_NUC_NAME = "|".join(NUCLEOTIDES)
_POS = r"[-+*]?\d+(?:\s?[-+]\s?\d+)?"  # 1092+1, -107, *25

_NAMES = tuple(FULL_NAMES)
# (pattern, builder, needs) in order; earlier, longer patterns win overlaps. ``needs``: strings of
# which the lower-cased text must hold one for the pattern to be tried (None: always tried); a
# substring test is far cheaper than a regex scan, and most abstracts name no variant.
_PATTERNS: list[tuple[re.Pattern, str, tuple[str, ...] | None]] = [
    (re.compile(r"\brs\d{2,10}\b"), "rs", ("rs",)),
    # protein, HGVS with p. and three- or one-letter codes; frameshifts and deletions first
    (re.compile(rf"\bp\.\(?(?P<a>{_AA3}|[{_AA1}])(?P<pos>\d+)(?P<b>{_AA3}|[{_AA1}])?fs(?:\*|X|Ter)?(?P<n>\d+)?\)?"), "pfs", ("p.",)),
    (re.compile(rf"\b(?P<a>{_AA3}|[{_AA1}])(?P<pos>\d{{2,5}})(?P<b>{_AA3}|[{_AA1}])?fs(?:\*|X|Ter)?(?P<n>\d+)?\b"), "pfs", ("fs",)),
    (re.compile(rf"\bp\.\(?(?P<a>{_AA3}|[{_AA1}])(?P<pos>\d+)del\b\)?"), "pdel", ("p.",)),
    # a residue deleted without "p.": "F508del", "Phe508del", "ΔF508", "delta F508", "delF508"
    (re.compile(rf"(?<![\w.])(?P<a>{_AA3}|[{_AA1}])(?P<pos>\d{{2,5}})del\b(?![-_]\w)"), "pdel", ("del",)),
    (re.compile(rf"(?:Δ|\b[Dd]elta\s?|\bdel)(?P<a>[{_AA1}])(?P<pos>\d{{2,5}})\b(?![-_]\w)"), "pdel", ("δ", "delta", "del")),
    (re.compile(rf"\bp\.\(?(?P<a>{_AA3}|[{_AA1}])(?P<pos>\d+)(?P<b>{_AA3}|[{_AA1}X*]|stop|Stop)\)?"), "psub", ("p.",)),
    (re.compile(rf"\b(?P<a>{_AA3_ANY})[-\s]?(?P<pos>\d{{1,5}})[-\s]?(?:to\s)?(?P<b>{_AA3_ANY}|X|\*|stop)(?![a-z0-9])"), "psub", None),
    # DNA, HGVS with c./g. and bare
    (re.compile(rf"\b(?P<k>[cgm])\.\s?(?P<pos>{_POS})\s?(?P<a>[{_NUC}])\s?(?:>|-->|->|→)\s?(?P<b>[{_NUC}])"), "csub", (">", "→")),
    (re.compile(rf"\b(?P<k>[cg])\.(?P<a>[{_NUC}])(?P<pos>\d+)(?P<b>[{_NUC}])\b"), "csub", ("c.", "g.")),
    (re.compile(rf"\bIVS(?P<ivs>\d+)\s?(?P<off>[-+]\s?\d+)\s?(?P<a>[{_NUC}])\s?(?:>|-->|->|→)\s?(?P<b>[{_NUC}])"), "ivs", ("ivs",)),
    # genotypes at a position: "-3279 CC", "FOXP3-3279 AC+AA", "IVS9+459 GA+GG"; "nucleotide A at position -1082"
    (re.compile(rf"(?P<pos>(?<![\w.])(?:IVS\d+[-+]\d+|[-+]\d{{2,6}})|(?<=[A-Za-z0-9])-\d{{3,6}})\s(?P<g>[{_NUC}]{{2}})(?:\+[{_NUC}]{{2}})*(?![\w/+])"), "allele", ("ivs", "genotyp", "allele", "zygo", "carrier")),
    (re.compile(rf"\b(?P<g>[{_NUC}])\sat\sposition\s(?P<pos>[-+]?\d+)\b"), "allele", ("position",)),
    (re.compile(r"\b(?P<k>[cg])\.\s?(?P<pos>\d+(?:[-+]\d+)?(?:_\d+(?:[-+]\d+)?)?)del(?P<seq>[ACGT]+|\d+)?(?![a-z])"), "cdel", ("del",)),
    # protein deletions written with the residues: "157delMTTTVP"
    (re.compile(rf"(?<![\w.])(?P<pos>\d+(?:_\d+)?)del(?P<seq>[{_AA1}]*[DEFHIKLMNPQRSVWY][{_AA1}]*)\b"), "pdelseq", ("del",)),
    (re.compile(r"\b(?P<k>[cg])\.\s?(?P<pos>\d+(?:[-+]\d+)?(?:_\d+(?:[-+]\d+)?)?)ins(?P<seq>[ACGT]+)\b"), "cins", ("ins",)),
    (re.compile(r"\b(?P<k>[cg])\.\s?(?P<pos>\d+(?:_\d+)?)dup(?P<seq>[ACGT]+)?(?![a-z])"), "cdup", ("dup",)),
    (re.compile(r"(?<![\w.])(?P<pos>\d+(?:[-_]\d+)?)\s?del\s?(?P<seq>[ACGT]+|\d+)(?![a-z])"), "cdel", ("del",)),
    # "T deletion at 5063", "nucleotide T insertion at 7916 and 7917"
    (re.compile(rf"\b(?P<seq>[{_NUC}])\s(?P<what>deletion|insertion)\sat\s(?:position\s|nucleotide\s)?(?P<pos>-?\d+)"
                r"(?:\s(?:and|to)\s(?P<pos2>\d+))?"), "ntext", ("deletion", "insertion")),
    (re.compile(r"(?<![\w.])(?P<pos>\d+(?:_\d+)?)ins(?P<seq>[ACGT]+)\b"), "cins", ("ins",)),
    (re.compile(r"(?<![\w.])(?P<pos>\d+)dup(?P<seq>[ACGT]+)\b"), "cdup", ("dup",)),
    (re.compile(r"(?:\b[Dd]elta|\bDD|Δ) ?(?P<n>\d{2})\b"), "delta", ("delta", "dd", "δ")),
    (re.compile(r"\b(?P<n>\d+)[-\s]?(?:bp|base[-\s]pairs?|nucleotides?|nt)[-\s](?:genomic\s)?(?P<what>deletion|insertion|duplication)"), "sized", ("bp", "base", "nucleotide", "nt")),
    (re.compile(r"\b(?P<what>dup|del|ins)(?P<n>\d+)\s?bp\b"), "sized", ("bp",)),
    (re.compile(rf"(?<![\w.])(?P<pos>(?:IVS\d+)?[-+]?\d{{2,6}})(?:\s?\(|,?\s?)(?P<a>[{_NUC}])\s?(?:>|-->|->|/)\s?(?P<b>[{_NUC}])\b\)?"), "csub", (">", "/")),
    # a bare DNA change has a 3-digit position or more ("C677T") or a promoter one ("G-308A"); "G12C" is KRAS's Gly12Cys
    (re.compile(rf"\b(?P<a>[{_NUC}])(?P<pos>-\d{{2,6}}|\d{{3,6}})\s?(?P<b>[{_NUC}])\b"), "csub", None),
    (re.compile(rf"\b(?P<a>[{_AA1}])(?P<pos>\d{{2,5}})(?P<b>[{_AA1}X*])\b"), "psub", None),
    (re.compile(rf"\b(?P<a>[{_AA1}])\s+to\s+(?P<b>[{_AA1}])\s+(?:substitution\s+|mutation\s+)?at\s+(?:codon|position|residue)\s+(?P<pos>\d+)"), "psub", ("to",)),
    # "T to A transition at the nucleotide position +387", "thymidine to cytosine mutation at position 28"
    (re.compile(rf"\b(?P<a>[{_NUC}]|{_NUC_NAME})\s+to\s+(?P<b>[{_NUC}]|{_NUC_NAME})\s+(?:(?:point\s+)?(?:transition|transversion|"
                r"substitution|mutation|change)\s+)?at\s+(?:the\s+)?(?:nucleotide\s+)?(?:position\s+|base\s+)?\+?(?P<pos>-?\d+)\b",
                re.IGNORECASE), "csub", ("to",)),
    (re.compile(rf"(?<![\w/])(?P<a>[{_NUC}])\s?(?:>|-->|->|→|/)\s?(?P<b>[{_NUC}])(?![\w/])"), "cchange", (">", "/", "→")),
    (re.compile(rf"\b(?P<a>[{_NUC}])\s+to\s+(?P<b>[{_NUC}])\b"), "cchange", ("to",)),
    # free text: "arginine to tryptophan at codon 198", "histidine 626-to-arginine", "codon 358, tyrosine to histidine"
    (re.compile(rf"\b(?P<a>{_NAME})\s*(?:\([A-Z][a-z]{{2}}\)\s*)?(?:residue\s+)?(?:to|by|for|-->|->)\s+(?:an?\s+)?"
                rf"(?P<b>{_NAME})\s*(?:\([A-Z][a-z]{{2}}\)\s*)?(?:residue\s+)?(?:substitution\s+|mutation\s+|change\s+)?"
                r"at\s+(?:amino\s+acid\s+)?(?:codon|position|residue|amino\s+acid)\s+(?P<pos>\d+)", re.IGNORECASE), "ptext", _NAMES),
    (re.compile(rf"\b(?P<a>{_NAME})[-\s](?P<pos>\d+)[-\s](?:to[-\s]|by\s)?(?P<b>{_NAME})\b", re.IGNORECASE), "ptext", _NAMES),
    (re.compile(rf"\bcodon\s+(?P<pos>\d+),?\s+(?P<a>{_NAME})\s+to\s+(?P<b>{_NAME})\b", re.IGNORECASE), "ptext", ("codon",)),
]


def _aa(token: str | None) -> str:
    if not token:
        return ""
    t = token.lower()
    if t in FULL_NAMES:
        return FULL_NAMES[t]
    if t in THREE_LETTER:
        return THREE_LETTER[t]
    return "X" if token == "*" else token.upper()


def _pos(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _build(kind: str, m: re.Match) -> str | None:
    g = m.groupdict()
    if kind == "rs":
        return f"dbSNP:{m.group()}"
    if kind in ("psub", "ptext"):
        a, b = _aa(g["a"]), _aa(g["b"])
        # free text "proline for arginine": arginine became proline
        if kind == "ptext" and re.search(r"\sfor\s", m.group(), re.IGNORECASE):
            a, b = b, a
        return None if a == b else f"tmVar:p|SUB|{a}|{g['pos']}|{b}"
    if kind == "pfs":
        return f"tmVar:p|FS|{_aa(g['a'])}|{g['pos']}|{_aa(g['b'])}|{g['n'] or ''}"
    if kind == "pdel":
        return f"tmVar:p|DEL|{g['pos']}|{_aa(g['a'])}"
    if kind == "csub":  # a == b is kept: "C35322C" names the reference allele of a written position
        a, b = (NUCLEOTIDES.get(x.lower(), x.upper()) for x in (g["a"], g["b"]))
        pos = _signed(m, _pos(g["pos"]))
        return pos and f"tmVar:{g.get('k') or 'c'}|SUB|{a}|{pos}|{b}"
    if kind == "ivs":
        return f"tmVar:c|SUB|{g['a']}|IVS{g['ivs']}{_pos(g['off'])}|{g['b']}"
    if kind == "cdel":
        return f"tmVar:{g.get('k') or 'c'}|DEL|{_range(g['pos'], bare=not g.get('k'))}|{g['seq'] or ''}"
    if kind == "cins":
        return f"tmVar:{g.get('k') or 'c'}|INS|{_range(g['pos'], bare=not g.get('k'))}|{g['seq']}"
    if kind == "cdup":
        return f"tmVar:{g.get('k') or 'c'}|DUP|{_range(g['pos'], bare=not g.get('k'))}|{g['seq'] or ''}|"
    if kind == "pdelseq":
        return f"tmVar:p|DEL|{g['pos']}|{g['seq']}"
    if kind == "ntext":
        pos = f"{g['pos']}_{g['pos2']}" if g["pos2"] else g["pos"]
        return f"tmVar:c|{'DEL' if g['what'] == 'deletion' else 'INS'}|{pos}|{g['seq']}"
    if kind == "allele":
        return f"tmVar:c|Allele|{g['g']}|{_pos(g['pos'])}"
    if kind == "delta":
        return f"tmVar:c|DEL||{g['n']}"
    if kind == "sized":
        what = {"deletion": "DEL", "del": "DEL", "insertion": "INS", "ins": "INS"}.get(g["what"], "DUP")
        return f"tmVar:c|{what}||{g['n']}" + ("|" if what == "DUP" else "")
    if kind == "cchange":
        return None if g["a"] == g["b"] else f"tmVar:c|SUB|{g['a']}||{g['b']}"
    return None


def _range(pos: str, *, bare: bool) -> str:
    """A range written with a hyphen as BioRED writes it: ``899-1142`` -> ``899_1142``, and in a
    bare change (no ``c.``) an abbreviated end, ``2238-9`` -> ``2238_2239``. An end below the start
    is an intronic offset (``c.1234-2delA``) and stays as written."""
    m = re.fullmatch(r"(\d+)-(\d+)", pos)
    if not m:
        return pos
    start, end = m.groups()
    if int(end) <= int(start) and bare and len(end) < len(start):
        end = start[: -len(end)] + end
    return f"{start}_{end}" if int(end) > int(start) else pos


def _signed(m: re.Match, pos: str) -> str | None:
    """A promoter position glued to its gene by the minus sign ("FOXP3-924 A/G") is -924; a
    glued number of one or two digits is the gene's own ("IL-10 G/A" names interleukin 10): None."""
    start = m.start("pos")
    if pos.isdigit() and start >= 2 and m.string[start - 1] == "-" and m.string[start - 2].isalnum():
        return f"-{pos}" if len(pos) >= 3 else None
    return pos


def _bare_suspicious(kind: str, m: re.Match) -> bool:
    """One-letter substitutions without "p." collide with names ("T2D", "A549" is no variant but
    "S100A" is no gene change either): keep those whose position has two or more digits and whose
    letters are not both nucleotides read as a protein change (C643T is DNA)."""
    return kind == "psub" and len(m.group("a")) == 1 and not m.group().startswith("p.") and (
        m.group("a") in _NUC and m.group("b") in _NUC and len(m.group("pos")) > 2
    )


def _patterns_for(text: str) -> Iterator[tuple[re.Pattern, str]]:
    """The patterns worth trying on ``text``: those whose needed strings it holds."""
    low = text.lower()
    for pattern, kind, needs in _PATTERNS:
        if needs is None or any(n in low for n in needs):
            yield pattern, kind


def normalize_variant(text: str) -> str | None:
    """The variant's id as a CURIE, or None: ``"Arg215Trp"`` -> ``"tmVar:p|SUB|R|215|W"``."""
    text = text.strip()
    for pattern, kind in _patterns_for(text):
        m = pattern.search(text)
        if m and not _bare_suspicious(kind, m) and (curie := _build(kind, m)):
            return curie
    return None


class VariantMention(NamedTuple):
    """``(start, end, text, id)``: a tuple, so ``for s, e, text, curie in find_variants(t)`` works."""

    start: int
    end: int
    text: str
    id: str  # CURIE: dbSNP:rs… or tmVar:…


_POSITIONLESS = re.compile(r"tmVar:\w\|SUB\|\w*\|\|")
_GENE_AFTER = re.compile(r"^\W{0,3}(?:in|of|within)\s+(?:the\s+)?(?:human\s+)?$")
GENE_WINDOW = 60


def find_variants(text: str) -> list[VariantMention]:
    """Variants in ``text``, non-overlapping, left to right (:func:`gene_of` ties one to its gene)."""
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, int, str, str]] = []
    for pattern, kind in _patterns_for(text):
        for m in pattern.finditer(text):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken) or _bare_suspicious(kind, m):
                continue
            if curie := _build(kind, m):
                taken.append((s, e))
                found.append((s, e, m.group(), curie))
    found.sort()
    return [VariantMention(s, e, t, c) for s, e, t, c in _rs_for_changes(text, found)]


def _rs_for_changes(text: str, found: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """A change the text says is an rsID ("Pro75Ala (rs74805019)", "rs1801133 (C677T)") is that
    rsID, everywhere in the text; one merely written near it ("R175H mutation and the rs1042522
    polymorphism") is not."""
    alias: dict[str, str] = {}
    for k, (s, e, _, curie) in enumerate(found):
        if curie.startswith("dbSNP:"):
            continue
        said = [(max(s, s2) - min(e, e2), other) for s2, e2, _, other in found[max(0, k - 2) : k + 3]
                if other.startswith("dbSNP:") and _same_variant(text, found, (s, e), (s2, e2))]
        if said:
            alias.setdefault(curie, min(said)[1])
    return [(s, e, t, alias.get(c, c)) for s, e, t, c in found]


# How a text says that a change and an rsID are one variant, the rsID first or second: the second in
# a bracket the first opens, perhaps after a word or two and other names of it ("R175H (rs1042522)",
# "C677T [rs1801133]", "-930A>G CYBA polymorphism (rs9932581)", "c.471C>T (p.Ser157Ser, rs35435463)"),
# or after a comma or colon, perhaps with a word that names it ("c.677C>T, rs1801133", "rs2476601,
# the R620W", "c.*469C>A, SNP rs11915160", "rs9932581:A>G"). A word such as "and" or "in" says two.
_WORD = r"(?!(?:and|or|but|nor|vs|versus|than|with|without|in|of|to|from|at|by|for)\b)[^\s()\[\]{},;:.]+"
_BRACKETED = re.compile(rf"\s*(?:{_WORD}\s+){{0,2}}[(\[]\s*(?:[^()\[\];]{{1,30}}?,\s*)?")
_APPOSED = re.compile(r"\s*[,:]\s*(?:(?:the|a|an|SNP|variant|polymorphism|mutation|allele)\s+)?")
_LISTED = re.compile(r"\s*(?:,\s*(?:(?:and|or)\s+)?|(?:and|or|&)\s+)")  # "rs1801133, A1298C and G1793A"


def _same_variant(text: str, found: list[tuple[int, int, str, str]], a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether the text says the variants at spans ``a`` and ``b`` of ``found`` are one: see above.
    A comma between two items of a longer list of variants says they are two."""
    (s1, e1), (s2, e2) = sorted((a, b))
    between = text[e1:s2]
    if _BRACKETED.fullmatch(between):
        return True
    if not _APPOSED.fullmatch(between):
        return False
    before = [e for _, e, _, _ in found if e <= s1]
    after = [s for s, _, _, _ in found if s >= e2]
    listed_before = bool(before) and _LISTED.fullmatch(text[max(before) : s1])
    return not (listed_before or (after and _LISTED.fullmatch(text[e2 : min(after)])))


_RESIDUE_NAMES = (*FULL_NAMES, *NUCLEOTIDES)
_RESIDUE = "|".join(sorted([*_RESIDUE_NAMES, "a stop codon", "stop", "term"], key=len, reverse=True))
_CODON = re.compile(rf"\b(?:{_RESIDUE})(?:\s*\([A-Z][a-z]{{2}}\))?\s+codon", re.IGNORECASE)  # "the tyrosine codon"
_AMINO_ACID_CHANGE = re.compile(r"\bamino[-\s]acids?(?=\s+(?:position|substitution|change|exchange|\d))", re.IGNORECASE)
# "arginine at amino acid position 229 by glycine", "proline 484 by arginine", "Tyrosine (Tyr) instead of a Term":
# a change only with a word of one near it ("phenylalanine to tyrosine" may be a conversion)
_RESIDUE_TO_RESIDUE = re.compile(
    rf"\b(?:{_RESIDUE})(?:\s*\([A-Z][a-z]{{2}}\))?(?:\s+(?:residue|codon))?(?:\s+\d{{1,5}}|\s+(?:\(\w+\)\s+)?at\s+[\w\s-]{{0,30}}?)?"
    rf"\s+(?:to|by|for|-->|->|instead\s+of)\s+(?:an?\s+)?(?:{_RESIDUE})", re.IGNORECASE)
_CHANGE_WORDS = ("substitut", "replace", "mutat", "codon", "residue", "position", "transition", "transversion", "change")
_CHANGE_WORD = re.compile("|".join(_CHANGE_WORDS), re.IGNORECASE)
CHANGE_WINDOW = 40


def change_phrases(text: str) -> list[tuple[int, int]]:
    """Spans of text that describe a sequence change in words ("arginine at amino acid position 229
    by glycine", "the tyrosine codon", "amino acid substitutions"): the residues they name are
    no chemicals (none of the 75 such names in BioRED's training split is annotated as one)."""
    low = text.lower()  # substring tests first: most abstracts describe no change, and the scans cost
    if not any(word in low for word in _CHANGE_WORDS):
        return []
    spans = [m.span() for m in _AMINO_ACID_CHANGE.finditer(text)] if "amino" in low else []
    if not any(name in low for name in _RESIDUE_NAMES):
        return spans
    spans += [m.span() for m in _CODON.finditer(text)]
    return spans + [m.span() for m in _RESIDUE_TO_RESIDUE.finditer(text)
                    if _CHANGE_WORD.search(text, max(0, m.start() - CHANGE_WINDOW), m.end() + CHANGE_WINDOW)]


_SAME = re.compile(r"tmVar:\w\|SUB\|(\w)\|[^|]+\|\1$")
_BARE = re.compile(r"[A-Z]-?\d+[A-Z*]")
_OTHER_DELTA = re.compile(r"(?:[Dd]elta|DD|Δ)\s?(?!32\b)\d")


def stands_alone(variant: VariantMention) -> bool:
    """Whether a rule match names a variant with no extractor's word for it: not a change without a
    position ("C/T", "G to C"), not a bare "no change" (the antibiotic "A2315A"; an extractor's
    "C35322C" is still read), and of the "delta N" names only CCR5's Delta32 (delta 11, delta 14
    are double bonds of fatty acids and sterols). On the first 30,000 citations of the shared 2020
    baseline file the fill-in adds 2 mentions ("Leu17-Phe", "Met5-Thr", peptide notation), 24
    before these exclusions; on BioRED dev it adds 41 mentions, 31 of them gold variants."""
    return not (_POSITIONLESS.match(variant.id) or _OTHER_DELTA.match(variant.text)
                or (_SAME.match(variant.id) and _BARE.fullmatch(variant.text)))


def not_a_name(variant: VariantMention) -> bool:
    """Whether a rule match cannot be a gene or cell-line name, so that it wins over an extractor
    that called it a gene ("DD32", "c.677C>T"): not the bare letter-number-letter shape that
    changes share with names ("R215W", but also the cell line "T98G" and the gene "S100B")."""
    return stands_alone(variant) and not _BARE.fullmatch(variant.text)


def gene_of(text: str, s: int, e: int, genes: Sequence[tuple[int, int, str]], sentence_start: int
            ) -> tuple[int, int, str] | None:
    """Of ``genes`` (``(start, end, gene id)``), the one named just before the variant at ``[s, e)``
    in its sentence (which starts at ``sentence_start``), or as "in the X gene" right after it."""
    before = [g for g in genes if g[2] and sentence_start <= g[0] and g[1] <= s and s - g[1] <= GENE_WINDOW]
    if before:
        return max(before, key=lambda g: g[1])
    after = [g for g in genes if g[2] and g[0] >= e and _GENE_AFTER.match(text[e : g[0]])]
    return min(after) if after else None


@dataclass
class VariantNormalizer:
    """Variant mentions of one document -> ids, with what the document and training say.

    ``learned`` maps a change (``tmVar:p|SUB|G|12|D``) to the rsID that training mentions of it
    were normalised to where the text did not give it (tmVar resolves those through dbSNP, which is
    not available here), by the gene the training document ties the change to (``NCBIGene:16653``;
    ``""`` where it names no one gene): G12D of KRAS is rs121913529, G12D of NRAS is not. Only a
    change learned with a single rsID for its gene is kept. ``gene_names`` holds the keys
    (:func:`~kg.vocab.genes.gene_key`) of those genes' names, from training mentions and, for human
    genes, HGNC: how a document's gene mention is known to be one of them (case-blind keys let
    training's mouse "Kras" stand for a human paper's "KRAS" too).
    """

    learned: dict[str, dict[str, str]]
    version: str
    gene_names: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, shared_data: Path = SHARED_DATA) -> VariantNormalizer:
        votes: dict[tuple[str, str], Counter] = defaultdict(Counter)
        names: dict[str, set[str]] = defaultdict(set)
        for doc in training_docs(shared_data):
            genes = [(a.start, a.end, f"NCBIGene:{ids[0].strip()}") for a in doc.annotations
                     if entity_type(a.type) == "Gene" and len(ids := a.concept_ids) == 1 and ids[0].strip().isdigit()]
            for s, e, gene in genes:
                names[gene].add(gene_key(doc.text[s:e]))
            context = DocContext(text=doc.text, title_end=len(doc.title))
            main = _main_gene(Counter(gene for _, _, gene in genes))
            for a in doc.annotations:
                if entity_type(a.type) != "Variant" or len(a.concept_ids) != 1:
                    continue
                raw = a.concept_ids[0].strip()
                change = normalize_variant(a.text)
                if change and change.startswith("tmVar:") and raw.startswith("rs") and raw not in a.text:
                    near = gene_of(doc.text, a.start, a.end, genes, context.sentence_start(a.start))
                    votes[(near[2] if near else main, change)][f"dbSNP:{raw}"] += 1
        learned: dict[str, dict[str, str]] = defaultdict(dict)
        for (gene, change), rs in votes.items():
            # a change without a position ("C to T") names no one variant: never learned
            if len(rs) == 1 and not _POSITIONLESS.match(change):
                learned[change][gene] = next(iter(rs))
        wanted = {gene for by_gene in learned.values() for gene in by_gene if gene}
        hgnc = Path(shared_data) / HGNC
        for g in loaders.read_hgnc(hgnc, quarantine=[]) if hgnc.exists() else ():
            if g.id in wanted:
                names[g.id].update(gene_key(n) for n in (g.symbol, g.name, *g.previous, *g.aliases))
        gene_names = {gene: frozenset(k for k in names[gene] if k) for gene in wanted}
        return cls(dict(learned), _version(shared_data), gene_names)

    @classmethod
    def load(cls, shared_data: Path = SHARED_DATA, cache_dir: Path | None = None) -> VariantNormalizer:
        if cache_dir is None:
            return cls.build(shared_data)
        version = _version(shared_data)
        return cached_pickle(
            Path(cache_dir) / f"variants-{version}.pkl",
            lambda cached: isinstance(cached, VariantNormalizer) and cached.version == version,
            lambda: cls.build(shared_data),
        )

    def normalize(self, mentions: Sequence[tuple[str, int, int]], context: DocContext) -> list[tuple[str | None, float]]:
        """``(text, start, end)`` variant mentions -> ``(CURIE or None, score)``: the mention's own
        reading, replaced by the rsID the document (or training, for the mention's gene) ties that
        change to. The text is scanned here only where the extractor's rules did not scan it
        (``context.variants``)."""
        in_text = context.variants if context.variants is not None else find_variants(context.text)
        # a change the text ties to an rsID is that rsID, in every mention
        alias = {}
        for v in in_text:
            if v.text != v.id.split(":", 1)[1] and v.id.startswith("dbSNP:"):
                change = normalize_variant(v.text)
                if change and change != v.id:
                    alias[change] = v.id
        genes: list[tuple[int, int, str]] | None = None  # the document's gene mentions, found when needed
        out = []
        for text, start, end in mentions:
            # the text scan's reading of the same span saw its context ("FOXP3-924 A/G" is -924)
            curie = next((v.id for v in in_text if (v.start, v.end) == (start, end)), None) or normalize_variant(text)
            if curie is None or _POSITIONLESS.match(curie):
                # a mention whose text has no parse, or none with a position ("C to T" of "C to T at
                # 33468"), may hold one that the text scan found
                curie = next((v.id for v in in_text if v.start < end and start < v.end
                              and not _POSITIONLESS.match(v.id)), curie)
            if curie is None:
                out.append((None, 0.0))
                continue
            if curie in alias:
                curie = alias[curie]
            elif readings := [r for r in (curie, _as_protein(text)) if r in self.learned]:
                genes = _gene_mentions(context) if genes is None else genes
                curie = next((rs for r in readings if (rs := self._learned_rs(r, start, end, context, genes))), curie)
            out.append((curie, 1.0 if curie.startswith("dbSNP:") or "||" not in curie else 0.8))
        return out

    def _learned_rs(self, change: str, start: int, end: int, context: DocContext,
                    genes: list[tuple[int, int, str]]) -> str | None:
        """The rsID training gives ``change`` in the gene of the mention at ``[start, end)``: the gene
        named just before it in its sentence or as "in the X gene" after it, else the gene the
        document names most. In a document that names no gene, the rsID of a change training
        learned for one gene only (it has no other reading to be confused with)."""
        by_gene = self.learned[change]
        if not genes:
            return next(iter(by_gene.values())) if len(by_gene) == 1 else None
        near = gene_of(context.text, start, end, genes, context.sentence_start(start))
        if near is not None:
            said = {by_gene[g] for g in by_gene if g and near[2] in self.gene_names.get(g, ())}
            return said.pop() if len(said) == 1 else None

        def which(key: str) -> str:  # the learned gene a name names, else the name itself
            return next((g for g in by_gene if g and key in self.gene_names.get(g, ())), key)

        main = _main_gene(Counter(which(key) for _, _, key in genes))
        return by_gene.get(main) if main else None


_NUCLEOTIDE_CHANGE = re.compile(r"([ACGT])(\d{2,5})([ACGT])")


def _as_protein(text: str) -> str | None:
    """The protein reading of a bare change whose letters are nucleotides as well as residues
    ("A467T", read as DNA): what a change training learned for the mention's gene may be (POLG A467T)."""
    m = _NUCLEOTIDE_CHANGE.fullmatch(text.strip())
    return f"tmVar:p|SUB|{m[1]}|{m[2]}|{m[3]}" if m and m[1] != m[3] else None


def _main_gene(counts: Counter) -> str:
    """The gene a document names most, if one does ("" on a tie or where it names none)."""
    top = counts.most_common(2)
    return top[0][0] if top and (len(top) == 1 or top[0][1] > top[1][1]) else ""


def _gene_mentions(context: DocContext) -> list[tuple[int, int, str]]:
    """``(start, end, gene key)`` of the document's gene mentions (``context.genes``), wherever
    their texts occur in it as words; a longer one holds a shorter ("PEMT gene", "PEMT")."""
    spans: list[tuple[int, int, str]] = []
    for name in sorted(set(context.genes), key=len, reverse=True):
        if not (key := gene_key(name)):
            continue
        for m in re.finditer(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])", context.text):
            if not any(s < m.end() and m.start() < e for s, e, _ in spans):
                spans.append((m.start(), m.end(), key))
    return sorted(spans)


def _version(shared_data: Path) -> str:
    return stable_hash(FORMAT_VERSION, inputs_key(training_path(shared_data), Path(shared_data) / HGNC))[:12]
