"""Data files that define medkg's graph: the schema whitelist lives next to this module."""

from pathlib import Path

SCHEMA_PATH = Path(__file__).resolve().parent / "schema.yaml"
