"""Vocabulary: what extraction and linking both need to know about names and identifiers.

Entity-type mapping of the corpora (:mod:`kg.vocab.types`), CURIE <-> corpus id conversion
(:mod:`kg.vocab.curie`), which corpus splits may be learned from (:mod:`kg.vocab.corpora`),
the typed surface-form lexicon and its phrase matcher (:mod:`kg.vocab.lexicon`), the concept
store of every ontology (:mod:`kg.vocab.conceptstore`), and the normalisers that need document
context: genes (:mod:`kg.vocab.genes`), species, variants and cell lines, bundled by
:mod:`kg.vocab.normalizers` over a :class:`kg.vocab.context.DocContext`. It sits below
``kg.extract`` and ``kg.link`` and imports neither.
"""
