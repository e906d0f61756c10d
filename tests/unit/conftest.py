"""Shared unit-test fixtures: a concept store built once from the hand-written ontology fixtures and
a three-line training corpus; hand-built annotated documents and a tiny trained relation model."""

from __future__ import annotations

import gzip
import logging
from pathlib import Path

import pytest
from fixture_store import FIXTURES, fixture_settings

from kg.config import Settings
from kg.doc import AnnotatedDoc
from kg.models import Candidate, Concept, Document, Mention
from kg.text.analyzer import TextAnalyzer
from kg.vocab.conceptstore import BuildStats, ConceptStore, build_concept_store

CHEMICALS = [("cisplatin", "D002945"), ("lithium", "D008094"), ("haloperidol", "D006220"), ("cocaine", "D003042")]
DISEASES = [("nephrotoxicity", "D007674"), ("tremor", "D014202"), ("seizures", "D012640"), ("hepatitis", "D006505")]
GENES = [("BRCA1", "672"), ("TP53", "7157"), ("EGFR", "1956")]


def mention(doc_id: str, text: str, start: int, label: str, curie: str, sentence: tuple[int, int], **kw) -> Mention:
    return Mention(
        doc_id=doc_id,
        start=start,
        end=start + len(text),
        text=text,
        label=label,
        extractor="test",
        extractor_version="0",
        sentence_start=sentence[0],
        sentence_end=sentence[1],
        candidates=(Candidate(concept_id=curie, score=1.0),),
        **kw,
    )


def item_from(doc_id: str, sentences: list[str], entities: list[tuple[str, str, str]], title: bool = True) -> AnnotatedDoc:
    """An analysed document with linked mentions of every ``(text, label, curie)`` wherever the
    text occurs (sentence bounds from ``sentences``), and their concepts."""
    text = " ".join(sentences)
    bounds, pos = [], 0
    for s in sentences:
        bounds.append((pos, pos + len(s)))
        pos += len(s) + 1
    mentions = []
    for surface, label, curie in entities:
        start = text.find(surface)
        while start >= 0:
            sent = next(b for b in bounds if b[0] <= start < b[1])
            mentions.append(mention(doc_id, surface, start, label, curie, sent))
            start = text.find(surface, start + 1)
    doc = _analyzer()(Document(id=doc_id, source="pubtator", text=text, title=sentences[0] if title else ""))
    doc.mentions = tuple(sorted(mentions, key=lambda m: m.start))
    doc.concepts = {curie: Concept(id=curie, name=surface, type=label) for surface, label, curie in entities}
    return doc


_ANALYZER: list[TextAnalyzer] = []


def _analyzer() -> TextAnalyzer:
    if not _ANALYZER:
        _ANALYZER.append(TextAnalyzer())
    return _ANALYZER[0]


def _pubtator_doc(pmid: int, sentences: list[str], anns: list[tuple[str, str, str]], rels: list[str]) -> str:
    title, abstract = sentences[0], " ".join(sentences[1:])
    text = f"{title} {abstract}"
    lines = [f"{pmid}|t|{title}", f"{pmid}|a|{abstract}"]
    for surface, type_, raw in anns:
        start = text.find(surface)
        while start >= 0:
            lines.append(f"{pmid}\t{start}\t{start + len(surface)}\t{surface}\t{type_}\t{raw}")
            start = text.find(surface, start + 1)
    lines += [f"{pmid}\t{r}" for r in rels]
    return "\n".join(lines) + "\n\n"


def write_cdr_corpus(path: Path, n: int = 12) -> Path:
    """Documents where "X-induced Y" is CID and "X did not change Y" is not; a sentence that only
    lists an unrelated chemical and disease side by side teaches the sentence scorer that co-mention
    is not a statement."""
    out = []
    for i in range(n):
        (c1, c1id), (c2, c2id) = CHEMICALS[i % 4], CHEMICALS[(i + 1) % 4]
        (d1, d1id), (d2, d2id) = DISEASES[i % 4], DISEASES[(i + 2) % 4]
        sents = [
            f"{c1}-induced {d1} in rats.",
            f"We gave {c1} to {10 + i} animals and observed {d1} after dosing.",
            f"In a second group {c2} did not change {d2} at all.",
            f"Records of {c1} and {d2} were both kept.",
        ]
        out.append(
            _pubtator_doc(
                1000 + i,
                sents,
                [(c1, "Chemical", c1id), (c2, "Chemical", c2id), (d1, "Disease", d1id), (d2, "Disease", d2id)],
                [f"CID\t{c1id}\t{d1id}"],
            )
        )
    path.write_text("".join(out), encoding="utf-8")
    return path


def write_biored_corpus(path: Path, n: int = 12) -> Path:
    """Gene-disease pairs: "mutations in G cause D" is Positive_Correlation, "G and D" Association."""
    out = []
    for i in range(n):
        (g1, g1id), (g2, g2id) = GENES[i % 3], GENES[(i + 1) % 3]
        (d1, d1id), (d2, d2id) = DISEASES[i % 4], DISEASES[(i + 1) % 4]
        (c1, c1id) = CHEMICALS[i % 4]
        sents = [
            f"Mutations in {g1} increase the risk of {d1}.",
            f"{g2} was associated with {d2} in a cohort.",
            f"Patients also received {c1} which was unrelated.",
        ]
        out.append(
            _pubtator_doc(
                2000 + i,
                sents,
                [(g1, "GeneOrGeneProduct", g1id), (g2, "GeneOrGeneProduct", g2id),
                 (d1, "DiseaseOrPhenotypicFeature", d1id), (d2, "DiseaseOrPhenotypicFeature", d2id),
                 (c1, "ChemicalEntity", c1id)],
                [f"Positive_Correlation\t{g1id}\t{d1id}\tNovel", f"Association\t{d2id}\t{g2id}\tNo"],
            )
        )
    path.write_text("".join(out), encoding="utf-8")
    return path


def write_trees(path: Path) -> Path:
    rows = ["term\tmesh_id\tpreferred_name\ttree_numbers"]
    rows += [
        "seizures\tMESH:D012640\tSeizures\tC10.597.742|C23.888.592.742",
        "epilepsy\tMESH:D004827\tEpilepsy\tC10.228.140.490",
        "status epilepticus\tMESH:D013226\tStatus Epilepticus\tC10.228.140.490.631",
    ]
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(rows) + "\n")
    return path


def write_mesh2024(root: Path) -> tuple[Path, Path]:
    """Tiny ``mesh2024_descriptor_terms`` and ``mesh2024_supplementary_terms`` files: two drug
    classes, two disease classes and one supplementary chemical mapped to a descriptor."""
    descriptors = root / "mesh2024_descriptor_terms.tsv.gz"
    with gzip.open(descriptors, "wt", encoding="utf-8") as fh:
        fh.write("id\tname\tterms\ttree_numbers\ttaxon_ids\n")
        fh.write("D006220\tHaloperidol\t\tD03.383.621.424\t\n")
        fh.write("D002945\tCisplatin\t\tD01.210.375.185|D01.710.200\t\n")
        fh.write("D006505\tHepatitis\t\tC06.552.380\t\n")
        fh.write("D014202\tTremor\t\tC10.597.350.850|C23.888.592.350.850\t\n")
        fh.write("D012640\tSeizures\t\tC10.597.742\t\n")
    supplementary = root / "mesh2024_supplementary_terms.tsv.gz"
    with gzip.open(supplementary, "wt", encoding="utf-8") as fh:
        fh.write("id\tname\tterms\tmapped_to\n")
        fh.write("C000001\thaloperidol decanoate\t\t*D006220\n")
    return descriptors, supplementary


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    from kg.train.re import train_re

    root = tmp_path_factory.mktemp("re")
    corpora = {"cid": write_cdr_corpus(root / "cdr_train.txt"), "biored": write_biored_corpus(root / "biored_train.txt")}
    descriptors, supplementary = write_mesh2024(root)
    train_re(root / "model", corpora=corpora, mesh_disease_terms=write_trees(root / "trees.tsv.gz"),
             mesh_descriptor_terms=descriptors, mesh_supplementary_terms=supplementary, seed=1)
    return root / "model"


@pytest.fixture(autouse=True)
def _root_log_handlers():
    """The root logger's handlers as each test found them. Prefect sets logging up when first imported (a test's
    ``import flows.deployments``): its console handler goes on the root, bound to that test's captured stderr,
    closed when the test ends, and each warning of the tests after it then began with a logging error."""
    from kg.cli import restore_root_handlers

    handlers = list(logging.getLogger().handlers)
    yield
    restore_root_handlers(handlers)


@pytest.fixture
def make_item():
    return item_from


@pytest.fixture
def corpus_writers():
    return {"cid": write_cdr_corpus, "biored": write_biored_corpus, "trees": write_trees, "mesh2024": write_mesh2024}


# -- the fixture concept store ---------------------------------------------------------------
@pytest.fixture(scope="session")
def built(tmp_path_factory) -> tuple[Settings, BuildStats]:
    settings = fixture_settings(tmp_path_factory.mktemp("store"))
    return settings, build_concept_store(settings, ontology_dir=FIXTURES)


@pytest.fixture
def store(built) -> ConceptStore:
    store = ConceptStore.open(built[0])
    yield store
    store.close()
