"""The graph schema whitelist, loaded from ``ontology/schema.yaml``.

Cypher cannot take labels or relationship types as parameters, so they are the only
things medkg formats into query text. Everything formatted must come through
``Schema.label`` / ``Schema.rel_type`` / ``Schema.predicate``, which return a name only if the
schema lists it; a name from data that is not listed raises ``SchemaError`` instead of
reaching the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from kg.errors import Errors, SchemaError
from ontology import SCHEMA_PATH

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class NodeSpec:
    name: str
    key: str
    extra_labels: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class RelSpec:
    name: str
    source: str
    target: str
    key: str | None = None
    biolink: str | None = None
    description: str = ""

    @property
    def is_triple(self) -> bool:
        """Concept-to-Concept types with a key carry Evidence-backed facts."""
        return self.source == "Concept" and self.target == "Concept" and self.key is not None


def _identifier(value: object, where: str, path: Path) -> str:
    if not isinstance(value, str) or not _IDENTIFIER.match(value):
        raise SchemaError(Errors.E601, path=path, where=where, value=value)
    return value


@dataclass(frozen=True)
class Schema:
    nodes: dict[str, NodeSpec]
    relationships: dict[str, RelSpec]

    @classmethod
    def load(cls, path: str | Path = SCHEMA_PATH) -> Schema:
        """Read and validate the YAML; every name is checked here so formatting it later is safe."""
        p = Path(path)
        try:
            raw = yaml.safe_load(p.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise SchemaError(Errors.E602, path=p) from exc
        except yaml.YAMLError as exc:
            raise SchemaError(Errors.E603, path=p, error=exc) from exc
        if not isinstance(raw, dict) or not isinstance(raw.get("nodes"), dict):
            raise SchemaError(Errors.E604, path=p)
        nodes: dict[str, NodeSpec] = {}
        for name, spec in raw["nodes"].items():
            spec = spec or {}
            nodes[_identifier(name, "node label", p)] = NodeSpec(
                name=name,
                key=_identifier(spec.get("key"), f"key of node {name}", p),
                extra_labels=tuple(
                    _identifier(x, f"extra label of {name}", p) for x in spec.get("extra_labels", ())
                ),
                description=spec.get("description", ""),
            )
        rels: dict[str, RelSpec] = {}
        for name, spec in (raw.get("relationships") or {}).items():
            spec = spec or {}
            for end in ("from", "to"):
                if spec.get(end) not in nodes:
                    raise SchemaError(Errors.E605, path=p, name=name, end=end, value=spec.get(end))
            key = spec.get("key")
            rels[_identifier(name, "relationship type", p)] = RelSpec(
                name=name,
                source=spec["from"],
                target=spec["to"],
                key=None if key is None else _identifier(key, f"key of {name}", p),
                biolink=spec.get("biolink"),
                description=spec.get("description", ""),
            )
        return cls(nodes=nodes, relationships=rels)

    @cached_property
    def labels(self) -> tuple[str, ...]:
        """Every node label, extra labels included (e.g. Concept and Disease)."""
        out = list(self.nodes)
        for spec in self.nodes.values():
            out.extend(x for x in spec.extra_labels if x not in out)
        return tuple(out)

    @cached_property
    def triple_types(self) -> tuple[str, ...]:
        """The relationship types that are claims between concepts (asked for once per triple written)."""
        return tuple(name for name, spec in self.relationships.items() if spec.is_triple)

    def label(self, name: str) -> str:
        """``name`` if it is a node label or extra label of the schema."""
        if name not in self.labels:
            raise SchemaError(Errors.E610, name=name, known=", ".join(self.labels))
        return name

    def rel_type(self, name: str) -> str:
        """``name`` if it is a relationship type of the schema."""
        if name not in self.relationships:
            raise SchemaError(Errors.E611, name=name, known=", ".join(self.relationships))
        return name

    def predicate(self, name: str) -> str:
        """``name`` if it is a triple type: a keyed Concept-to-Concept relationship."""
        if name not in self.triple_types:
            raise SchemaError(Errors.E612, name=name, predicates=", ".join(self.triple_types))
        return name
