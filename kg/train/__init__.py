"""Training medkg's own models from the shared corpora (train splits; dev only to score)."""

from __future__ import annotations

import hashlib


def fold_of(pmid: str, folds: int) -> int:
    """The fold of a document, by its PMID (or other id) alone: the same in every corpus, run and process."""
    return int(hashlib.sha256(pmid.encode()).hexdigest()[:8], 16) % folds
