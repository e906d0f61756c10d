"""Linking scores against PubTator gold: accuracy@1 on gold mentions, document-level concept ids.

Two views, because they answer different questions:

- *gold mentions*: the linker gets exactly the annotated spans and types. Accuracy@1 is the
  share of mentions with a gold id whose top candidate is one of them (a composite mention
  with several ids counts as right when the top candidate is any of them; NIL is wrong);
  ``recall_at_k`` is the same with any of the top k. This isolates linking from NER.
- *document level*: per document, the set of (type, id) pairs predicted against the gold
  set, the BioCreative V CDR measure (its best disease F1 was 0.865). Computed on the gold
  mentions and, unless switched off, end to end on the chain's own mentions.

Ids are compared as the corpora write them (``D003924``, ``OMIM:125853``), via
:func:`kg.vocab.curie.corpus_id`. Both views run the ingestion chain
(:func:`kg.components.build_annotator`); for the gold-mention view the corpus's mentions take
the extractor's place (:class:`kg.evaluate.gold.GoldExtractor`). Corpora of different years name
one disease differently (NCBI-disease writes ``OMIM:613825`` where MeSH 2024 has the
supplementary record ``C565165``, which MONDO says is the same disease), so a third view
resolves the gold ids through the linker's concept store before comparing: what the graph
would count.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from kg.config import Settings
from kg.evaluate.gold import (
    GoldExtractor,
    described,
    left_out_line,
    not_read_line,
    predicted,
    read_gold,
    resolved_gold,
    run_corpus,
)
from kg.evaluate.ner import Score, evaluate_ner
from kg.pipeline import Annotator
from kg.sources.pubtator import PubtatorDocument
from kg.vocab.curie import corpus_id
from kg.vocab.types import entity_type

RECALL_K = 5


class Accuracy(BaseModel):
    model_config = ConfigDict(frozen=True)

    mentions: int = 0  # gold mentions with at least one id
    correct: int = 0
    in_top_k: int = 0
    nil_predicted: int = 0
    gold_nil: int = 0  # gold mentions without an id ("-1"), not scored

    @property
    def accuracy(self) -> float:
        return self.correct / self.mentions if self.mentions else 0.0

    @property
    def recall_at_k(self) -> float:
        return self.in_top_k / self.mentions if self.mentions else 0.0


class LinkReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    corpus: str
    documents: int
    linker: str
    accuracy: dict[str, Accuracy]
    concepts_gold_mentions: dict[str, Score]
    concepts_end_to_end: dict[str, Score] = {}
    concepts_gold_mentions_resolved: dict[str, Score] = {}
    concepts_end_to_end_resolved: dict[str, Score] = {}
    mentions_per_second: float = 0.0
    left_out: list[str] = []  # documents that failed in the pipeline ("record: reason"); they found nothing
    not_read: list[str] = []  # why each record of the corpus that could not be read was not; not scored

    def as_dict(self) -> dict:
        """JSON-ready, with the derived rates spelled out (what ``--json`` prints)."""

        return {
            "corpus": self.corpus,
            "documents": self.documents,
            "linker": self.linker,
            "mentions_per_second": round(self.mentions_per_second, 1),
            "left_out": self.left_out,
            "not_read": self.not_read,
            "accuracy_at_1": {
                t: {"accuracy": round(a.accuracy, 4), f"recall_at_{RECALL_K}": round(a.recall_at_k, 4),
                    **a.model_dump()}
                for t, a in self.accuracy.items()
            },
            "document_level_gold_mentions": {t: s.rounded() for t, s in self.concepts_gold_mentions.items()},
            "document_level_end_to_end": {t: s.rounded() for t, s in self.concepts_end_to_end.items()},
            "document_level_gold_mentions_resolved_ids": {
                t: s.rounded() for t, s in self.concepts_gold_mentions_resolved.items()
            },
            "document_level_end_to_end_resolved_ids": {
                t: s.rounded() for t, s in self.concepts_end_to_end_resolved.items()
            },
        }

    def table(self) -> str:
        rows = [f"{self.corpus}: {self.documents} documents, linker {self.linker}, {self.mentions_per_second:,.0f} mentions/s",
                f"{'':10} {'acc@1':>7} {'R@' + str(RECALL_K):>7} {'n':>6} {'NIL':>5}"]
        if self.left_out:
            rows.insert(1, left_out_line(self.left_out))
        if self.not_read:
            rows.insert(1, not_read_line(self.not_read))
        for t, a in sorted(self.accuracy.items()):
            rows.append(f"{t:10} {a.accuracy:7.3f} {a.recall_at_k:7.3f} {a.mentions:6} {a.nil_predicted:5}")
        for title, scores in (("document level, gold mentions", self.concepts_gold_mentions),
                              ("document level, end to end", self.concepts_end_to_end),
                              ("document level, gold mentions, gold ids resolved by the store",
                               self.concepts_gold_mentions_resolved),
                              ("document level, end to end, gold ids resolved by the store",
                               self.concepts_end_to_end_resolved)):
            if scores:
                rows.append(f"{title}:  {'P':>6} {'R':>6} {'F1':>6}")
                for t, s in sorted(scores.items()):
                    rows.append(f"  {t:10} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f}")
        return "\n".join(rows)


def evaluate_link(corpus: str | Path, annotator: Annotator, *, end_to_end: bool = True,
                  types: Iterable[str] | None = None) -> LinkReport:
    """Score the linker of ``annotator`` on the PubTator file ``corpus``: on the gold mentions, and
    end to end with the annotator's own extractor unless ``end_to_end=False``.

    ``annotator.components`` is ``[extractor, linker, ...]``; components after the linker do not
    change linking and are left out of the gold-mention run. ``types`` defaults to the medkg
    types the gold annotates, so an extractor's genes are not counted against a corpus that has none.
    """
    docs, not_read = read_gold(corpus)
    gold_types = {t for d in docs for a in d.annotations if (t := entity_type(a.type))}
    keep = set(types) if types is not None else gold_types
    _, linker = annotator.components[:2]
    getattr(linker, "normalizers", None)  # load lazily built parts outside the timing
    timed = _Timed(linker)
    on_gold_mentions = Annotator(annotator.analyzer, [GoldExtractor(docs, linked=False), timed])
    left_out: list = []
    linked = {p.pmid: d for p, d in run_corpus(on_gold_mentions, docs, left_out=left_out, corpus=str(corpus))}

    acc: dict[str, dict[str, int]] = {}
    for doc in docs:
        item = linked.get(doc.pmid)
        by_span = {(m.start, m.end, m.label): m for m in item.mentions} if item is not None else {}
        for a in doc.annotations:
            label = entity_type(a.type)
            if label not in keep:
                continue
            counts = acc.setdefault(label, dict.fromkeys(Accuracy.model_fields, 0))
            gold = set(a.concept_ids)
            if not gold:
                counts["gold_nil"] += 1
                continue
            m = by_span.get((a.start, a.end, label))
            ranked = [corpus_id(c.concept_id) for c in m.candidates] if m is not None else []
            counts["mentions"] += 1
            counts["nil_predicted"] += not ranked
            counts["correct"] += bool(ranked) and ranked[0] in gold
            counts["in_top_k"] += bool(gold & set(ranked[:RECALL_K]))
    found = [predicted(p, linked[p.pmid], relations=False) for p in docs if p.pmid in linked]
    store = getattr(linker, "store", None)
    resolved_docs = resolved_gold(docs, store) if store is not None else None

    def concept_scores(gold: list[PubtatorDocument] | None, found: list[PubtatorDocument]) -> dict[str, Score]:
        if gold is None:
            return {}
        report = evaluate_ner(gold, found, types=keep, concepts=True)
        return {**report.concepts, "overall": report.concepts_overall}

    resolved = concept_scores(resolved_docs, found)
    concepts_end_to_end, end_to_end_resolved = {}, {}
    if end_to_end:
        chain = Annotator(annotator.analyzer, annotator.components[: annotator.components.index(linker) + 1])
        found_e2e = [predicted(p, d, relations=False)
                     for p, d in run_corpus(chain, docs, left_out=left_out, corpus=str(corpus))]
        concepts_end_to_end = concept_scores(docs, found_e2e)
        end_to_end_resolved = concept_scores(resolved_docs, found_e2e)
    return LinkReport(
        corpus=str(corpus),
        documents=len(docs),
        linker=f"{linker.name}@{linker.version}",
        accuracy={t: Accuracy(**c) for t, c in acc.items()},
        concepts_gold_mentions=concept_scores(docs, found),
        concepts_end_to_end=concepts_end_to_end,
        concepts_gold_mentions_resolved=resolved,
        concepts_end_to_end_resolved=end_to_end_resolved,
        mentions_per_second=timed.mentions / timed.seconds if timed.seconds else 0.0,
        left_out=described(left_out),
        not_read=not_read,
    )


class _Timed:
    """A component wrapper that times it and counts the mentions it saw (for mentions/s)."""

    def __init__(self, component) -> None:
        self.component = component
        self.name, self.version, self.settings = component.name, component.version, component.settings
        self.seconds = 0.0
        self.mentions = 0

    def pipe(self, docs, batch_size: int = 256):
        docs = list(docs)
        start = time.perf_counter()
        out = list(self.component.pipe(docs, batch_size=batch_size))
        self.seconds += time.perf_counter() - start
        self.mentions += sum(len(d.mentions) for d in out)
        return iter(out)


def evaluate_link_corpus(settings: Settings, corpus: str | Path, *, end_to_end: bool = True) -> LinkReport:
    """What ``medkg evaluate link --corpus FILE`` runs: the configured chain's linker, on gold mentions
    and end to end with the configured NER."""
    from kg.components import build_annotator

    return evaluate_link(corpus, build_annotator(settings, relations=False), end_to_end=end_to_end)
