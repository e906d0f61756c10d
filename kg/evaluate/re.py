"""Relation extraction scores against PubTator gold (``PMID\\tType\\tID1\\tID2[\\tNovelty]``).

Relations are document-level and compared as *unordered* id pairs per PMID, as the BioRED
evaluation does (its id order carries no meaning; BC5CDR writes the chemical first, and the
model does too). Three measures:

- ``pair``: the two concepts are related (any type);
- ``pair_type``: ... and with the gold type (for BC5CDR, where every relation is ``CID``, the
  same as ``pair``);
- ``novelty``: ... and with the gold novelty flag (BioRED only).

A PMID missing from the predictions counts as no predicted relations. Ids are compared as
written (MeSH without prefix, NCBI Gene ids), which is what :func:`predict_relations` writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from pydantic import BaseModel, ConfigDict

from kg.evaluate.ner import Score, corpus_id, run_on_pubtator
from kg.extract import Extractor
from kg.link import Linker
from kg.models import DocumentMentions
from kg.relate.features import gold_items
from kg.relate.model import RelationModel
from kg.sources.pubtator import PubtatorAnnotation, PubtatorDocument, PubtatorRelation


class ReReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    corpus: str = ""
    documents: int
    pair: Score
    pair_type: Score
    per_type: dict[str, Score]
    novelty: Score | None = None

    def table(self) -> str:
        rows = [f"{self.corpus or 'relations'}: {self.documents} documents",
                f"{'':22} {'P':>6} {'R':>6} {'F1':>6} {'TP':>6} {'FP':>6} {'FN':>6}"]
        named = [("pair", self.pair), ("pair+type", self.pair_type)]
        if self.novelty is not None:
            named.append(("pair+type+novelty", self.novelty))
        named += [(f"  {t}", s) for t, s in sorted(self.per_type.items())]
        for name, s in named:
            rows.append(f"{name:22} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:6} {s.fp:6} {s.fn:6}")
        return "\n".join(rows)


def _score(gold: set, pred: set) -> Score:
    return Score(tp=len(gold & pred), fp=len(pred - gold), fn=len(gold - pred))


def _relations(doc: PubtatorDocument) -> dict[frozenset[str], PubtatorRelation]:
    return {frozenset((r.id1, r.id2)): r for r in doc.relations}


def evaluate_re(
    gold_docs: Iterable[PubtatorDocument], predicted_docs: Iterable[PubtatorDocument], *, corpus: str = ""
) -> ReReport:
    """Pair, pair+type (per type too) and, where gold has it, pair+type+novelty P/R/F1."""
    pred_by_pmid = {d.pmid: _relations(d) for d in predicted_docs}
    g_pair, p_pair, g_typed, p_typed, g_nov, p_nov = set(), set(), set(), set(), set(), set()
    types: set[str] = set()
    has_novelty = False
    n = 0
    for g in gold_docs:
        n += 1
        for side, pairs, typed, nov in (
            (_relations(g), g_pair, g_typed, g_nov),
            (pred_by_pmid.get(g.pmid, {}), p_pair, p_typed, p_nov),
        ):
            for key, r in side.items():
                pairs.add((g.pmid, key))
                typed.add((g.pmid, key, r.type))
                nov.add((g.pmid, key, r.type, r.novelty))
                types.add(r.type)
        has_novelty = has_novelty or any(r.novelty is not None for r in g.relations)
    per_type = {
        t: _score({k for k in g_typed if k[2] == t}, {k for k in p_typed if k[2] == t}) for t in sorted(types)
    }
    return ReReport(
        corpus=corpus,
        documents=n,
        pair=_score(g_pair, p_pair),
        pair_type=_score(g_typed, p_typed),
        per_type=per_type,
        novelty=_score(g_nov, p_nov) if has_novelty else None,
    )


def corpus_tasks(docs: Sequence[PubtatorDocument]) -> tuple[str, ...]:
    """``("cid",)`` for a BC5CDR-style corpus (its relations are CID), else ``("biored",)``."""
    types = {r.type for d in docs for r in d.relations}
    return ("cid",) if types == {"CID"} else ("biored",)


def predict_relations(
    docs: Iterable[PubtatorDocument],
    model: RelationModel,
    *,
    tasks: Sequence[str],
    extractor: Extractor | None = None,
    linker: Linker | None = None,
    batch_size: int = 64,
) -> Iterator[PubtatorDocument]:
    """The documents with predicted relations in corpus notation.

    Without an ``extractor`` the gold entities are kept and only relations are predicted
    (the "gold entities" setting); with one, entities are found and linked from the raw text
    (end to end) and the predicted mentions replace the gold ones.
    """
    if extractor is None:
        pairs: Iterator[tuple[PubtatorDocument, DocumentMentions]] = gold_items(docs, batch_size=batch_size)
    else:
        pairs = run_on_pubtator(docs, extractor, linker, batch_size=batch_size)
    for pdoc, item in pairs:
        relations = tuple(
            PubtatorRelation(type=p.type, id1=corpus_id(p.id1), id2=corpus_id(p.id2), novelty=p.novelty)
            for p in model.predict(item, tasks)
        )
        if extractor is None:
            yield pdoc.model_copy(update={"relations": relations})
            continue
        annotations = tuple(
            PubtatorAnnotation(start=m.start, end=m.end, text=m.text, type=m.label, ids=(corpus_id(m.concept_id),))
            for m in item.mentions
        )
        yield pdoc.model_copy(update={"annotations": annotations, "relations": relations})

