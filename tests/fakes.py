"""Tiny in-memory stand-ins for the components, so pipeline logic is tested without models or servers."""

from __future__ import annotations

import re

from kg.doc import AnnotatedDoc
from kg.graph.base import Deleted
from kg.models import Candidate, Concept, Document, GraphBatch, Mention
from kg.pipeline import Annotator
from kg.text.analyzer import TextAnalyzer

LEXICON = {"aspirin": ("MESH:D001241", "Chemical"), "headache": ("MESH:D006261", "Disease"),
           "fever": ("MESH:D005334", "Disease")}


class Broken:
    """A component that fails on every document (a model whose weights do not fit, a bug)."""

    name, version, settings = "broken", "1", {}

    def pipe(self, docs, batch_size=1):
        for _ in docs:
            raise RuntimeError("weights do not fit")
        yield from ()


class WordExtractor:
    """Every lexicon word, as a mention in the analyser's sentence."""

    name, version, settings = "words", "1", {}

    def pipe(self, docs, batch_size=1):
        for d in docs:
            if "EXPLODE" in d.text:
                raise RuntimeError("component failure")
            mentions = []
            for m in re.finditer(r"[a-z]+", d.text.lower()):
                if m.group() in LEXICON:
                    s, e = d.sentence_of(m.start(), m.end())
                    mentions.append(Mention(doc_id=d.id, start=m.start(), end=m.end(), text=m.group(),
                                            label=LEXICON[m.group()][1], extractor=self.name,
                                            extractor_version=self.version, sentence_start=s, sentence_end=e))
            d.mentions = tuple(mentions)
            yield d


class Tagger:
    """Tags every occurrence of each word as its type, short forms included (the dictionary leaves those out)."""

    name, version, settings = "tagger", "1", {}

    def __init__(self, labels: dict[str, str]) -> None:
        self.labels = labels
        self.pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(labels, key=len, reverse=True))) + r")\b")

    def pipe(self, docs, batch_size=1):
        for d in docs:
            d.mentions = tuple(Mention(doc_id=d.id, start=m.start(), end=m.end(), text=m.group(),
                                       label=self.labels[m.group()], extractor=self.name,
                                       extractor_version=self.version)
                               for m in self.pattern.finditer(d.text))
            yield d


class WordLinker:
    """Links each lexicon word to its id with score 0.9 and fills the concepts layer."""

    name, version, settings = "words", "1", {}

    def pipe(self, docs, batch_size=1):
        names = {v[0]: (k, v[1]) for k, v in LEXICON.items()}
        for d in docs:
            d.mentions = tuple(m.model_copy(update={"candidates": (
                Candidate(concept_id=LEXICON[m.text.lower()][0], score=0.9),)}) for m in d.mentions)
            d.concepts = {m.concept_id: Concept(id=m.concept_id, name=names[m.concept_id][0],
                                                type=names[m.concept_id][1]) for m in d.mentions}
            yield d


def word_annotator(*more) -> Annotator:
    """Text analysis, the word extractor and linker, then any further components."""
    return Annotator(TextAnalyzer(), [WordExtractor(), WordLinker(), *more])


class MemoryStore:
    """Records what the pipeline asks of a GraphStore."""

    def __init__(self):
        self.docs: dict[str, Document] = {}
        self.evidence: dict[str, object] = {}
        self.deleted: list[str] = []
        self.statistics_refreshed = 0
        self.findings_refreshed: list[list[str]] = []

    def write(self, batch: GraphBatch):
        for d in batch.documents:
            self.docs[d.id] = d
        for e in batch.evidence:
            self.evidence[e.key] = e

    def refresh_statistics(self):
        self.statistics_refreshed += 1

    def document_count(self):
        return len(self.docs)

    def refresh_findings(self, patients):
        self.findings_refreshed.append(list(patients))

    def delete_documents(self, ids, keep_nodes=False):
        ids = list(ids)
        self.deleted.extend(ids)
        found = [i for i in ids if i in self.docs]
        patients = {self.docs[i].metadata.get("patient") for i in found} - {None}
        self.evidence = {k: e for k, e in self.evidence.items() if e.doc_id not in ids}
        if not keep_nodes:
            for i in ids:
                self.docs.pop(i, None)
        return Deleted(found=len(found), patients=tuple(sorted(patients)))


def doc(pmid: int, text: str, version: int = 1) -> Document:
    return Document(id=f"PMID:{pmid}", source="pubmed", text=text, version=version)


def analyse(text: str, *components, doc_id: str = "PMID:1", source: str = "text", **document) -> AnnotatedDoc:
    """One document through text analysis (in the first component's vocab) and ``components``;
    errors propagate (``Annotator.annotate`` would quarantine them)."""
    (out,) = analyse_many([Document(id=doc_id, source=source, text=text, **document)], *components)
    return out


def analyse_many(documents, *components) -> list:
    stream = TextAnalyzer(getattr(components[0], "vocab", None) if components else None).pipe(documents)
    for component in components:
        stream = component.pipe(stream)
    return list(stream)
