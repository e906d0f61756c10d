"""Curation decisions as the parameter rows of the curation Cypher: pure functions, no database.

Which edges and concepts a set of decisions is about, and what their flags must say, computed
from the whole curation (:class:`kg.curation.Curation`) every time, never patched: so a graph
curated in any order of ingests and decisions ends with the same flags.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kg.curation import Curation, Decision
from kg.models import GraphBatch, Triple


def triple_of(curation: Curation, d: Decision) -> dict[str, str]:
    """The edge a reject/confirm decision names (ids read through same_as), in ``rows.triple_rows``' shape."""
    t = Triple(subject=curation.canonical(d.subject), predicate=d.predicate, object=curation.canonical(d.object))
    return {"triple_key": t.key, "predicate": t.predicate, "subject": t.subject, "object": t.object}


def batch_targets(curation: Curation, batch: GraphBatch) -> tuple[list[dict], list[str]]:
    """What of a freshly written batch the decisions in force are about: its curated edges (as
    triple dicts) and its concepts that have aliases."""
    curated = curation.curated_triples()
    rejected = curation.evidence_decisions()
    triples = {}
    if curated:
        for e in batch.evidence:
            if e.triple.key in curated or e.key in rejected:
                triples[e.triple.key] = {"triple_key": e.triple.key, "predicate": e.triple.predicate,
                                         "subject": e.triple.subject, "object": e.triple.object}
    kept = curation.aliases_of()
    concepts = sorted({c.id for c in batch.concepts if c.id in kept})
    return list(triples.values()), concepts


def edge_rows(curation: Curation, triples: Iterable[dict]) -> list[dict[str, Any]]:
    """One row per edge for ``curation_mark_triples``: its status and flags (None removes one)."""
    decisions = curation.edge_decisions()
    out = []
    for t in triples:
        d = decisions.get(t["triple_key"])
        kind = d.decision if d else None
        out.append({"key": t["triple_key"], "subject": t["subject"], "object": t["object"],
                    "status": {"reject": "rejected", "confirm": "confirmed"}.get(kind),
                    "confirmed": True if kind == "confirm" else None,
                    "rejected": True if kind == "reject" else None,
                    "decision": d.id if d else None})
    return out


def rejected_edge_rows(curation: Curation, keys: Iterable[str]) -> list[dict[str, str]]:
    """{key: triple key, decision} for the rejected edges among ``keys``."""
    decisions = curation.edge_decisions()
    return [{"key": k, "decision": decisions[k].id} for k in keys
            if k in decisions and decisions[k].decision == "reject"]


def rejected_evidence_rows(curation: Curation, keys: Iterable[str]) -> list[dict[str, str]]:
    """{key: evidence key, triple: the named edge's key, decision} for the rejected evidence of the edges
    ``keys``. The evidence is flagged only where it supports the edge its decision names (E174)."""
    keys = set(keys)
    return [{"key": ev, "triple": triple, "decision": d.id} for ev, d in curation.evidence_decisions().items()
            if (triple := curation.triple_key(d)) in keys]


def alias_rows(curation: Curation, concepts: Iterable[str]) -> list[dict[str, Any]]:
    """{id, aliases} for kept concepts; aliases None when the concept has none (any more)."""
    kept = curation.aliases_of()
    return [{"id": c, "aliases": kept.get(c)} for c in dict.fromkeys(concepts)]
