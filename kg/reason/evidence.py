"""The sentences behind triple edges: what every answer, path hop and report line cites."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from kg.graph.base import GraphStore
from kg.graph import cypher as q
from kg.reason.subgraph import cypher_limit

KEYS_PER_QUERY = 1000
# Scores are calibrated: at or below this, a claimed relation is no more likely right than wrong, and
# answers and reports say so beside it (the relation heads' scores come in steps, 0.500 among them).
WEAK_SCORE = 0.5
WEAK_NOTE = f"weak: score {WEAK_SCORE} or below, no more likely right than wrong"


def is_weak(score: float) -> bool:
    return score <= WEAK_SCORE


# An edge whose every sentence is negated, hypothetical or family history, or was read in a retracted
# paper, has no scored evidence (kg.graph.cypher._AGGREGATE: combined score 0, no max score): it is
# no claim, and answers, reports and pictures never present it as one.
UNSCORED_NOTE = ("no scored evidence: every sentence negated, hypothetical or family history, or from a "
                 "retracted paper; not a claim")


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
    spans: tuple[tuple[int, int], ...] = ()  # where the sentence names the edge's two concepts (offsets in it)

    @property
    def is_note(self) -> bool:
        return self.doc_id.startswith("NOTE:")

    def text(self) -> str:
        """The sentence, or why there is none: note text is not stored unless ingested with --keep-text."""
        if self.sentence:
            return self.sentence
        return "(note text not stored)" if self.is_note else "(sentence not stored)"

    def short(self, width: int = 220) -> str:
        """``PMID:1 (2019) [negated] [RETRACTED]: "sentence"``, the sentence cut to ``width`` characters
        around the words that name the two concepts (:func:`excerpt`)."""
        sentence = excerpt(self.sentence, self.spans, width) if self.sentence else self.text()
        year = f" ({self.year})" if self.year else ""
        flag = "" if self.assertion in ("affirmed", None) else f" [{self.assertion}]"
        flag += " [RETRACTED]" if self.retracted else ""
        quoted = f'"{sentence}"' if self.sentence else sentence
        return f"{self.doc_id}{year}{flag}: {quoted}"


def unscored_counts(evidence_count: int, negated: int, retracted: int) -> str:
    """What the evidence of an edge without scored evidence is, from the edge's counts: "1 negated of 1
    sentence(s)", "2 from retracted papers of 2 sentence(s)". The sentences neither negated nor
    retracted are the hypothetical and family-history ones (a negated sentence of a retracted paper
    counts in both, so the parts may add up to more than the whole)."""
    parts = [f"{negated} negated"] if negated else []
    parts += [f"{retracted} from retracted papers"] if retracted else []
    if (rest := evidence_count - negated - retracted) > 0:
        parts.append(f"{rest} hypothetical or family history")
    return f"{', '.join(parts)} of {evidence_count} sentence(s)"


def _relative(spans, sentence_start) -> tuple[tuple[int, int], ...]:
    """Document offsets of the two names -> offsets in the sentence (nothing where not stored)."""
    if sentence_start is None or not spans:
        return ()
    return tuple((int(s) - sentence_start, int(e) - sentence_start) for s, e in spans if s is not None and e is not None)


def excerpt(sentence: str, spans: Iterable[tuple[int, int]] = (), width: int = 220) -> str:
    """``sentence`` cut to about ``width`` characters, keeping the words at ``spans``.

    A long passage that relates two concepts says so around their names, often at its end ("PGE1
    was the most potent inhibitor ... All inhibitors produced marked hypotension"): the cut keeps
    the stretch from the first name to the last, or, when that is longer than ``width``, the
    stretch around each name with "…" between them. Without spans the start is kept.
    """
    if len(sentence) <= width:
        return sentence
    spans = sorted((s, e) for s, e in spans if 0 <= s < e <= len(sentence))
    if not spans:
        return _cut(sentence, 0, width - 1)
    lo, hi = spans[0][0], spans[-1][1]
    if hi - lo <= width:
        start = max(0, min(lo - (width - (hi - lo)) // 2, len(sentence) - width))
        return _cut(sentence, start, start + width, keep=(lo, hi))
    half = (width - 3) // 2
    first, last = spans[0], spans[-1]
    a, b = max(0, first[0] - 20), min(len(sentence), last[1] + 20)
    head = _cut(sentence, a, max(a + half, first[1]), keep=first).removesuffix("…")
    tail = _cut(sentence, min(b - half, last[0]), b, keep=last).removeprefix("…")
    return f"{head} … {tail}"


def _cut(sentence: str, start: int, end: int, keep: tuple[int, int] | None = None, slack: int = 15) -> str:
    """``sentence[start:end]`` narrowed to whole words (but never into ``keep``, and a word longer
    than ``slack`` is cut), with "…" where it cuts the sentence."""
    lo, hi = keep if keep is not None else (end, start)
    if 0 < start and not sentence[start - 1].isspace():
        space = sentence.find(" ", start, min(start + slack, lo))
        start = space + 1 if space >= 0 else start
    if end < len(sentence) and not sentence[end].isspace():
        space = sentence.rfind(" ", max(end - slack, start, hi), end)
        end = space if space >= 0 else end
    text = sentence[start:end].strip()
    return ("…" if start > 0 else "") + text + ("…" if end < len(sentence) else "")


def citations(store: GraphStore, keys: Iterable[str], *, per_key: int = 2) -> dict[str, list[Citation]]:
    """The ``per_key`` best-scored sentences of each triple key (keys without evidence map to [])."""
    wanted = [k for k in dict.fromkeys(keys) if k]
    out: dict[str, list[Citation]] = defaultdict(list)
    for start in range(0, len(wanted), KEYS_PER_QUERY):
        rows = store.query(q.REASON_EVIDENCE, {"keys": wanted[start : start + KEYS_PER_QUERY],
                                               "per_key": cypher_limit(per_key)})
        for r in rows:
            out[r["key"]].append(
                Citation(doc_id=r["doc_id"], sentence=r["sentence"] or "", score=float(r["score"] or 0.0),
                         assertion=r["assertion"] or "affirmed", title=r["title"], year=r["year"],
                         retracted=bool(r.get("retracted")), spans=_relative(r.get("spans"), r.get("sentence_start")))
            )
    return {k: out.get(k, []) for k in wanted}
