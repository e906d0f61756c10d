"""Cell line mentions -> Cellosaurus ids, from the names the training splits annotate.

No Cellosaurus file is available offline, so the vocabulary is what training mentions taught
("HEK293" -> CVCL_0045), matched case-, space- and hyphen-blind ("MCF-7" = "MCF7"); anything
else is NIL.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.cache import cached_pickle
from kg.config import SHARED_DATA
from kg.models import stable_hash
from kg.vocab.context import DocContext
from kg.vocab.learned import inputs_key, learned_names, training_docs, training_path

FORMAT_VERSION = "celllines-v1"
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_CELLS = re.compile(r"[\s-]+(?:cells?|cell\s+lines?|lines?)$", re.IGNORECASE)


def cellline_key(text: str) -> str:
    return _NON_ALNUM.sub("", _CELLS.sub("", text.strip()).lower())


@dataclass
class CellLineNormalizer:
    """``names``: key -> Cellosaurus CURIE (the majority id of the training mentions)."""

    names: dict[str, str]
    version: str

    @classmethod
    def build(cls, shared_data: Path = SHARED_DATA) -> CellLineNormalizer:
        votes: dict[str, Counter] = defaultdict(Counter)
        for (text, raw), n in learned_names(training_docs(shared_data), "CellLine").items():
            if raw.startswith("CVCL_") and (key := cellline_key(text)):
                votes[key][f"Cellosaurus:{raw}"] += n
        names = {k: v.most_common(1)[0][0] for k, v in votes.items()}
        return cls(names, _version(shared_data))

    @classmethod
    def load(cls, shared_data: Path = SHARED_DATA, cache_dir: Path | None = None) -> CellLineNormalizer:
        if cache_dir is None:
            return cls.build(shared_data)
        version = _version(shared_data)
        return cached_pickle(
            Path(cache_dir) / f"celllines-{version}.pkl",
            lambda cached: isinstance(cached, CellLineNormalizer) and cached.version == version,
            lambda: cls.build(shared_data),
        )

    def normalize_one(self, text: str) -> str | None:
        return self.names.get(cellline_key(text))

    def normalize(
        self, mentions: Sequence[tuple[str, int, int]], context: DocContext | None = None
    ) -> list[tuple[str | None, float]]:
        """``(text, start, end)`` mentions -> ``(Cellosaurus CURIE or None, score)``; a short form
        whose long form is a known cell line takes its id."""
        long_forms = context.long_forms if context is not None else {}
        out = []
        for text, _, _ in mentions:
            curie = self.normalize_one(text)
            if curie is None and (long := long_forms.get(text.strip())):
                curie = self.normalize_one(long)
            out.append((curie, 1.0) if curie else (None, 0.0))
        return out


def _version(shared_data: Path) -> str:
    return stable_hash(FORMAT_VERSION, inputs_key(training_path(shared_data)))[:12]
