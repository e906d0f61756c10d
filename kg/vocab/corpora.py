"""The shared annotated corpora: which splits are for training, which for evaluation.

Some abstracts occur in two corpora (BioRED's training split holds 44 BC5CDR development
abstracts). Everything medkg learns from a training split (lexicons, synonyms, relation priors,
models) must skip those, or dev scores are inflated: ``training_documents`` does that, in one
place. Only the PMIDs of the dev splits are read for it, never their annotations.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kg.config import SHARED_DATA
from kg.sources.pubtator import PubtatorDocument, read_pubtator

ALL_TYPES = frozenset({"Chemical", "Disease", "Gene", "Variant", "Species", "CellLine"})
# A file name that marks an evaluation split: such a file is never read as training data.
NOT_TRAINING = re.compile(r"dev|develop|test", re.IGNORECASE)


@dataclass(frozen=True)
class Corpus:
    """One PubTator split and the entity types its annotators marked exhaustively."""

    name: str
    path: str  # relative to the shared data folder
    types: frozenset[str]


TRAIN_CORPORA: tuple[Corpus, ...] = (
    Corpus("bc5cdr", "corpora/bc5cdr/CDR_TrainingSet.PubTator.txt", frozenset({"Chemical", "Disease"})),
    Corpus("ncbi-disease", "corpora/ncbi-disease/NCBItrainset_corpus.txt", frozenset({"Disease"})),
    Corpus("biored", "corpora/biored/Train.PubTator", ALL_TYPES),
)
DEV_CORPORA: tuple[Corpus, ...] = (
    Corpus("bc5cdr", "corpora/bc5cdr/CDR_DevelopmentSet.PubTator.txt", frozenset({"Chemical", "Disease"})),
    Corpus("ncbi-disease", "corpora/ncbi-disease/NCBIdevelopset_corpus.txt", frozenset({"Disease"})),
    Corpus("biored", "corpora/biored/Dev.PubTator", ALL_TYPES),
)


def pmids_of(path: Path) -> set[str]:
    """The PMIDs of a PubTator file's title lines (a quick read: nothing parsed)."""
    if not path.exists():
        return set()
    with path.open(encoding="utf-8", errors="replace") as fh:
        return {line.split("|", 1)[0].lstrip("\ufeff") for line in fh if "|t|" in line[:40]}


@cache
def dev_pmids(shared_data: Path = SHARED_DATA) -> frozenset[str]:
    """PMIDs of every development split found under ``shared_data``."""
    return frozenset().union(*(pmids_of(Path(shared_data) / c.path) for c in DEV_CORPORA))


def trained_on(path: Path, shared_data: Path = SHARED_DATA) -> list[tuple[str, int, int]]:
    """The training splits that share documents with the PubTator file ``path``: (split file, shared,
    documents of ``path``) each. medkg's models and names were learned from those documents, so a score
    on them says how well it remembers, not how well it does on text it has not seen."""
    docs = pmids_of(Path(path))
    held_out = dev_pmids(Path(shared_data))  # training never reads these (training_documents)
    out = []
    for corpus in TRAIN_CORPORA:
        split = Path(shared_data) / corpus.path
        if shared := len(docs & (pmids_of(split) - held_out)):
            out.append((str(split), shared, len(docs)))
    return out


def training_documents(path: Path, shared_data: Path = SHARED_DATA, **kwargs) -> Iterator[PubtatorDocument]:
    """The documents of a training split, minus any that also occur in a development split."""
    held_out = dev_pmids(Path(shared_data))
    return (d for d in read_pubtator(path, **kwargs) if d.pmid not in held_out)
