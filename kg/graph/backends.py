"""Opening the backend a run is configured for: embedded FalkorDB (default) or Neo4j."""

from __future__ import annotations

from kg.config import Settings
from kg.graph.base import GraphStore
from kg.graph.schema import Schema


def open_store(settings: Settings, schema: Schema | None = None) -> GraphStore:
    """The backend ``settings.store`` names, connected (embedded FalkorDB is started if needed)."""
    if settings.store == "falkordb":
        from kg.graph.falkordb_store import FalkorDBStore

        return FalkorDBStore(settings, schema)
    from kg.graph.neo4j_store import Neo4jStore

    return Neo4jStore(settings, schema)
