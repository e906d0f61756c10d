"""The sentences behind triple edges: what every answer, path hop and report line cites."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from kg.graph.base import GraphStore
from kg.graph import cypher as q

KEYS_PER_QUERY = 1000
# Scores are calibrated: below this, a claimed relation is more likely wrong than right, and
# answers and reports say so beside it.
WEAK_SCORE = 0.5
WEAK_NOTE = f"weak: score below {WEAK_SCORE}, more likely wrong than right"


@dataclass(frozen=True)
class Citation:
    """One supporting sentence: the document (``PMID:…`` or a pseudonymised ``NOTE:…``), its title
    and year, how it was read (assertion), and whether the paper was retracted."""

    doc_id: str
    sentence: str
    score: float
    assertion: str
    title: str | None = None
    year: int | None = None
    retracted: bool = False

    @property
    def is_note(self) -> bool:
        return self.doc_id.startswith("NOTE:")

    def text(self) -> str:
        """The sentence, or why there is none: note text is not stored unless ingested with --keep-text."""
        if self.sentence:
            return self.sentence
        return "(note text not stored)" if self.is_note else "(sentence not stored)"

    def short(self, width: int = 220) -> str:
        """``PMID:1 (2019) [negated] [RETRACTED]: "sentence"``, the sentence cut to ``width`` characters."""
        sentence = self.text()
        if len(sentence) > width:
            sentence = sentence[: width - 1].rstrip() + "…"
        year = f" ({self.year})" if self.year else ""
        flag = "" if self.assertion in ("affirmed", None) else f" [{self.assertion}]"
        flag += " [RETRACTED]" if self.retracted else ""
        quoted = f'"{sentence}"' if self.sentence else sentence
        return f"{self.doc_id}{year}{flag}: {quoted}"


def citations(store: GraphStore, keys: Iterable[str], *, per_key: int = 2) -> dict[str, list[Citation]]:
    """The ``per_key`` best-scored sentences of each triple key (keys without evidence map to [])."""
    wanted = [k for k in dict.fromkeys(keys) if k]
    out: dict[str, list[Citation]] = defaultdict(list)
    for start in range(0, len(wanted), KEYS_PER_QUERY):
        rows = store.query(q.REASON_EVIDENCE, {"keys": wanted[start : start + KEYS_PER_QUERY], "per_key": per_key})
        for r in rows:
            out[r["key"]].append(
                Citation(doc_id=r["doc_id"], sentence=r["sentence"] or "", score=float(r["score"] or 0.0),
                         assertion=r["assertion"] or "affirmed", title=r["title"], year=r["year"],
                         retracted=bool(r.get("retracted")))
            )
    return {k: out.get(k, []) for k in wanted}
