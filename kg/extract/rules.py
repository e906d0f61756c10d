"""The extractor followed by medkg's rules for what a tagger trained on a few hundred abstracts
misses: sequence variants (:mod:`kg.extract.variant_rules`), gene-symbol lists, distinctive
gene symbols, genes named after a chemical or a disease, and deficiency diseases named after a
gene (:mod:`kg.extract.gene_lists`); a gene, not a disease or chemical, for a short form the text
defines as a gene (:func:`genes_by_definition`); no disease or chemical mention for a short form
the text defines as something else (:func:`drop_undefined_short_forms`); a formula's subscript
that the tokenizer split off (:func:`with_subscripts`); no disease mention for a shock given as a
stimulus (:func:`stimulus_shocks`); a chemical or disease for a word in British spelling that names one
(:func:`british_spellings`); and the name of a MeSH supplementary chemical record that the text
repeats (:func:`fill_record_names`).
:class:`WithRules` takes the extractor's place in the chain, so gold-mention evaluations, which
replace the extractor, leave the rules out too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import partial

from kg.doc import AnnotatedDoc
from kg.models import Mention, overlaps_any
from kg.extract import gene_lists
from kg.extract.gene_lists import drop_non_genes, fill_gene_lists, fill_gene_names, gene_deficiencies
from kg.extract.spans import VERSION as SPANS_VERSION
from kg.extract.spans import rule_mention, with_added
from kg.extract.variant_rules import RULE_SCORE, RULES, fill_variants
from kg.vocab.formulas import formula_names
from kg.vocab.spellings import mesh_spelling
from kg.vocab.variants import FORMAT_VERSION as VARIANTS_VERSION

SHORT_FORMS_VERSION = "short-forms-4"  # drop_undefined_short_forms; 2: chemicals too; 3: genes_by_definition;
# 4: the names test (here and in gene_deficiencies) also knows the concept store's disease names
FORMULA_VERSION = "formula-2"  # with_subscripts; 2: formulas_are_chemicals (kg.vocab.formulas.VERSION formulas-1)
SUBTYPE_VERSION = "subtype-1"  # with_subtypes
RECORDS_VERSION = "records-1"  # fill_record_names
STIMULUS_VERSION = "stimulus-1"  # stimulus_shocks
SPELLING_VERSION = "spelling-1"  # british_spellings
SPELLING_RULE = "spellings"  # the extractor name of its mentions
SPELLING_MIN_CHARS = 5
RECORD_RULE = "record-names"  # the extractor name of its mentions
RECORD_MAX_TOKENS = 8  # "maltolyl p-coumarate" is four tokens
RECORD_MIN_REPEATS = 2
# A shock as a stimulus: "avoid electric shock", "foot shock", "decrease shock intensity", "electroconvulsive shock"
_STIMULUS = r"(?:electric(?:al)?|electro-?convulsive|foot|tail|grid|paw|heat|cold|osmotic|(?:in)?escapable|unavoidable|DC)"
_SHOCK = re.compile(rf"(?:{_STIMULUS}[ \t-]*)?shocks?", re.IGNORECASE)
_STIMULUS_BEFORE = re.compile(rf"\b(?:{_STIMULUS}|current)[ \t-]*$", re.IGNORECASE)
_STIMULUS_AFTER = re.compile(r"[ \t-]*(?:avoidance|intensit(?:y|ies)|escape|deliver(?:y|ed)|stimul(?:us|i)|sessions?|trials?|"
                             r"schedules?|presentations?|thresholds?|titration|reactivity|(?:induced|elicited|produced)[ \t]+"
                             r"(?:\w+[ \t]+)?(?:analgesia|fighting|aggression|freezing))\b", re.IGNORECASE)
_ADJECTIVE = ("ic", "al", "ous", "ed")  # "haemolytic streptococci", "leukaemic cells": no disease's name
# A word before a disease's name that may be part of it ("spinal haemangioblastomas", "Wilms tumours", "HCC")
_MODIFIER = re.compile(r"(?:\b[a-z]+(?:al|ar|ary|ic|ous)|\b[A-Z]{2,}[\w-]*)[ \t]+$")
_RECEPTOR = re.compile(r"[ \t-]+receptors?\b", re.IGNORECASE)
_CLAUSE = frozenset({",", ";", ":", ".", "(", ")", "[", "]"})  # a compound's name does not cross these
# A formula's subscript the tokenizer split off: the "(2)" of "CaCl(2)", "PGE(2)-induced"; not the
# "(3)" of "histamine H(3)-receptor"
_SUBSCRIPT = re.compile(r"\(\d{1,2}\)(?!\w|-?\s*receptor)", re.IGNORECASE)
# Element-like parts: "CaCl", "PGE"; not the trade name of "Dylox(2)", whose "(2)" is a footnote's
_FORMULA = re.compile(r"(?:[A-Z][a-z]?(?:\(\d{1,2}\))?)+")
# A subtype written after a disease's name: "SJS type 2", "Ehlers-Danlos syndrome type IV"
_SUBTYPE = re.compile(r"[ \t]+types?[ \t]+(?:\d{1,2}|[IVX]{1,4}|[A-D])[A-Da-d]?(?![\w-])")
# A short form inside a disease's name: "von Hippel-Lindau (VHL) disease"
_DISEASE_AFTER = re.compile(r"\)?[ \t]*(?:disease|syndrome|disorder)s?\b", re.IGNORECASE)
# A long form that names a gene ("von Hippel-Lindau tumor suppressor gene (VHL)"), or is followed by
# "gene" after its bracket ("the DCC (deleted in colorectal cancer) gene")
_GENE_HEAD = re.compile(r"\b(?:genes?|gene products?)$", re.IGNORECASE)
_GENE_AFTER = re.compile(r"[ \t]*\)[ \t]*genes?\b", re.IGNORECASE)
# ... and a bracketed word right after "gene", where the abbreviation finder saw no definition
_GENE_BRACKET = re.compile(r"\bgenes?[ \t]+\(([A-Za-z][\w-]{1,11})\)", re.IGNORECASE)
# A long form whose head noun is a disease's or a chemical's: "small vessel disease", "Diffuse
# midline gliomas"; "3'-azido-3'dideoxythymidine", "selective serotonin reuptake inhibitor"
_HEADS = {
    "Disease": re.compile(
        r"(?:disease|syndrome|disorder|illness|cancer|carcinoma|tumou?r|neoplasm|lymphoma|leuka?emia|infection|"
        r"fistulae?|deficienc(?:y|ie)|\w+itis|\w+oma|\w+a?emia|\w+path(?:y|ie)|\w+os[ie]s|\w+oxia|anaphylaxis|"
        r"delusion|injur(?:y|ie)|failure|lesion|dysplasia|palsy|insufficiency|hypertension|stenosis|atrophy|"
        r"degeneration|dystrophy|anomal(?:y|ie)|malformation|fracture|arrest|infarction|ha?emorrhage|aneurysm|"
        r"dissection|occlusion|loss|collapse|death|embolization)s?$", re.IGNORECASE),
    "Chemical": re.compile(
        r"(?:\w+(?:ine|ide|ate|ol|one|ane|ene|yl|in|ium|ite|ose|gen|oid|xin)|acid|inhibitor|blocker|agonist|"
        r"antagonist|drug|agent|steroid|peptide|antigen|compound|salt|ester|analogu?e|derivative|toxin|medication|"
        r"antibiotic|metal|ion|oxide|sulfate|contraceptive|anticoagulant|antioxidant|nanoparticle|interferon|IFN|LDL|"
        r"vitamin \w+)s?$", re.IGNORECASE),
}


class WithRules:
    """An extractor, then rule-found ``Variant`` and ``Gene`` mentions where it found nothing, less
    the gene mentions that name T-helper cells or chromosome bands, with the gene mentions that
    name a deficiency disease ("G6PD deficiency") made ``Disease`` mentions, the disease and chemical
    mentions of short forms the text defines as a gene made ``Gene`` mentions, less the disease and
    chemical mentions of short forms the text defines as something else, and with ``Chemical``
    mentions of the supplementary chemical records' names the text repeats.

    ``gene_symbols`` returns the test "is this word an official gene symbol?", ``gene_names`` the
    test "is this a gene's name?", ``names`` the test "is this text a name of this entity type?"
    (``names(text, "Disease")``: the lexicon's, and the concept store's disease names), ``records``
    the test "is this lowercase text a name of MeSH supplementary chemical records only?"; each is
    called on the first text that might be one (without them, the rules that need them do not run).
    """

    def __init__(self, extractor, gene_symbols: Callable[[], Callable[[str], bool]] | None = None,
                 gene_names: Callable[[], Callable[[str], bool]] | None = None,
                 names: Callable[[], Callable[[str, str], bool]] | None = None,
                 records: Callable[[], Callable[[str], bool]] | None = None) -> None:
        self.extractor = extractor
        self.name = extractor.name
        self.version = (f"{extractor.version}+{VARIANTS_VERSION}+{SPANS_VERSION}+{SHORT_FORMS_VERSION}"
                        f"+{FORMULA_VERSION}+{SUBTYPE_VERSION}+{STIMULUS_VERSION}"
                        + (f"+{gene_lists.FORMAT_VERSION}" if gene_symbols else "")
                        + (f"+{RECORDS_VERSION}" if records else "")
                        + (f"+{SPELLING_VERSION}" if names else ""))
        self.vocab = getattr(extractor, "vocab", None)  # the text analysis shares the extractor's strings
        self._providers: dict[str, Callable[[], Callable] | None] = {
            "symbol": gene_symbols, "name": gene_names, "names": names, "records": records}
        self._tests: dict[str, Callable] = {}

    @property
    def settings(self) -> dict[str, object]:
        lists = {"min_items": gene_lists.MIN_ITEMS, "min_share": gene_lists.MIN_SHARE, "min_chars": gene_lists.MIN_CHARS,
                 "min_distinct": gene_lists.MIN_DISTINCT} if self._providers["symbol"] else None
        return {**self.extractor.settings, RULES: RULE_SCORE, gene_lists.RULES: lists,
                "gene_names": self._providers["name"] is not None,
                "lexicon_names": self._providers["names"] is not None,
                RECORD_RULE: {"max_tokens": RECORD_MAX_TOKENS, "min_repeats": RECORD_MIN_REPEATS, "score": RULE_SCORE}
                if self._providers["records"] else None,
                SPELLING_RULE: {"min_chars": SPELLING_MIN_CHARS, "score": RULE_SCORE} if self._providers["names"] else None}

    def preload(self) -> None:
        """Ask every provider now, not on the first word that needs it (:meth:`kg.pipeline.Annotator.preload`)."""
        for kind, provider in self._providers.items():
            if provider is not None:
                self._test(kind)

    def _test(self, kind: str) -> Callable:
        """The ``kind`` test ("symbol", "name", "names" or "records"), asked of its provider once."""
        if kind not in self._tests:
            self._tests[kind] = self._providers[kind]()
        return self._tests[kind]

    def pipe(self, docs: Iterable[AnnotatedDoc], batch_size: int = 256) -> Iterator[AnnotatedDoc]:
        for doc in self.extractor.pipe(docs, batch_size=batch_size):
            doc.mentions = fill_variants(doc)
            if self._providers["symbol"] is not None:
                doc.mentions = fill_gene_lists(doc, lambda: self._test("symbol"))
            if self._providers["name"] is not None:
                doc.mentions = fill_gene_names(doc, lambda: self._test("name"))
            doc.mentions = drop_non_genes(doc)
            names = (lambda: self._test("names")) if self._providers["names"] is not None else None
            if names is not None:
                doc.mentions = gene_deficiencies(doc, lambda: partial(self._test("names"), type_="Disease"))
            doc.mentions = genes_by_definition(doc)
            doc.mentions = drop_undefined_short_forms(doc, names)
            doc.mentions = formulas_are_chemicals(with_subscripts(doc))
            doc.mentions = with_subtypes(doc)
            doc.mentions = stimulus_shocks(doc)
            if names is not None:
                doc.mentions = british_spellings(doc, names)
            if self._providers["records"] is not None:
                doc.mentions = fill_record_names(doc, lambda: self._test("records"))
            yield doc


def genes_by_definition(doc: AnnotatedDoc) -> tuple[Mention, ...]:
    """The document's mentions with the ``Disease`` and ``Chemical`` mentions of a short form the text
    defines as a gene made ``Gene`` mentions: its long form ends in "gene" ("The von Hippel-Lindau
    tumor suppressor gene (VHL)"), "gene" follows the long form in brackets ("the DCC (deleted in
    colorectal cancer) gene"), or the short form is in brackets right after "gene". The disease inside
    such a name made the tagger call every "VHL" and "DCC" of those abstracts a disease.

    Not where the gene's name is a disease's ("adenomatous polyposis coli gene (APC)", "the Wilson
    disease gene (WND)", "APC (adenomatous polyposis coli) gene"): there the short form abbreviates
    the disease too, and NCBI-disease annotates it as one."""
    diseases = [(m.start, m.end) for m in doc.mentions if m.label == "Disease"]

    def a_disease(start: int, end: int) -> bool:  # a disease mention covers the whole name
        return any(s <= start and end <= e for s, e in diseases)

    genes = set()
    for short, long, long_start, long_end, short_end in {
            (a.short, a.long, a.long_start, a.long_end, a.short_end) for a in doc.abbreviations}:
        if head := _GENE_HEAD.search(_head(long)):
            name_end = long_start + len(long[: head.start()].rstrip())
            if not a_disease(long_start, name_end):
                genes.add(short)
        elif long_end > short_end and _GENE_AFTER.match(doc.text, long_end) and not a_disease(long_start, long_end):
            genes.add(short)
    for m in _GENE_BRACKET.finditer(doc.text):
        name_end = len(doc.text[: m.start()].rstrip())
        if not any(e == name_end for _, e in diseases):
            genes.add(m.group(1))
    if not genes:
        return doc.mentions
    return tuple(m.model_copy(update={"label": "Gene"}) if m.label in _HEADS and m.text in genes else m
                 for m in doc.mentions)


def drop_undefined_short_forms(doc: AnnotatedDoc, names: Callable[[], Callable[[str, str], bool]] | None = None
                               ) -> tuple[Mention, ...]:
    """The document's mentions without the ``Disease`` and ``Chemical`` mentions of a short form whose
    long form, as the text defines it, is of no such type: it holds no mention of the type, does not
    end in the type's head noun (:data:`_HEADS`: "small vessel disease", "selective serotonin
    reuptake inhibitor"), is no name of the type (``names``, the names test, asked for on the
    first such long form) and, for a disease, does not start one ("von Hippel-Lindau (VHL)
    disease"). "repetitive transcranial magnetic stimulation (rTMS)", "bone mineral density (BMD)"
    and "contrast media (CM)" are no diseases, "combined androgen blockade (CAB)" and "mean
    arterial pressure (MAP)" no chemicals.

    A short form whose long form is an entity takes its type in the extractor already (see
    :func:`kg.extract.spans.inherit_abbreviation_types`); this settles the other case. Genes are
    left alone: the tagger's gene mentions of such short forms are right about as often as wrong.
    """
    drop = set()
    definitions = {(a.short, a.long) for a in doc.abbreviations}  # a record per occurrence, one definition
    for label, head in _HEADS.items():
        spans = [(m.start, m.end) for m in doc.mentions if m.label == label]
        # any occurrence of a short form may show that it names the type
        named = {a.short for a in doc.abbreviations if overlaps_any(a.long_start, a.long_end, spans)
                 or (label == "Disease" and _DISEASE_AFTER.match(doc.text, a.short_end))}
        drop |= {(label, short) for short, long in definitions if short not in named and not head.search(_head(long))
                 and (names is None or not names()(long, label))}
    if not drop:
        return doc.mentions
    return tuple(m for m in doc.mentions if (m.label, m.text) not in drop)


def with_subscripts(doc: AnnotatedDoc) -> tuple[Mention, ...]:
    """The document's mentions with each chemical mention written as a formula that a subscript in
    brackets follows, over the subscript too: "CaCl(2)" where the tagger found "CaCl" (older PubMed
    records write subscripts so). BC5CDR and BioRED annotate the whole formula."""
    out = []
    for m in doc.mentions:
        if m.label == "Chemical" and _FORMULA.fullmatch(m.text) and (sub := _SUBSCRIPT.match(doc.text, m.end)):
            m = m.model_copy(update={"end": sub.end(), "text": doc.text[m.start:sub.end()]})
        out.append(m)
    return tuple(out)


def formulas_are_chemicals(mentions: tuple[Mention, ...]) -> tuple[Mention, ...]:
    """``mentions`` with each mention of another type whose text is a salt's or small molecule's formula
    (:func:`~kg.vocab.formulas.formula_names`) made a chemical: the tagger calls "NH4Ac" a gene."""
    return tuple(m.model_copy(update={"label": "Chemical"}) if m.label != "Chemical" and formula_names(m.text) else m
                 for m in mentions)


def with_subtypes(doc: AnnotatedDoc) -> tuple[Mention, ...]:
    """The document's mentions with each disease mention that a subtype follows ("SJS type 2",
    "Ehlers-Danlos syndrome type IV") over the subtype too, where no other mention is in the way.
    The training splits annotate every disease name written so with its subtype (34 of 34 in
    NCBI-disease's and BioRED's; BC5CDR's has none)."""
    out, taken = [], [(m.start, m.end) for m in doc.mentions]
    for m in doc.mentions:
        sub = _SUBTYPE.match(doc.text, m.end) if m.label == "Disease" else None
        if sub and not overlaps_any(m.end, sub.end(), taken):
            m = m.model_copy(update={"end": sub.end(), "text": doc.text[m.start:sub.end()]})
        out.append(m)
    return tuple(out)


def stimulus_shocks(doc: AnnotatedDoc) -> tuple[Mention, ...]:
    """The document's mentions less its disease mentions of a shock, bare ("shock") or of a stimulus ("foot
    shock"), where one of them is a stimulus given in an experiment or a treatment, not circulatory shock: written
    with a stimulus ("electric shock", "tail shock", "electroconvulsive shock", "direct current shock") or followed by
    what an experiment does with it ("shock avoidance", "decrease shock intensity", "shock-induced defensive
    fighting"). A document that gives shocks so means the bare word so throughout; "septic shock", "anaphylactic shock"
    stay. The tagger, trained on abstracts where "shock" is the disease, tags the word in conditioning experiments
    too, and the relation model then read "morphine decreased responding to shock" as morphine inducing Shock."""
    shocks = [m for m in doc.mentions if m.label == "Disease" and _SHOCK.fullmatch(m.text)]
    if not any(m.text.lower() not in ("shock", "shocks") or _STIMULUS_BEFORE.search(doc.text, max(0, m.start - 30), m.start)
               or _STIMULUS_AFTER.match(doc.text, m.end) for m in shocks):
        return doc.mentions
    return tuple(m for m in doc.mentions if m not in shocks)


def british_spellings(doc: AnnotatedDoc, names: Callable[[], Callable[[str, str], bool]]) -> tuple[Mention, ...]:
    """The document's mentions and a ``Chemical`` or ``Disease`` mention of each word of at least
    :data:`SPELLING_MIN_CHARS` letters that no mention covers and whose MeSH spelling
    (:func:`~kg.vocab.spellings.mesh_spelling`) differs and is a name of the type (``names``, asked for on the
    first such word; a chemical first) and the word itself is not. Not an adjective ("haemolytic streptococci",
    "leukaemic cells"), a word a receptor follows ("oestrogen receptor" is a gene's), a disease's word after one that
    may be part of its name ("spinal haemangioblastomas", "HCC tumours"), nor a word of "tumour", which the
    training corpora annotate by the dozen, so that its words are the tagger's to judge ("tumourigenesis").
    The tagger learned from American abstracts: in the 14,893 abstracts of ``pubmed20n0014`` (1978) it tagged
    none of 61 "oestrogen(s)"; this adds 218 mentions to the 3,134 of them that write such spellings."""
    covered = [(m.start, m.end) for m in doc.mentions]
    test = None
    added = []
    for token in doc.tokens:
        word = token.lower_
        if (len(word) < SPELLING_MIN_CHARS or not token.is_alpha or word.endswith(_ADJECTIVE) or "tumour" in word
                or (mesh := mesh_spelling(word)) == word):
            continue
        start, end = token.idx, token.idx + len(token.text)
        if overlaps_any(start, end, covered) or _RECEPTOR.match(doc.text, end):
            continue
        test = test or names()
        label = next((t for t in ("Chemical", "Disease") if test(mesh, t) and not test(word, t)), None)
        if label == "Disease" and _MODIFIER.search(doc.text, max(0, start - 30), start):
            continue
        if label is not None:
            added.append(rule_mention(doc, start, end, label, SPELLING_RULE, SPELLING_VERSION, RULE_SCORE))
    return with_added(doc.mentions, added)


def fill_record_names(doc: AnnotatedDoc, records: Callable[[], Callable[[str], bool]]) -> tuple[Mention, ...]:
    """The document's mentions and a ``Chemical`` mention at each occurrence of a name of MeSH
    supplementary chemical records, none an enzyme or protein (two to :data:`RECORD_MAX_TOKENS`
    tokens within a sentence and a clause, neither end a stop word or one character), that the text
    writes at least :data:`RECORD_MIN_REPEATS` times, where no mention overlaps it; the longest
    name first. ``records`` gives the test, asked for on the first repeat.

    The tagger misses compounds it has never seen whose words no training abstract has ("maltolyl
    p-coumarate" eight times in one abstract, "SM 21" five times in another); a supplementary
    record names one specific compound, and an abstract repeats the compound it is about. Names of
    descriptors stay the tagger's to judge: many are classes ("contrast media", "psychotropic
    drugs") or enzymes ("alkaline phosphatase") that the corpora annotate one way or the other.
    """
    tokens = doc.tokens
    lowered = [t.lower_ for t in tokens]
    pairs = Counter(zip(lowered, lowered[1:]))  # a name the text repeats starts with a pair it repeats
    occurrences: dict[str, list[tuple[int, int]]] = {}
    for i, first in enumerate(tokens[:-1]):
        if pairs[lowered[i], lowered[i + 1]] < RECORD_MIN_REPEATS or not _a_word(first):
            continue
        for j in range(i + 1, min(i + RECORD_MAX_TOKENS, len(tokens))):
            last = tokens[j]
            if last.is_sent_start or last.text in _CLAUSE:
                break
            if _a_word(last):
                start, end = first.idx, last.idx + len(last.text)
                occurrences.setdefault(doc.text[start:end].lower(), []).append((start, end))
    repeated = sorted(((k, v) for k, v in occurrences.items() if len(v) >= RECORD_MIN_REPEATS),
                      key=lambda kv: (-len(kv[0]), kv[0]))
    if not repeated:
        return doc.mentions
    test = records()
    taken = [(m.start, m.end) for m in doc.mentions]
    added = []
    for key, spans in repeated:
        if not test(key):
            continue
        for start, end in spans:
            if overlaps_any(start, end, taken):
                continue
            taken.append((start, end))
            added.append(rule_mention(doc, start, end, "Chemical", RECORD_RULE, RECORDS_VERSION, RULE_SCORE))
    return with_added(doc.mentions, added)


def _a_word(token) -> bool:
    """A token a compound's name may start or end with: two characters or more, a letter or digit
    last, no stop word ("a 10", the name of a supplementary record, is how abstracts say "a 10-fold")."""
    return len(token.text) > 1 and token.text[-1].isalnum() and not token.is_stop


_QUALIFIER = re.compile(r"(?:[\s\])}'\"]+|\s+(?:[A-Z]|[IVX]+|\d+))+$")


def _head(long_form: str) -> str:
    """The long form up to its head noun: without closing brackets and a one-letter or numeral
    qualifier after it ("diphtheria toxin A", "Poly[di(carboxylatomethylphenoxy)phosphazene]")."""
    return _QUALIFIER.sub("", long_form.strip())
