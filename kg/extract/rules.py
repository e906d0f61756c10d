"""The extractor followed by medkg's rules for what a tagger trained on a few hundred abstracts
misses: sequence variants (:mod:`kg.extract.variant_rules`), gene-symbol lists, distinctive
gene symbols, genes named after a chemical or a disease, and deficiency diseases named after a
gene (:mod:`kg.extract.gene_lists`); and no disease mention for a short form the text defines as
something else (:func:`drop_undefined_diseases`).
:class:`WithRules` takes the extractor's place in the chain, so gold-mention evaluations, which
replace the extractor, leave the rules out too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from kg.doc import AnnotatedDoc
from kg.models import Mention, overlaps_any
from kg.extract import gene_lists
from kg.extract.gene_lists import drop_non_genes, fill_gene_lists, fill_gene_names, gene_deficiencies
from kg.extract.variant_rules import RULE_SCORE, RULES, fill_variants
from kg.vocab.variants import FORMAT_VERSION as VARIANTS_VERSION

SHORT_FORMS_VERSION = "short-forms-1"  # drop_undefined_diseases
# A short form inside a disease's name: "von Hippel-Lindau (VHL) disease"
_DISEASE_AFTER = re.compile(r"\)?[ \t]*(?:disease|syndrome|disorder)s?\b", re.IGNORECASE)
# A long form whose head noun is a disease's: "small vessel disease", "Diffuse midline gliomas"
_DISEASE_HEAD = re.compile(
    r"(?:disease|syndrome|disorder|illness|cancer|carcinoma|tumou?r|neoplasm|lymphoma|leuka?emia|infection|fistulae?|"
    r"deficienc(?:y|ie)|\w+itis|\w+oma|\w+a?emia|\w+path(?:y|ie)|\w+os[ie]s|\w+oxia|anaphylaxis|delusion|injur(?:y|ie)|"
    r"failure|lesion|dysplasia|palsy|insufficiency|hypertension|stenosis|atrophy|degeneration|dystrophy|anomal(?:y|ie)|"
    r"malformation|fracture|arrest|infarction|ha?emorrhage|aneurysm|dissection|occlusion|loss|collapse|death|"
    r"embolization)s?$", re.IGNORECASE)


class WithRules:
    """An extractor, then rule-found ``Variant`` and ``Gene`` mentions where it found nothing, less
    the gene mentions that name T-helper cells or chromosome bands, with the gene mentions that
    name a deficiency disease ("G6PD deficiency") made ``Disease`` mentions.

    ``gene_symbols`` returns the test "is this word an official gene symbol?", ``gene_names`` the
    test "is this a gene's name?", ``disease_names`` the test "is this a disease's name?"; each is
    called on the first text that might be one (without them, the rules that need them do not run).
    """

    def __init__(self, extractor, gene_symbols: Callable[[], Callable[[str], bool]] | None = None,
                 gene_names: Callable[[], Callable[[str], bool]] | None = None,
                 disease_names: Callable[[], Callable[[str], bool]] | None = None) -> None:
        self.extractor = extractor
        self.name = extractor.name
        self.version = (f"{extractor.version}+{VARIANTS_VERSION}+{SHORT_FORMS_VERSION}"
                        + (f"+{gene_lists.FORMAT_VERSION}" if gene_symbols else ""))
        self.vocab = getattr(extractor, "vocab", None)  # the text analysis shares the extractor's strings
        self._providers = {"symbol": gene_symbols, "name": gene_names, "disease": disease_names}
        self._tests: dict[str, Callable[[str], bool]] = {}

    @property
    def settings(self) -> dict[str, object]:
        lists = {"min_items": gene_lists.MIN_ITEMS, "min_share": gene_lists.MIN_SHARE, "min_chars": gene_lists.MIN_CHARS,
                 "min_distinct": gene_lists.MIN_DISTINCT} if self._providers["symbol"] else None
        return {**self.extractor.settings, RULES: RULE_SCORE, gene_lists.RULES: lists,
                "gene_names": self._providers["name"] is not None,
                "gene_deficiencies": self._providers["disease"] is not None}

    def _test(self, kind: str) -> Callable[[str], bool]:
        """The ``kind`` test ("symbol", "name" or "disease"), asked of its provider once."""
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
            if self._providers["disease"] is not None:
                doc.mentions = gene_deficiencies(doc, lambda: self._test("disease"))
            doc.mentions = drop_undefined_diseases(
                doc, (lambda: self._test("disease")) if self._providers["disease"] is not None else None)
            yield doc


def drop_undefined_diseases(doc: AnnotatedDoc, is_disease: Callable[[], Callable[[str], bool]] | None = None
                            ) -> tuple[Mention, ...]:
    """The document's mentions without the ``Disease`` mentions of a short form whose long form, as the
    text defines it, is no disease: it holds no disease mention, does not end in a disease's head noun
    ("small vessel disease", "Diffuse midline gliomas": :data:`_DISEASE_HEAD`), is no disease name
    (``is_disease``, the lexicon's test, asked for on the first such long form) and is not the start
    of one ("von Hippel-Lindau (VHL) disease"). "repetitive transcranial magnetic stimulation (rTMS)",
    "disease-free survival (DFS)", "bone mineral density (BMD)" and "contrast media (CM)" go.

    A short form whose long form is a disease mention takes its type in the extractor already (see
    :func:`kg.extract.spans.inherit_abbreviation_types`); this settles the other case. Genes and
    chemicals are left alone: for them the tagger's mentions of such short forms are right about
    as often as wrong.
    """
    diseases = [(m.start, m.end) for m in doc.mentions if m.label == "Disease"]
    # one record per occurrence of a short form: any of them may show that it names a disease
    named = {a.short for a in doc.abbreviations
             if overlaps_any(a.long_start, a.long_end, diseases) or _DISEASE_AFTER.match(doc.text, a.short_end)}
    undefined = {a.short for a in doc.abbreviations if a.short not in named and not _DISEASE_HEAD.search(a.long.strip())
                 and (is_disease is None or not is_disease()(a.long))}
    if not undefined:
        return doc.mentions
    return tuple(m for m in doc.mentions if not (m.label == "Disease" and m.text in undefined))
