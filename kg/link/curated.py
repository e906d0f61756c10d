"""Curators' link decisions, applied in the chain right after the linker: ``same_as`` and ``wrong_link``.

Why in the chain and not in the graph: a link decides what everything after it sees. The
assertion tagger, the relation model and the assembler (co-mentions, MENTIONS counts, evidence
and triple keys) all read the linked mentions, so a document whose links a curator changed must
be annotated again; patching the graph afterwards could not give the graph that a fresh ingest
of the same input with the same file gives. Placed here, every run obeys the decisions, and a
document redone by a new model version still does.

What it does to each document, in order:

1. ``same_as``: every candidate id that is an alias becomes the id kept (duplicates dropped,
   first rank wins), so the alias never reaches the graph;
2. ``wrong_link``: a mention whose text (case-insensitive, trimmed) and top id match a decision
   (the one for its document first, then the one for everywhere) links to the right id instead,
   keeping the linker's top score (the curator fixes the id, not the confidence), or to nothing
   (NIL);
3. the ``concepts`` layer gets the records of the ids that are new to the document.

The ids of the decisions that changed a document are kept on it (``AnnotatedDoc.curation``) and
recorded by the ledger, so that taking a decision back redoes exactly those documents.

The decisions are *not* part of ``settings`` (so not of the pipeline fingerprint): a new decision
would then make every document of every input "changed". ``kg.curator`` instead finds the
documents a decision touches (from the graph and the ledger) and marks only those for redoing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from kg.curation import Curation, CurationSource, Decision
from kg.doc import AnnotatedDoc
from kg.models import Candidate, Concept, Mention

ConceptLookup = Callable[[Iterable[str]], dict[str, Concept]]


class CuratedLinks:
    """The pipeline component that makes the linker's output obey the curation file."""

    name = "curated-links"
    version = "1"

    def __init__(self, source: CurationSource | Curation | None, concepts: ConceptLookup | None = None) -> None:
        self.source = source if isinstance(source, CurationSource) else None
        self._fixed = source if isinstance(source, Curation) else Curation()
        self.lookup = concepts

    @property
    def curation(self) -> Curation:
        return self.source.current() if self.source is not None else self._fixed

    @property
    def settings(self) -> dict[str, object]:
        return {"surface": "casefold+strip", "order": "same_as,wrong_link", "score": "linker's"}

    def pipe(self, docs: Iterable[AnnotatedDoc], batch_size: int = 256) -> Iterator[AnnotatedDoc]:
        curation = self.curation  # one reading per call: a batch sees one version of the file
        aliases, links = curation.aliases(), curation.link_decisions()
        same_as = _same_as_by_subject(curation) if aliases else {}  # read only where a candidate is an alias
        for doc in docs:
            if aliases or links:
                self._apply(doc, curation, aliases, same_as, links)
            yield doc

    def _apply(
        self, doc: AnnotatedDoc, curation: Curation, aliases: dict[str, str], same_as: dict[str, Decision], links: dict
    ) -> None:
        applied: list[str] = []
        mentions: list[Mention] = []
        for m in doc.mentions:
            candidates = m.candidates
            if candidates and any(c.concept_id in aliases for c in candidates):
                candidates = _canonical(candidates, aliases)
                # only the top id reaches the graph: a document is "changed by" a same_as only through it
                applied.extend(_alias_decisions(same_as, m.candidates[:1]))
            if candidates:
                key = m.text.strip().casefold()
                top = candidates[0]
                decision = links.get((key, top.concept_id, doc.id)) or links.get((key, top.concept_id, ""))
                if decision is not None:
                    right = curation.right_id(decision)
                    candidates = () if right is None else (
                        Candidate(concept_id=right, score=top.score),
                        *(c for c in candidates[1:] if c.concept_id != right),
                    )
                    applied.append(decision.id)
            mentions.append(m if candidates == m.candidates else m.model_copy(update={"candidates": candidates}))
        if all(a is b for a, b in zip(mentions, doc.mentions, strict=True)):
            return
        doc.mentions = tuple(mentions)
        doc.curation = tuple(sorted(set(applied)))
        linked = list(dict.fromkeys(m.concept_id for m in mentions if m.concept_id))
        missing = [cid for cid in linked if cid not in doc.concepts]
        found = self.lookup(missing) if self.lookup and missing else {}
        concepts = {cid: doc.concepts[cid] for cid in linked if cid in doc.concepts}
        for cid in missing:
            if cid in found:
                concepts[cid] = found[cid]
            elif (alias := next((a for a, kept in aliases.items() if kept == cid and a in doc.concepts), None)):
                # the kept id is unknown to the concept store: its alias's record stands in, under the kept id
                concepts[cid] = doc.concepts[alias].model_copy(update={"id": cid})
        doc.concepts = {cid: concepts[cid] for cid in linked if cid in concepts}


def _canonical(candidates: tuple[Candidate, ...], aliases: dict[str, str]) -> tuple[Candidate, ...]:
    out: dict[str, Candidate] = {}
    for c in candidates:
        cid = aliases.get(c.concept_id, c.concept_id)
        if cid not in out:
            out[cid] = c if cid == c.concept_id else Candidate(concept_id=cid, score=c.score)
    return tuple(out.values())


def _same_as_by_subject(curation: Curation) -> dict[str, Decision]:
    """The same_as decisions in force, by the id they map away (built once per :meth:`CuratedLinks.pipe` call)."""
    return {d.subject: d for d in curation.effective().values() if d.decision == "same_as"}


def _alias_decisions(direct: dict[str, Decision], candidates: tuple[Candidate, ...]) -> list[str]:
    """The same_as decisions (``direct``: :func:`_same_as_by_subject`) that mapped these candidates
    (each link of a chain a -> b -> c)."""
    out = []
    for c in candidates:
        cid = c.concept_id
        while cid in direct:
            out.append(direct[cid].id)
            cid = direct[cid].object
    return out
