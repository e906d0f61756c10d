"""Domain word vectors for the CPU-tier tagger (:mod:`kg.train.ner_cpu`), trained here.

fastText skip-gram with character n-grams (the ``floret`` package in plain fastText mode) on
the unlabelled abstracts of the shared PubMed files, minus every PMID of every annotated
corpus, train and dev alike. The text is cut by the bio tokenizer and normalised by
:func:`kg.extract.ner_cpu.normalise_word` (lowercase, digits to 0), exactly as the tagger
sees it. Subword vectors give a vector to every corpus word, also those the unlabelled text
lacks. ``floret`` is needed only here, at training time: the tagger ships the vectors it
uses as a plain matrix.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from kg.config import SHARED_DATA
from kg.cache import atomic_file
from kg.extract.ner_cpu import normalise_word

log = logging.getLogger(__name__)

UNLABELLED_TEXT = ("pubmed/pubmed20n0014.xml.gz", "pubmed/pubmed21n1298.sample.xml.gz")
CORPUS_SPLITS = (
    "corpora/bc5cdr/CDR_TrainingSet.PubTator.txt",
    "corpora/bc5cdr/CDR_DevelopmentSet.PubTator.txt",
    "corpora/ncbi-disease/NCBItrainset_corpus.txt",
    "corpora/ncbi-disease/NCBIdevelopset_corpus.txt",
    "corpora/biored/Train.PubTator",
    "corpora/biored/Dev.PubTator",
)


def corpus_pmids(shared_data: Path = SHARED_DATA) -> set[str]:
    """Every PMID of every annotated split here: none of them may be in the unlabelled text."""
    pmids: set[str] = set()
    for rel in CORPUS_SPLITS:
        with (shared_data / rel).open(encoding="utf-8") as fh:
            pmids.update(line.split("|", 1)[0] for line in fh if "|t|" in line[:40])
    return pmids


def write_unlabelled_tokens(out_path: Path, shared_data: Path = SHARED_DATA) -> tuple[int, int]:
    """One normalised, space-separated abstract per line; returns (abstracts, tokens)."""
    from kg.models import Document
    from kg.sources.pubmed import iter_pubmed
    from kg.train.ner import tokenizer_nlp

    held_out = corpus_pmids(shared_data)
    nlp = tokenizer_nlp()
    seen: set[str] = set()
    texts: list[str] = []
    for rel in UNLABELLED_TEXT:
        for item in iter_pubmed(shared_data / rel):
            if not isinstance(item, Document) or item.text == item.title:
                continue
            pmid = item.id.removeprefix("PMID:")
            if pmid in held_out or pmid in seen:
                continue
            seen.add(pmid)
            texts.append(item.text)
    n_tokens = 0
    out_path.parent.mkdir(parents=True, exist_ok=True)
    # Written under a temporary name and renamed when complete: train_vectors reuses a file at
    # out_path, so an interrupted run must never leave a partial one there.
    with atomic_file(out_path) as fh:
        for doc in nlp.tokenizer.pipe(texts, batch_size=256):
            words = [normalise_word(t.text) for t in doc if not t.is_space]
            n_tokens += len(words)
            fh.write((" ".join(words) + "\n").encode("utf-8"))
    return len(texts), n_tokens


def train_vectors(out_dir: Path, *, dim: int = 100, epochs: int = 10, threads: int = 2,
                  shared_data: Path = SHARED_DATA) -> Path:
    """Train the vectors; returns the ``.bin`` model path (kept out of the repo, ~1 GB)."""
    import floret

    text = out_dir / "unlabelled.txt"
    if not text.exists():
        n_docs, n_tokens = write_unlabelled_tokens(text, shared_data)
        log.info("unlabelled text: %d abstracts, %d tokens", n_docs, n_tokens)
    started = time.monotonic()
    model = floret.train_unsupervised(
        str(text), model="skipgram", mode="fasttext", dim=dim, epoch=epochs, minCount=2,
        minn=3, maxn=6, thread=threads, bucket=500_000, verbose=0,
    )
    path = out_dir / "vectors.bin"
    partial = out_dir / ".vectors.bin.partial"
    model.save_model(str(partial))
    partial.replace(path)
    log.info("vectors trained in %.0f s", time.monotonic() - started)
    return path
