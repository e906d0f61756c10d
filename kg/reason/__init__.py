"""Reasoning over the graph: the store keeps the data, networkx runs the algorithms.

- ``subgraph``: stream a neighbourhood (or the whole graph) out of a GraphStore, with a size guard;
- ``closure``: the is_a hierarchy of MeSH, HPO and DOID, for opt-in subtype expansion;
- ``paths``: the k most believable paths between two concepts, each hop with its sentences;
- ``discovery``: Swanson ABC literature-based discovery with a score anyone can recompute;
- ``contradictions``: edges read both affirmed and negated;
- ``inferred``: writing inferences back, only on request, as their own relationship type;
- ``question`` (with the cue lists of ``cues``): reading a question with medkg's own NER and linker;
- ``ask``, ``report``, ``viz``: what ``medkg ask``, ``medkg report`` and ``medkg viz`` do.
"""
