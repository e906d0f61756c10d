"""Write inferred edges back to the graph, only when asked, apart from the extracted ones.

An inferred edge is a relationship of its own schema type (``INFERRED`` by default; it has no
``key`` in the schema, so it is never a triple type and no Evidence aggregate touches it) with
``inferred: true``, the ``rule`` that produced it, the ``inputs`` it was computed from (the
triple keys of every hop used), the bridging concepts, and the score. Its own ``key`` is a hash
of rule, subject and object, so writing the same inference twice changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kg.errors import Errors, SchemaError
from kg.graph.base import GraphStore
from kg.graph import cypher as q
from kg.models import stable_hash
from kg.reason.discovery import Discovery

INFERRED_TYPE = "INFERRED"
ABC_RULE = "swanson_abc/v1"


@dataclass(frozen=True)
class InferredEdge:
    subject: str
    object: str
    rule: str
    score: float
    inputs: tuple[str, ...]  # triple keys of the extracted edges used
    via: tuple[str, ...] = ()  # intermediate concepts
    explanation: str = ""

    @property
    def key(self) -> str:
        return stable_hash("inferred", self.rule, self.subject, self.object)

    def properties(self) -> dict:
        return {
            "key": self.key, "inferred": True, "rule": self.rule, "score": float(self.score),
            "inputs": list(self.inputs), "via": list(self.via), "explanation": self.explanation,
        }


def from_discoveries(discoveries: Iterable[Discovery], *, rule: str = ABC_RULE) -> list[InferredEdge]:
    """ABC results as inferred edges A -> C, the bridges' triple keys as inputs."""
    out = []
    for d in discoveries:
        keys = [k for b in d.bridges for k in (b.key_ab, b.key_bc) if k]
        terms = [{"b": b.concept, "ab": round(b.score_ab, 6), "bc": round(b.score_bc, 6)} for b in d.bridges]
        out.append(InferredEdge(
            subject=d.source, object=d.concept, rule=rule, score=d.score, inputs=tuple(dict.fromkeys(keys)),
            via=tuple(b.concept for b in d.bridges),
            explanation="score = sum over B of s(A,B)*s(B,C); terms " + json.dumps(terms, sort_keys=True),
        ))
    return out


def _type(store: GraphStore, rel_type: str) -> str:
    rel = store.schema.rel_type(rel_type)
    if rel in store.schema.triple_types:
        raise SchemaError(Errors.E620, name=rel)
    return rel


def write_inferred(
    store: GraphStore, edges: Sequence[InferredEdge], *, rel_type: str = INFERRED_TYPE,
    replace_rules: bool | Iterable[str] = False,
) -> int:
    """MERGE ``edges`` into the store; return how many were written.

    ``replace_rules`` first deletes every inferred edge of these rules (``True``: the rules of
    ``edges``), so a refresh leaves no inference behind whose inputs have gone; name the rule when
    the refresh may find nothing, or the edges of an empty refresh would stay.

    Raises
    ------
    SchemaError
        When ``rel_type`` is not in the schema or is a triple (extracted-relation) type.
    """
    rel = _type(store, rel_type)
    if replace_rules:
        rules = {e.rule for e in edges} if replace_rules is True else set(replace_rules)
        for rule in sorted(rules):
            store.query(q.reason_delete_inferred(store.schema, rel), {"rule": rule}, write=True)
    rows = [{"subject": e.subject, "object": e.object, "key": e.key, "props": e.properties()} for e in edges]
    written = 0
    for start in range(0, len(rows), store.settings.write_batch_size):
        chunk = rows[start : start + store.settings.write_batch_size]
        res = store.query(q.reason_upsert_inferred(store.schema, rel), {"rows": chunk}, write=True)
        written += int(res[0]["n"]) if res else 0
    return written
