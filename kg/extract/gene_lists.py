"""Genes the extractor missed: lists of gene symbols ("b2m, ccl7, cd200, cd63, ... and tnfaip2"),
symbols too distinctive to be anything else ("Setd2", "miR-206", "CIITA") and genes named after a
chemical or a disease the extractor found ("dopamine transporter", "cystic fibrosis transmembrane
conductance regulator").

Expression studies list the genes they found, often lowercase, and a tagger trained on a few
hundred abstracts rarely sees such a list: one BioRED dev abstract lists 22 genes this way and
the CPU model found none of them. A list here is at least :data:`MIN_ITEMS` single words joined
by commas (the last by "and"/"or"); when at least :data:`MIN_SHARE` of its words are official
symbols of human, mouse or rat genes (case-blind, :data:`MIN_CHARS` characters or more), each
such word is a ``Gene`` mention, and so is every other occurrence of that word in the
document. Mentions the extractor found win where both speak. In BioRED's training and dev
splits all 205 symbols of such lists (23 abstracts) are annotated as genes; in 33,003
citations of the shared PubMed files 14 abstracts hold such a list, all of genes, and the rule
adds 3 mentions the CPU model had missed there (miR-216b, miR-708, DGUOK).

A distinctive symbol (:func:`distinctive_symbols`) is an official symbol of a human, mouse or rat
gene, as written, of :data:`MIN_DISTINCT` characters or more, with a letter and a digit ("Atg7",
"miR-134") or five capitals or more ("CIITA", "GAS5"), or a microRNA however written ("miRNA-21",
"miR-214-3p": 73 more mentions in 3,000 abstracts of the 2021 sample, all microRNAs the tagger
had left untagged); a mouse strain ("CD-1 mice") is none. In
2,553 abstracts of the 2021 PubMed sample the tagger left 84 such words untagged (MyD88, Sox2,
Fgf3, WEE1, CDK5, miR-206, ...): all genes but "CD-1" of "CD-1 mice", which the strain rule
leaves out. In BioRED dev the 8 it finds are all annotated as genes.

A gene named after a chemical or a disease (:func:`fill_gene_names`): the extractor's chemical or
disease mention and up to four words after it that end in a protein's head noun ("receptor",
"transporter", "synthase", "regulator", ...), where the whole is a name of a human, mouse or rat
gene or was a gold gene mention in training. BioRED annotates the whole as a gene (78 times in
its training split, the chemical inside 3 times) and BC5CDR the chemical inside (85 times), so
the chemical or disease mention stays and a ``Gene`` mention spans the whole. In BioRED's
training split 15 of the rule's 19 mentions are gold gene mentions (the others: "5-HT
transporter(s)", "amino acid transporter", "prostaglandin E synthase-1"); in BioRED dev 8 of 8.

T-helper subsets ("Th1", "TH17") and chromosome bands ("Xp11") the tagger calls genes are no
gene mentions (:func:`drop_non_genes`): BioRED annotates none of them as genes, and the gene
normaliser read "Th1" and "Th2" as mouse Hand1 and Hand2 (10 such mentions in 3,000 abstracts
of the 2021 sample). Nor are a route of administration ("1.0 mg/kg ip") and a short form the text
defines as a process, a cell, a tissue or a measurement ("epithelial-mesenchymal transition
(EMT)", "fibroblast-like synoviocytes (FLSs)", "estimated glomerular filtration rate (eGFR)"): in
BioRED's training and dev splits the tagger called 42 such mentions genes and none is one; in
2,553 abstracts of the 2021 sample 83 mentions go (EMT, eGFR, DDR, UPR and cells such as
HPFs), all rightly.

A gene mention that names a deficiency disease ("G6PD deficiency", "deficiency of ASPA",
"C7-deficient") becomes a disease mention over the whole (:func:`gene_deficiencies`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kg.doc import AnnotatedDoc
from kg.extract.spans import rule_mention, with_added
from kg.extract.variant_rules import RULE_SCORE
from kg.models import Mention, overlaps_any

# 2: distinctive symbols; 3: genes named after a chemical or disease; 4: microRNAs; 5: no T-helper
# subsets or chromosome bands; 6: deficiency diseases named after a gene; 7: no routes of
# administration or short forms defined as a process, cell or measurement
FORMAT_VERSION = "gene-lists-7"
RULES = "gene-lists"
MIN_ITEMS = 4
MIN_SHARE = 0.75
MIN_CHARS = 3  # two letters are too often something else's abbreviation ("HS, HP and HM" plant extracts)
# A word of 2-13 characters that ends in a letter or digit ("Ang-(1-7)" is no "Ang-"); "and"/"or" only join the last one
_ITEM = r"(?!(?:and|or)\b)[A-Za-z][A-Za-z0-9-]{0,11}[A-Za-z0-9]"
# Three or more words joined by commas, perhaps "and"/"or" one more: a list when it has MIN_ITEMS items.
_LIST = re.compile(rf"(?<![\w-]){_ITEM}(?:[ \t]*,[ \t]*{_ITEM}){{2,}}(?:[ \t]*,?[ \t]*(?:and|or)[ \t]+{_ITEM})?(?![\w(-])")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
MIN_DISTINCT = 4
_TOKEN = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9](?![\w])")
_DISTINCT = re.compile(r"(?=.*[A-Za-z])(?=.*\d)|[A-Z0-9-]{5,}$")  # a letter and a digit, or five capitals
_STRAIN = re.compile(r"\s+(?:mice|mouse|rats?|strain)\b", re.IGNORECASE)
# Words that join or introduce a list's items and are none ("(ie, SCF, FLT3, IL-7, IL-15)": Ie is a mouse symbol)
_JOINERS = frozenset({"and", "or", "ie", "eg", "vs", "etc", "viz", "cf"})


def list_symbols(text: str, is_symbol: Callable[[str], bool]) -> set[str]:
    """The words of ``text``'s gene-symbol lists that are symbols, as written."""
    found: set[str] = set()
    for m in _LIST.finditer(text):
        items = [w for w in _WORD.findall(m.group()) if w.lower() not in _JOINERS]
        if len(items) < MIN_ITEMS:
            continue
        symbols = [w for w in items if len(w) >= MIN_CHARS and is_symbol(w)]
        if len(symbols) >= MIN_SHARE * len(items):
            found.update(symbols)
    return found


def distinctive_symbols(text: str, is_symbol: Callable[[str], bool]) -> set[str]:
    """The words of ``text`` that are official gene symbols too distinctive to be anything else."""
    return {w for w in {m.group() for m in _TOKEN.finditer(text)}
            if len(w) >= MIN_DISTINCT and _DISTINCT.match(w) and is_symbol(w)}


# A protein named after what it acts on, written after a chemical or disease mention: "dopamine"
# + " transporter", "cystic fibrosis" + " transmembrane conductance regulator", "angiotensin II" +
# " type 1a receptor", "histamine H" + "(3)-receptor", "glycine" + " transporter-1".
_HEAD = (r"(?:receptors?|transporters?|synthases?|hydroxylases?|regulators?|channels?|kinases?|oxidases?|"
         r"reductases?|dehydrogenases?|transferases?|decarboxylases?|esterases?|binding[ -]proteins?)")
_NAMED_AFTER = re.compile(
    rf"(?:\(\w{{1,3}}\))?(?:[ -]+\(?\w+\)?){{0,3}}?[ -]+{_HEAD}(?:[ -]?(?:\d{{1,2}}[A-Za-z]?|[A-Z]\d?)(?![\w-]))?(?![\w-])",
    re.IGNORECASE,
)


def fill_gene_names(doc: AnnotatedDoc, is_name: Callable[[], Callable[[str], bool]]) -> tuple[Mention, ...]:
    """The document's mentions and a ``Gene`` mention over each chemical or disease mention and the
    words after it that together are a gene's name (:data:`_NAMED_AFTER`): "dopamine transporter"
    is SLC6A3. The chemical or disease mention stays (BC5CDR annotates the "dopamine" of it, BioRED
    the whole as a gene); where the extractor found a gene there already, nothing is added."""
    added = []
    genes = [(m.start, m.end) for m in doc.mentions if m.label == "Gene"]
    for m in doc.mentions:
        if m.label not in ("Chemical", "Disease") or not (tail := _NAMED_AFTER.match(doc.text, m.end)):
            continue
        end, name = tail.end(), doc.text[m.start:tail.end()]
        if (name.count("(") != name.count(")") or overlaps_any(m.start, end, genes)
                or not is_name()(name)):
            continue
        genes.append((m.start, end))
        added.append(_mention(doc, m.start, end, "Gene"))
    return with_added(doc.mentions, added)


# Names a tagger reads as genes that are none: T-helper cell subsets ("Th1", "TH17"; mouse Hand1
# and Hand2 have "Th1" and "Th2" as aliases) and chromosome bands ("Xp11", "11q23.3").
_NO_GENE = re.compile(r"(?i:th(?:0|1|2|9|17|22))|(?:[1-9]|1\d|2[0-2]|X|Y)[pq]\d{1,2}(?:\.\d{1,2})?")


# A route of administration after a dose ("1.0 mg/kg ip"; PTGIR's alias is "IP").
_ROUTE = re.compile(r"i\.?p\.?|i\.?v\.?|s\.?c\.?|i\.?c\.?v\.?")
# The last word of a defined long form that names a process, a cell, a tissue or a measurement,
# never a gene: "epithelial-mesenchymal transition (EMT)", "fibroblast-like synoviocytes (FLSs)".
_NOT_A_GENE_HEAD = re.compile(
    r"(?:transitions?|responses?|pressures?|epithelium|epithelia|synoviocytes|fibroblasts|cells|cultures?|promoters?|"
    r"rates?|index|fractions?|volumes?|scores?)$", re.IGNORECASE)


def drop_non_genes(doc: AnnotatedDoc) -> tuple[Mention, ...]:
    """The document's mentions without the ``Gene`` mentions that are T-helper subsets or chromosome
    bands (:data:`_NO_GENE`), a route of administration (:data:`_ROUTE`), or a short form the text
    defines as a process, cell, tissue or measurement (:data:`_NOT_A_GENE_HEAD`): BioRED's training
    and dev splits annotate none of them as a gene."""
    defined = {a.short for a in doc.abbreviations if _NOT_A_GENE_HEAD.search(a.long.strip())}
    return tuple(m for m in doc.mentions if not (m.label == "Gene" and (
        _NO_GENE.fullmatch(text := m.text.strip()) or _ROUTE.fullmatch(text) or text in defined)))


# "<gene> deficiency" and its forms: after the gene ("G6PD deficiency", "C7-deficient") or before it
# ("deficiency of ASPA", "deficiency of the APRT").
_DEFICIENT_AFTER = re.compile(r"[ \t]*-?[ \t]*(?:deficienc(?:y|ies)|deficient)\b", re.IGNORECASE)
_DEFICIENT_BEFORE = re.compile(r"\bdeficienc(?:y|ies)[ \t]+of[ \t]+(?:the[ \t]+)?$", re.IGNORECASE)
# ... but a knockout: "Atm-deficient mice", "Ctr9-deficient embryos", "HEB-deficient thymocytes"
# (a strain's name may come between: "leptin-deficient Ob/Ob mice"), or cells and fibres that lack an
# enzyme ("COX deficient fibers")
_EXPERIMENT = re.compile(r"(?:[ \t]+\S+)?[ \t]+(?:mice|mouse|rats?|animals|cells?|fib(?:er|re)s|fibroblasts|thymocytes|"
                         r"embryos|strains?|lines?|zebrafish|flies|worms|yeast|clones?|organoids|neurons|macrophages|"
                         r"lymphocytes)\b", re.IGNORECASE)


def gene_deficiencies(doc: AnnotatedDoc, is_disease: Callable[[], Callable[[str], bool]]) -> tuple[Mention, ...]:
    """The document's mentions with each gene mention that names a deficiency disease ("G6PD
    deficiency", "deficiency of ASPA", "C7-deficient") replaced by a ``Disease`` mention over the
    whole, where "<gene> deficiency" is a disease name (``is_disease``: the names test, asked for on
    the first such phrase; MeSH 2024's supplementary records name many: "APRT Deficiency").
    NCBI-disease and BioRED annotate these diseases, never the gene inside. A gene knocked out in
    an experiment stays a gene: "Atm-deficient mice", "HEB-deficient thymocytes" (:data:`_EXPERIMENT`;
    BioRED annotates the gene in all 8 such phrases of its training and dev splits), "TAK1
    deficiency" (no disease's name)."""
    genes = [m for m in doc.mentions if m.label == "Gene"]
    if not genes or "deficien" not in doc.text.lower():
        return doc.mentions
    diseases = [(m.start, m.end) for m in doc.mentions if m.label == "Disease"]
    replaced: dict[int, Mention] = {}
    for m in genes:
        start, end = m.start, m.end
        if after := _DEFICIENT_AFTER.match(doc.text, m.end):
            if _EXPERIMENT.match(doc.text, after.end()):
                continue
            end = after.end()
        elif before := _DEFICIENT_BEFORE.search(doc.text, max(0, m.start - 40), m.start):
            start = before.start()
        else:
            continue
        if overlaps_any(start, end, diseases) or not is_disease()(f"{m.text} deficiency"):
            continue
        diseases.append((start, end))
        replaced[id(m)] = _mention(doc, start, end, "Disease")
    if not replaced:
        return doc.mentions
    return tuple(sorted((replaced.get(id(m), m) for m in doc.mentions), key=lambda m: (m.start, m.end)))


def fill_gene_lists(doc: AnnotatedDoc, is_symbol: Callable[[], Callable[[str], bool]]) -> tuple[Mention, ...]:
    """The document's mentions and a ``Gene`` mention for each occurrence of a listed or a
    distinctive symbol that overlaps none of them, by offset (but not a mouse strain's name).
    ``is_symbol`` gives the symbol test, asked for on the first word that might be one."""
    def symbol(word: str) -> bool:
        return is_symbol()(word)

    symbols = list_symbols(doc.text, symbol) | distinctive_symbols(doc.text, symbol)
    if not symbols:
        return doc.mentions
    taken = [(m.start, m.end) for m in doc.mentions]
    added = []
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, sorted(symbols, key=len, reverse=True))) + r")(?![\w-])")
    for m in pattern.finditer(doc.text):
        if overlaps_any(m.start(), m.end(), taken) or _STRAIN.match(doc.text, m.end()):
            continue
        added.append(_mention(doc, m.start(), m.end(), "Gene"))
    return with_added(doc.mentions, added)


def _mention(doc: AnnotatedDoc, start: int, end: int, label: str) -> Mention:
    """This module's rule mention of type ``label`` over ``doc.text[start:end]``."""
    return rule_mention(doc, start, end, label, RULES, FORMAT_VERSION, RULE_SCORE)
