"""Turn a GraphBatch into the parameter rows the shared DML expects.

Pure functions, no database: this is where property layout, in-batch key deduplication and
the whitelist checks happen, so they are tested without a server. Deduplication keeps the last
occurrence of a key, because FalkorDB would otherwise keep the first row's SET and Neo4j the
last one.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from kg.graph.schema import Schema
from kg.models import Concept, Document, Evidence, MentionLink

T = TypeVar("T")
_SCALARS = (str, int, float, bool)
_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_]+")


def property_name(key: object) -> str:
    """Metadata keys become identifiers: FalkorDB's parameter syntax cannot carry every key
    (a backtick or an empty key is refused), and plain names are what Cypher users type."""
    return _NOT_IDENTIFIER.sub("_", str(key)).strip("_") or "field"


def dedupe(items: Iterable[T], key: Any) -> list[T]:
    """Last occurrence of each key wins, in first-seen order."""
    out: dict[Any, T] = {}
    for item in items:
        out[key(item)] = item
    return list(out.values())


def chunks(rows: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    """Graph properties hold scalars or homogeneous lists of scalars (Neo4j's rule, the stricter).

    Nested maps become ``parent_child`` keys, a list of maps becomes one list per map key,
    and what still does not fit (mixed or nested lists, lists with gaps) is stored as a JSON
    string so nothing is lost and positions stay aligned across the per-key lists. A None value
    is dropped: neither store can hold a null property.
    """
    if value is None:
        return
    if isinstance(value, float) and not math.isfinite(value):
        out[prefix] = str(value)  # FalkorDB's parameter text has no NaN or infinity
    elif isinstance(value, _SCALARS):
        out[prefix] = value
    elif isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}_{property_name(k)}", v, out)
    elif isinstance(value, (list, tuple)):
        items = list(value)
        if items and all(isinstance(v, dict) for v in items):
            keys = dict.fromkeys(k for v in items for k in v)
            for k in keys:
                _flatten(f"{prefix}_{property_name(k)}", [v.get(k) for v in items], out)
        elif len({type(v) for v in items}) <= 1 and all(
            isinstance(v, _SCALARS) and not (isinstance(v, float) and not math.isfinite(v)) for v in items
        ):
            out[prefix] = items
        else:
            out[prefix] = json.dumps(items, ensure_ascii=False, sort_keys=True, default=str)
    else:
        out[prefix] = str(value)


def document_row(doc: Document) -> dict[str, Any]:
    """The Document node's full property map, flat; the text is never stored (it can be large
    and, for notes, private). A note's node has no ``content_hash`` either: the hash of its text,
    id and version would let anyone holding the source notes tell which pseudonymised note node
    is which note without the pseudonymisation key (nothing reads it from the graph; the ledger
    keeps its own copy)."""
    props: dict[str, Any] = {}
    for k, v in doc.metadata.items():
        _flatten(property_name(k), v, props)
    props.update(
        id=doc.id,
        source=doc.source,
        title=doc.title,
        version=doc.version,
        sections=[s.label for s in doc.sections],
    )
    if doc.source != "note":
        props["content_hash"] = doc.content_hash
    return props


def concept_rows(schema: Schema, concepts: Iterable[Concept]) -> dict[str, list[dict[str, Any]]]:
    """Rows grouped by type label (checked against the schema), one group per Cypher statement."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in dedupe(concepts, lambda c: c.id):
        props = {
            "name": c.name,
            "type": c.type,
            "synonyms": list(c.synonyms),
            "xrefs": list(c.xrefs),
            "source": c.source,
            "release": c.release,
        }
        groups[schema.label(c.type)].append({"id": c.id, "props": props})
    return dict(groups)


def mention_rows(mentions: Iterable[MentionLink]) -> list[dict[str, Any]]:
    rows = []
    for m in dedupe(mentions, lambda m: (m.doc_id, m.concept_id)):
        props = m.model_dump(exclude={"doc_id", "concept_id"})
        props["texts"] = list(m.texts)
        props["sections"] = list(m.sections)
        rows.append({"doc_id": m.doc_id, "concept_id": m.concept_id, "props": props})
    return rows


def evidence_rows(schema: Schema, evidence: Iterable[Evidence]) -> list[dict[str, Any]]:
    """Each row is the Evidence node's full property map; the statement reads key and doc_id from it."""
    rows = []
    for e in dedupe(evidence, lambda e: e.key):
        t = e.triple
        schema.predicate(t.predicate)
        rows.append({
            "key": e.key,
            "triple_key": t.key,
            "predicate": t.predicate,
            "subject": t.subject,
            "object": t.object,
            "doc_id": e.doc_id,
            "sentence": e.sentence,
            "sentence_start": e.sentence_start,
            "subject_start": e.subject_span[0],
            "subject_end": e.subject_span[1],
            "object_start": e.object_span[0],
            "object_end": e.object_span[1],
            "extractor": e.extractor,
            "extractor_version": e.extractor_version,
            "score": e.score,
            "assertion": e.assertion,
            "year": e.year,
            "novelty": e.novelty,
            "retracted": e.retracted,
            "same_sentence": e.same_sentence,
            "sentence_score": e.sentence_score,
        })
    return rows


def triple_rows(schema: Schema, triples: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """One row per triple key, grouped by (whitelisted) predicate.

    Takes dicts with triple_key/predicate/subject/object: Evidence properties, either about
    to be written or read back from the graph when deleting.
    """
    groups: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for t in triples:
        groups[schema.predicate(t["predicate"])][t["triple_key"]] = {
            "key": t["triple_key"],
            "subject": t["subject"],
            "object": t["object"],
        }
    return {p: list(rows.values()) for p, rows in groups.items()}
