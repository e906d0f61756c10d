"""Training medkg's own models from the shared corpora (train splits; dev only to score)."""
