"""Compact, picklable lookup tables for vocabularies of a million names.

A Python dict of a million strings to lists costs a few hundred MB; a marisa trie of the same
keys costs a few MB, and numpy arrays hold what each key maps to.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from itertools import chain

import marisa_trie
import numpy as np


class StringList:
    """A read-only list of strings: one joined string plus offsets (a few bytes per entry where
    a Python list of ~700k short strings costs ~70 MB)."""

    def __init__(self, items: Iterable[str]) -> None:
        items = list(items)
        self.blob = "".join(items)
        self.offsets = np.zeros(len(items) + 1, dtype=np.int64)
        np.cumsum([len(x) for x in items], out=self.offsets[1:])

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> str:
        return self.blob[self.offsets[i] : self.offsets[i + 1]]

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StringList) and self.blob == other.blob and np.array_equal(self.offsets, other.offsets)


class KeyTable:
    """key -> list of ``(value, weight)`` int pairs: a marisa trie numbers the keys, and CSR-style
    arrays hold the pairs of key number k at ``ptr[k]:ptr[k + 1]``."""

    def __init__(self, table: Mapping[str, Mapping[int, int]]) -> None:
        self.keys = marisa_trie.Trie(table)
        # Flatten in the table's order, then permute blocks into trie-id order with numpy: a
        # million keys in a second or two instead of a Python sort and three passes.
        n_keys = len(table)
        trie_ids = np.fromiter((self.keys[k] for k in table), dtype=np.int64, count=n_keys)
        sizes = np.fromiter(map(len, table.values()), dtype=np.int64, count=n_keys)
        starts = np.zeros(n_keys, dtype=np.int64)
        np.cumsum(sizes[:-1], out=starts[1:])
        total = int(sizes.sum())
        values = np.fromiter(chain.from_iterable(table.values()), dtype=np.int32, count=total)
        weights = np.fromiter(
            chain.from_iterable(v.values() for v in table.values()), dtype=np.int32, count=total
        )
        order = np.argsort(trie_ids, kind="stable")
        self.ptr = np.zeros(n_keys + 1, dtype=np.int64)
        np.cumsum(sizes[order], out=self.ptr[1:])
        take = np.arange(total, dtype=np.int64) + np.repeat(starts[order] - self.ptr[:-1], sizes[order])
        self.values = values[take]
        self.weights = weights[take]

    def get(self, key: str) -> list[tuple[int, int]]:
        k = self.keys.get(key)
        if k is None:
            return []
        lo, hi = self.ptr[k], self.ptr[k + 1]
        return list(zip(self.values[lo:hi].tolist(), self.weights[lo:hi].tolist(), strict=True))

    def __contains__(self, key: str) -> bool:
        return key in self.keys

    def __len__(self) -> int:
        return len(self.keys)
