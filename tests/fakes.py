"""Tiny in-memory stand-ins for the components, so pipeline logic is tested without models or servers."""

from __future__ import annotations

import re

from kg.models import Candidate, Concept, Document, DocumentMentions, GraphBatch, Mention

LEXICON = {"aspirin": ("MESH:D001241", "Chemical"), "headache": ("MESH:D006261", "Disease"),
           "fever": ("MESH:D005334", "Disease")}


class WordExtractor:
    name, version = "words", "1"

    def extract(self, docs, batch_size=1):
        for doc in docs:
            if "EXPLODE" in doc.text:
                raise RuntimeError("component failure")
            mentions = []
            for sent in re.finditer(r"[^.]+\.?", doc.text):
                for m in re.finditer(r"[a-z]+", sent.group().lower()):
                    if m.group() in LEXICON:
                        s = sent.start() + m.start()
                        mentions.append(Mention(doc_id=doc.id, start=s, end=s + len(m.group()), text=m.group(),
                                                label=LEXICON[m.group()][1], extractor=self.name,
                                                extractor_version=self.version, sentence_start=sent.start(),
                                                sentence_end=sent.end()))
            yield DocumentMentions(document=doc, mentions=tuple(mentions))


class WordLinker:
    name, version = "words", "1"

    def link(self, items):
        for item in items:
            yield item.model_copy(update={"mentions": tuple(
                m.model_copy(update={"candidates": (Candidate(concept_id=LEXICON[m.text][0], score=0.9),)})
                for m in item.mentions)})

    def concepts(self, ids):
        names = {v[0]: (k, v[1]) for k, v in LEXICON.items()}
        return [Concept(id=i, name=names[i][0], type=names[i][1]) for i in ids]


class MemoryStore:
    """Records what the pipeline asks of a GraphStore."""

    def __init__(self):
        self.docs: dict[str, Document] = {}
        self.evidence: dict[str, object] = {}
        self.deleted: list[str] = []
        self.statistics_refreshed = 0

    def write(self, batch: GraphBatch):
        for d in batch.documents:
            self.docs[d.id] = d
        for e in batch.evidence:
            self.evidence[e.key] = e

    def refresh_statistics(self):
        self.statistics_refreshed += 1

    def delete_documents(self, ids, keep_nodes=False):
        self.deleted.extend(ids)
        self.evidence = {k: e for k, e in self.evidence.items() if e.doc_id not in ids}
        if not keep_nodes:
            for i in ids:
                self.docs.pop(i, None)
        return len(ids)


def doc(pmid: int, text: str, version: int = 1) -> Document:
    return Document(id=f"PMID:{pmid}", source="pubmed", text=text, version=version)
