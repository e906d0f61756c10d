"""The sentences behind triple edges: what every answer, path hop and report line cites."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from kg.graph.base import GraphStore
from kg.graph import cypher as q

KEYS_PER_QUERY = 1000


@dataclass(frozen=True)
class Citation:
    """One supporting sentence: the document (``PMID:…``), its title and year, and how it was read."""

    doc_id: str
    sentence: str
    score: float
    assertion: str
    title: str | None = None
    year: int | None = None

    def short(self, width: int = 220) -> str:
        """``PMID:1 (2019) [negated]: "sentence"``, the sentence cut to ``width`` characters."""
        sentence = self.sentence or "(sentence not stored)"
        if len(sentence) > width:
            sentence = sentence[: width - 1].rstrip() + "…"
        year = f" ({self.year})" if self.year else ""
        flag = "" if self.assertion in ("affirmed", None) else f" [{self.assertion}]"
        return f'{self.doc_id}{year}{flag}: "{sentence}"'


def citations(store: GraphStore, keys: Iterable[str], *, per_key: int = 2) -> dict[str, list[Citation]]:
    """The ``per_key`` best-scored sentences of each triple key (keys without evidence map to [])."""
    wanted = [k for k in dict.fromkeys(keys) if k]
    out: dict[str, list[Citation]] = defaultdict(list)
    for start in range(0, len(wanted), KEYS_PER_QUERY):
        rows = store.query(q.REASON_EVIDENCE, {"keys": wanted[start : start + KEYS_PER_QUERY], "per_key": per_key})
        for r in rows:
            out[r["key"]].append(
                Citation(doc_id=r["doc_id"], sentence=r["sentence"] or "", score=float(r["score"] or 0.0),
                         assertion=r["assertion"] or "affirmed", title=r["title"], year=r["year"])
            )
    return {k: out.get(k, []) for k in wanted}
