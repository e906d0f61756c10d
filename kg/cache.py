"""Pickled build products (lexicon, linker index) cached on disk, rebuilt when stale or cut."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def cached_pickle(cache: Path, is_current: Callable[[object], bool], build: Callable[[], T]) -> T:
    """The object pickled at ``cache`` if ``is_current`` accepts it, else ``build()``, cached.

    An unreadable, truncated or stale file is rebuilt; the new file is written beside the old
    one and renamed over it, so a killed run never leaves a cut cache behind.
    """
    if cache.exists():
        try:
            with cache.open("rb") as fh:
                cached = pickle.load(fh)
            if is_current(cached):
                return cached
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            pass  # a stale or cut cache file, or one from a medkg whose classes moved, is rebuilt below
    built = build()
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(built, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(cache)
    return built
