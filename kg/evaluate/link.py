"""Linking scores against PubTator gold: accuracy@1 on gold mentions, document-level concept ids.

Two views, because they answer different questions:

- *gold mentions*: the linker gets exactly the annotated spans and types. Accuracy@1 is the
  share of mentions with a gold id whose top candidate is one of them (a composite mention
  with several ids counts as right when the top candidate is any of them; NIL is wrong);
  ``recall_at_k`` is the same with any of the top k. This isolates linking from NER.
- *document level*: per document, the set of (type, id) pairs predicted against the gold
  set, the BioCreative V CDR measure (its best disease F1 was 0.865). Computed on the gold
  mentions and, when an extractor is given, end to end on the extractor's mentions. The
  statistical NER finds few sequence variants, so end to end its mentions are joined by those
  of the rule-based recogniser of :mod:`kg.vocab.variants` (:class:`WithVariants`), as the
  pipeline is meant to.

Ids are compared as the corpora write them (``D003924``, ``OMIM:125853``), via
:func:`kg.evaluate.ner.corpus_id`. Corpora of different years name one disease differently
(NCBI-disease writes ``OMIM:613825`` where MeSH 2024 has the supplementary record
``C565165``, which MONDO says is the same disease), so a third view resolves the gold ids
through the linker's concept store before comparing: what the graph would count.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from kg.config import Settings
from kg.evaluate.ner import Score, annotate_pubtator, corpus_id, evaluate_ner
from kg.extract import Extractor
from kg.link import Linker
from kg.models import Document, DocumentMentions, Mention
from kg.sources.pubtator import PubtatorAnnotation, PubtatorDocument, entity_type, read_pubtator

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
    mentions_per_second: float = 0.0

    def as_dict(self) -> dict:
        """JSON-ready, with the derived rates spelled out (what ``--json`` prints)."""

        def score(s: Score) -> dict:
            return {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4),
                    "tp": s.tp, "fp": s.fp, "fn": s.fn}

        return {
            "corpus": self.corpus,
            "documents": self.documents,
            "linker": self.linker,
            "mentions_per_second": round(self.mentions_per_second, 1),
            "accuracy_at_1": {
                t: {"accuracy": round(a.accuracy, 4), f"recall_at_{RECALL_K}": round(a.recall_at_k, 4),
                    **a.model_dump()}
                for t, a in self.accuracy.items()
            },
            "document_level_gold_mentions": {t: score(s) for t, s in self.concepts_gold_mentions.items()},
            "document_level_end_to_end": {t: score(s) for t, s in self.concepts_end_to_end.items()},
            "document_level_gold_mentions_resolved_ids": {
                t: score(s) for t, s in self.concepts_gold_mentions_resolved.items()
            },
        }

    def table(self) -> str:
        rows = [f"{self.corpus}: {self.documents} documents, linker {self.linker}, {self.mentions_per_second:,.0f} mentions/s",
                f"{'':10} {'acc@1':>7} {'R@' + str(RECALL_K):>7} {'n':>6} {'NIL':>5}"]
        for t, a in sorted(self.accuracy.items()):
            rows.append(f"{t:10} {a.accuracy:7.3f} {a.recall_at_k:7.3f} {a.mentions:6} {a.nil_predicted:5}")
        for title, scores in (("document level, gold mentions", self.concepts_gold_mentions),
                              ("document level, end to end", self.concepts_end_to_end),
                              ("document level, gold mentions, gold ids resolved by the store",
                               self.concepts_gold_mentions_resolved)):
            if scores:
                rows.append(f"{title}:  {'P':>6} {'R':>6} {'F1':>6}")
                for t, s in sorted(scores.items()):
                    rows.append(f"  {t:10} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f}")
        return "\n".join(rows)


def gold_mentions(doc: PubtatorDocument) -> DocumentMentions:
    """The document with its annotated spans as unlinked mentions (types medkg does not know are left out)."""
    document = doc.to_document()
    mentions = []
    for a in doc.annotations:
        label = entity_type(a.type)
        if label is None or a.end <= a.start:
            continue
        mentions.append(
            Mention(doc_id=document.id, start=a.start, end=a.end, text=a.text, label=label,
                    extractor="gold", extractor_version="corpus")
        )
    return DocumentMentions(document=document, mentions=tuple(mentions))


def _resolved(doc: PubtatorDocument, store) -> PubtatorDocument:
    """The gold document with each id replaced by the concept the store resolves it to (an OMIM
    id MONDO maps to a MeSH record becomes that record), as the linker names concepts."""
    from kg.link.lexicon import to_curie

    def resolve(raw: str, label: str | None) -> str:
        curie = to_curie(raw, label) if label else None
        primary = store.primary(curie) if curie else None
        return corpus_id(primary) if primary else raw

    annotations = tuple(
        a.model_copy(update={"ids": tuple(resolve(i, entity_type(a.type)) for i in a.ids)}) for a in doc.annotations
    )
    return doc.model_copy(update={"annotations": annotations})


def _predicted_doc(doc: PubtatorDocument, item: DocumentMentions) -> PubtatorDocument:
    annotations = tuple(
        PubtatorAnnotation(start=m.start, end=m.end, text=m.text, type=m.label, ids=(corpus_id(m.concept_id),))
        for m in item.mentions
    )
    return doc.model_copy(update={"annotations": annotations, "relations": ()})


class WithVariants:
    """An extractor whose sequence-variant mentions come from :func:`kg.vocab.variants.find_variants`.

    The rules replace the extractor's own Variant mentions and add every variant that overlaps
    no other mention; the linker then normalises them like any variant mention.
    """

    def __init__(self, extractor: Extractor) -> None:
        from kg.vocab import variants

        self.extractor = extractor
        self.name = f"{extractor.name}+variants"
        self.version = f"{extractor.version}+{variants.FORMAT_VERSION}"
        self._find = variants.find_variants
        self._rules_version = variants.FORMAT_VERSION

    def extract(self, docs: Iterable[Document], batch_size: int = 256) -> Iterator[DocumentMentions]:
        for item in self.extractor.extract(docs, batch_size=batch_size):
            kept = [m for m in item.mentions if m.label != "Variant"]
            added = [
                Mention(doc_id=item.document.id, start=v.start, end=v.end, text=v.text, label="Variant",
                        extractor="medkg-variants", extractor_version=self._rules_version)
                for v in self._find(item.document.text)
                if not any(m.start < v.end and v.start < m.end for m in kept)
            ]
            mentions = tuple(sorted([*kept, *added], key=lambda m: (m.start, m.end)))
            yield item.model_copy(update={"mentions": mentions})


def evaluate_link(
    corpus: str | Path,
    linker: Linker,
    *,
    extractor: Extractor | None = None,
    types: Iterable[str] | None = None,
) -> LinkReport:
    """Score ``linker`` on the PubTator file ``corpus`` (gold mentions; end to end too with ``extractor``).

    ``types`` defaults to the medkg types the gold annotates, so an extractor's genes are not
    counted against a corpus that has none.
    """
    docs = list(read_pubtator(corpus))
    gold_types = {t for d in docs for a in d.annotations if (t := entity_type(a.type))}
    keep = set(types) if types is not None else gold_types
    getattr(linker, "normalizers", None)  # load lazily built parts outside the timing
    start = time.perf_counter()
    linked = list(linker.link(gold_mentions(d) for d in docs))
    seconds = time.perf_counter() - start
    n_mentions = sum(len(i.mentions) for i in linked)

    acc: dict[str, dict[str, int]] = {}
    for doc, item in zip(docs, linked, strict=True):
        by_span = {(m.start, m.end, m.label): m for m in item.mentions}
        for a in doc.annotations:
            label = entity_type(a.type)
            if label not in keep:
                continue
            counts = acc.setdefault(label, dict.fromkeys(Accuracy.model_fields, 0))
            gold = set(a.concept_ids)
            if not gold:
                counts["gold_nil"] += 1
                continue
            m = by_span[(a.start, a.end, label)]
            ranked = [corpus_id(c.concept_id) for c in m.candidates]
            counts["mentions"] += 1
            counts["nil_predicted"] += not ranked
            counts["correct"] += bool(ranked) and ranked[0] in gold
            counts["in_top_k"] += bool(gold & set(ranked[:RECALL_K]))
    predicted = [_predicted_doc(d, i) for d, i in zip(docs, linked, strict=True)]
    on_gold = evaluate_ner(docs, predicted, types=keep, concepts=True)
    resolved = {}
    if (store := getattr(linker, "store", None)) is not None:
        report = evaluate_ner([_resolved(d, store) for d in docs], predicted, types=keep, concepts=True)
        resolved = {**report.concepts, "overall": report.concepts_overall}
    end_to_end = {}
    if extractor is not None:
        if "Variant" in keep:
            extractor = WithVariants(extractor)
        e2e = evaluate_ner(docs, list(annotate_pubtator(docs, extractor, linker)), types=keep, concepts=True)
        end_to_end = {**e2e.concepts, "overall": e2e.concepts_overall}
    return LinkReport(
        corpus=str(corpus),
        documents=len(docs),
        linker=f"{getattr(linker, 'name', type(linker).__name__)}@{getattr(linker, 'version', '?')}",
        accuracy={t: Accuracy(**c) for t, c in acc.items()},
        concepts_gold_mentions={**on_gold.concepts, "overall": on_gold.concepts_overall},
        concepts_end_to_end=end_to_end,
        concepts_gold_mentions_resolved=resolved,
        mentions_per_second=n_mentions / seconds if seconds else 0.0,
    )


def evaluate_link_corpus(settings: Settings, corpus: str | Path, *, end_to_end: bool = True) -> LinkReport:
    """What ``medkg evaluate link --corpus FILE`` runs: the configured linker, end to end with the configured NER."""
    from kg.components import build_extractor, build_linker

    extractor = build_extractor(settings) if end_to_end else None
    return evaluate_link(corpus, build_linker(settings), extractor=extractor)
