"""The graph layer: the schema whitelist, all Cypher, and the GraphStore backends (the Sink)."""

from kg.graph.base import GraphStore, WriteStats, open_store
from kg.graph.schema import Schema

__all__ = ["GraphStore", "Schema", "WriteStats", "open_store"]
