"""Vocabulary normalisers that need document context: genes, species, variants, cell lines.

Each takes plain inputs (mention texts and offsets, a :class:`DocContext`) and returns CURIEs,
so a linker can call it with whatever document carrier it has; none imports ``kg.extract``,
``kg.link``, ``kg.pipeline`` or ``kg.graph``. What they learn from corpora comes from training
splits only, through :func:`kg.corpora.training_documents`.
"""

from kg.vocab.context import DocContext

__all__ = ["DocContext"]
