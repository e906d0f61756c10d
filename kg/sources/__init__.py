"""Sources: readers that turn input files into documents, deletions and quarantine records."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def read_files(paths: Iterable[str | Path], read: Callable[[Path], Iterator[T]]) -> Iterator[T]:
    """The items ``read`` gives for each file in turn, every file checked first.

    Each file is opened and its first record read before the first item is returned, so a
    missing, empty or unrecognised file (the reader raises its ``SourceError``) stops the run
    before it starts, not after the files before it were written and the batch in hand lost.
    """
    files = [Path(p) for p in paths]
    for path in files:
        probe = read(path)
        next(probe, None)
        probe.close()
    return chain.from_iterable(read(path) for path in files)
