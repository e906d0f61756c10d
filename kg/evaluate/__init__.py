"""Measuring extractors and linkers against gold corpora (development splits only)."""
