"""The extractor followed by medkg's rules for what a tagger trained on a few hundred abstracts
misses: sequence variants (:mod:`kg.extract.variant_rules`), gene-symbol lists, distinctive
gene symbols, genes named after a chemical or a disease, and deficiency diseases named after a
gene (:mod:`kg.extract.gene_lists`).
:class:`WithRules` takes the extractor's place in the chain, so gold-mention evaluations, which
replace the extractor, leave the rules out too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from kg.doc import AnnotatedDoc
from kg.extract import gene_lists
from kg.extract.gene_lists import drop_non_genes, fill_gene_lists, fill_gene_names, gene_deficiencies
from kg.extract.variant_rules import RULE_SCORE, RULES, fill_variants
from kg.vocab.variants import FORMAT_VERSION as VARIANTS_VERSION


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
        self.version = f"{extractor.version}+{VARIANTS_VERSION}" + (f"+{gene_lists.FORMAT_VERSION}" if gene_symbols else "")
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
            yield doc
