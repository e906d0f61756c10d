"""Relation extraction: document-level, typed and scored relations between linked concepts."""

from kg.relate.model import RelationExtractor, RelationModel

__all__ = ["RelationExtractor", "RelationModel"]
