"""Relation extraction: document-level, typed and scored relations between linked concepts."""

from kg.relate.model import RelationModel, RelationPrediction

__all__ = ["RelationModel", "RelationPrediction"]
