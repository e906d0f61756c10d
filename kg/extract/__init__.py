"""Extractors and the assertion tagger: components that add mentions, and their assertion status.

An extractor fills :attr:`kg.doc.AnnotatedDoc.mentions` (spans with entity types, no concepts
yet) from the document's tokens; the assertion tagger (:mod:`kg.extract.assertion`) later sets
each mention's assertion. Both follow :class:`kg.doc.Component`. An extractor that runs a spaCy
model may also expose ``vocab``, so that the text analysis makes tokens in that model's vocabulary.
"""
