"""Linking: a :class:`kg.doc.Component` that fills each mention's ranked ``candidates`` (concept
ids) and the document's ``concepts``. A mention left without candidates is NIL: recognised, but
not tied to any concept. The concept store it reads lives in :mod:`kg.vocab.conceptstore`."""
