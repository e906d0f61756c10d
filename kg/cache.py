"""Files written whole or not at all (:func:`atomic_file`), and pickled build products (lexicon, linker
index) cached on disk that way, rebuilt when stale or cut."""

from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, TypeVar

T = TypeVar("T")


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A binary file written under a temporary name beside ``path`` and renamed to it only when the
    block ends without an error: an interrupted write never leaves a partial file at ``path``."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.partial")
    try:
        with tmp.open("wb") as fh:
            yield fh
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


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
    with atomic_file(cache) as fh:
        pickle.dump(built, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return built
