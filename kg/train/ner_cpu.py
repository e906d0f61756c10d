"""Training the CPU-tier BiLSTM-CRF tagger (:mod:`kg.extract.ner_cpu`) with PyTorch.

Data: the training splits of BioRED, BC5CDR and NCBI-disease, minus every abstract that is
also in a development split (as :mod:`kg.train.ner`). Each corpus annotates only some types,
so the CRF is trained on *partial* labels (Greenberg et al. 2018, "Marginal likelihood training
of BiLSTM-CRF for biomedical NER from disjoint label sets"): gold mentions fix their tokens'
tags, and every other token of a BC5CDR abstract may be O *or* part of a Gene, Species,
Variant or CellLine mention. The loss is the negative log of the total probability of all tag
sequences that agree with what the corpus says. No string lists of "probably unannotated"
forms are needed.

Gazetteer groups come from the shared vocabularies (MeSH 2024 descriptors by tree and
supplementary records, HPO, HGNC, MGI, RGD, NCBI mouse genes), never from corpus annotations.

Dev splits pick the epoch and output layer (mean of the three corpora's strict F1) and, through
``tune``, the post-processing settings; nothing is trained on them.

torch is needed only here; the exported model runs on NumPy.
"""

from __future__ import annotations

import gzip
import json
import logging
import random
import re
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kg.cache import atomic_file
from kg.config import SHARED_DATA
from kg.evaluate.ner import Score
from kg.errors import ModelError
from kg.extract.ner_cpu import (
    FORMAT,
    MAX_CHARS,
    SHAPES,
    TAGS,
    TYPES,
    UNFINISHED,
    BiLstmCrf,
    Gazetteer,
    allowed_transitions_penalty,
    encode_chars,
    encode_word,
    end_penalty,
    normalise_word,
    read_meta,
    shape_class,
    start_penalty,
    tags_to_spans,
    term_key,
)
from kg.train import fold_of
from kg.vocab.types import entity_type

log = logging.getLogger(__name__)

GROUPS: tuple[str, ...] = ("chemical", "protein", "disease", "phenotype", "organism", "anatomy", "gene")
MAX_TERM_TOKENS = 8
MIN_TERM_CHARS = 2
TAG_INDEX = {t: i for i, t in enumerate(TAGS)}
_PROTEIN_TREES = ("D12.776", "D08.811", "D12.644")
# MeSH names drugs as their marketed salts ("Quetiapine Fumarate"); texts mostly say "quetiapine".
_SALT = re.compile(
    r"\s+(?:(?:di|mono|tri)?hydrochloride|hcl|hydrobromide|fumarate|maleate|mesylate|mesilate|besylate|"
    r"tartrate|bitartrate|citrate|succinate|sulfate|sulphate|phosphate|acetate|sodium|potassium|calcium|"
    r"magnesium|bromide|chloride|monohydrate|dihydrate|hyclate|lactate|gluconate|tosylate|pamoate)$",
    re.IGNORECASE,
)
CORPORA: tuple[str, ...] = ("biored", "bc5cdr", "ncbi-disease")


# ---------------------------------------------------------------- gazetteer


def _tsv(path: Path, delimiter: str = "\t"):
    import csv

    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh, delimiter=delimiter)


def _mesh_groups(trees: str) -> set[str]:
    groups = set()
    for tree in filter(None, trees.split("|")):
        if tree.startswith(_PROTEIN_TREES):
            groups.add("protein")
        elif tree.startswith("D"):
            groups.add("chemical")
        elif tree.startswith("C") or tree.startswith("F03"):
            groups.add("disease")
        elif tree.startswith("B"):
            groups.add("organism")
        elif tree.startswith("A"):
            groups.add("anatomy")
    return groups


def vocabulary_terms(shared_data: Path = SHARED_DATA) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(group -> lowercase-matched terms, group -> case-matched terms) from the shared vocabularies."""
    lower: dict[str, set[str]] = {g: set() for g in GROUPS}
    cased: dict[str, set[str]] = {g: set() for g in GROUPS}
    onto = shared_data / "ontology"
    descriptor_groups: dict[str, set[str]] = {}
    for row in _tsv(onto / "mesh" / "mesh2024_descriptor_terms.tsv.gz"):
        groups = _mesh_groups(row["tree_numbers"] or "")
        descriptor_groups[row["id"]] = groups
        names = [row["name"], *(row["terms"] or "").split("|")]
        if "chemical" in groups:
            names += [_SALT.sub("", n) for n in names if _SALT.search(n)]
        for g in groups:
            lower[g].update(names)
    for row in _tsv(onto / "mesh" / "mesh2024_supplementary_terms.tsv.gz"):
        groups = set()
        for d in (row["mapped_to"] or "").replace("*", "").split(","):
            groups |= descriptor_groups.get(d.strip(), set())
        if "chemical" in groups or "protein" in groups:
            groups = {"chemical"} if "chemical" in groups else {"protein"}
        names = [row["name"], *(row["terms"] or "").split("|")]
        if "chemical" in groups:
            names += [_SALT.sub("", n) for n in names if _SALT.search(n)]
        for g in groups:
            lower[g].update(names)
    for row in _tsv(onto / "mesh" / "mesh_disease_terms.tsv.gz"):
        lower["disease"].add(row["term"])
    with gzip.open(onto / "hpo" / "hp.obo.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("name: "):
                lower["phenotype"].add(line[6:].strip())
            elif line.startswith("synonym: ") and " EXACT" in line:
                m = re.match(r'synonym: "(.*)" EXACT', line)
                if m:
                    lower["phenotype"].add(m.group(1))
    lower["phenotype"].discard("All")
    for row in _tsv(onto / "genes" / "hgnc_entries.tsv.gz"):
        cased["gene"].add(row["Approved symbol"])
        for col in ("Alias symbols", "Previous symbols"):
            cased["gene"].update(s.strip() for s in (row[col] or "").split(","))
        lower["gene"].add(row["Approved name"])
    for name, sep in (("mgi_entries.tsv.gz", "|"), ("rgd_entries.tsv.gz", ";")):
        for row in _tsv(onto / "genes" / name):
            cased["gene"].add(row["symbol"])
            cased["gene"].update(s.strip() for s in (row["synonyms"] or "").split(sep))
    with gzip.open(onto / "genes" / "Mus_musculus.gene_info.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            cased["gene"].add(cols[2])
            cased["gene"].update(s for s in cols[4].split("|") if s != "-")
            if cols[11] != "-":
                lower["gene"].add(cols[11])
    return lower, cased


def _keep_term(term: str) -> bool:
    from spacy.lang.en.stop_words import STOP_WORDS

    t = term.strip()
    return (
        len(t) >= MIN_TERM_CHARS
        and t.lower() not in STOP_WORDS
        and any(c.isalpha() for c in t)
    )


def build_gazetteer(shared_data: Path = SHARED_DATA) -> Gazetteer:
    from kg.train.ner import tokenizer_nlp

    nlp = tokenizer_nlp()
    lower_terms, cased_terms = vocabulary_terms(shared_data)
    tables: list[dict[int, int]] = [{}, {}]
    for table, attr, terms_by_group in ((tables[0], "lower", lower_terms), (tables[1], "orth", cased_terms)):
        for g, terms in terms_by_group.items():
            bit = 1 << GROUPS.index(g)
            forms = sorted({t.strip() if attr == "orth" else t.strip().lower() for t in terms if _keep_term(t)})
            for doc in nlp.tokenizer.pipe(forms, batch_size=2048):
                if 0 < len(doc) <= MAX_TERM_TOKENS:
                    key = term_key([getattr(t, attr) for t in doc])
                    table[key] = table.get(key, 0) | bit
    log.info("gazetteer: %d lowercase keys, %d cased keys", len(tables[0]), len(tables[1]))
    return Gazetteer.from_terms(GROUPS, tables[0], tables[1], MAX_TERM_TOKENS)


# ---------------------------------------------------------------- corpora


@dataclass
class Example:
    """One abstract: its tokens, which tags each token may take, and (dev only) its gold spans."""

    corpus: str
    pmid: str
    doc: object  # spacy Doc (bio tokenizer)
    allowed: np.ndarray  # (n_tokens, n_tags) bool
    gold: set[tuple[int, int, str]]  # char spans of the corpus's types


def _allowed(doc, spans: list[tuple[int, int, str]], misaligned: list[tuple[int, int]], types: frozenset[str]) -> np.ndarray:
    n = len(doc)
    allowed = np.zeros((n, len(TAGS)), dtype=bool)
    free = [TAG_INDEX["O"]] + [TAG_INDEX[f"{p}-{t}"] for t in TYPES if t not in types for p in "BIES"]
    allowed[:, free] = True
    for s, e in misaligned:
        allowed[s:e, :] = True
    for s, e, t in spans:
        allowed[s:e, :] = False
        if e - s == 1:
            allowed[s, TAG_INDEX[f"S-{t}"]] = True
        else:
            allowed[s, TAG_INDEX[f"B-{t}"]] = True
            allowed[s + 1 : e - 1, TAG_INDEX[f"I-{t}"]] = True
            allowed[e - 1, TAG_INDEX[f"E-{t}"]] = True
    return allowed


def convert(pdoc, types: frozenset[str], nlp, corpus: str) -> Example:
    doc = nlp.make_doc(pdoc.text)
    spans: list[tuple[int, int, str]] = []
    misaligned: list[tuple[int, int]] = []
    taken: set[int] = set()
    gold: set[tuple[int, int, str]] = set()
    for a in sorted(pdoc.annotations, key=lambda a: (a.start, -a.end)):
        label = entity_type(a.type)
        if label is None or label not in types:
            continue
        gold.add((a.start, a.end, label))
        span = doc.char_span(a.start, a.end)
        if span is None:
            span = doc.char_span(a.start, a.end, alignment_mode="expand")
            if span is not None:
                misaligned.append((span.start, span.end))
            continue
        if taken.intersection(range(span.start, span.end)):
            continue
        taken.update(range(span.start, span.end))
        spans.append((span.start, span.end, label))
    return Example(corpus, pdoc.pmid, doc, _allowed(doc, spans, misaligned, types), gold)


def load_examples(shared_data: Path = SHARED_DATA) -> tuple[list[Example], list[Example]]:
    """(training examples, development examples), deduplicated and dev-filtered as in kg.train.ner."""
    from kg.train.ner import DEV_CORPORA, TRAIN_CORPORA, _read, tokenizer_nlp

    nlp = tokenizer_nlp()
    dev_docs = [(c, _read(shared_data / c.path, [])) for c in DEV_CORPORA]
    dev_pmids = {d.pmid for _, docs in dev_docs for d in docs}
    train: list[Example] = []
    seen: set[str] = set()
    for c in TRAIN_CORPORA:  # BioRED first: an abstract in two corpora is kept with more types
        for d in _read(shared_data / c.path, []):
            if d.pmid in dev_pmids or d.pmid in seen:
                continue
            seen.add(d.pmid)
            train.append(convert(d, c.types, nlp, c.name))
    dev = [convert(d, c.types, nlp, c.name) for c, docs in dev_docs for d in docs]
    return train, dev


# ---------------------------------------------------------------- corpus lexicon

LEXICON_FOLDS = 5


def lexicon_fold(pmid: str) -> int:
    """The jackknife fold of a training abstract: its PMID modulo the folds, or for an id that is no number the
    fold every process gives it (:func:`kg.train.fold_of`; Python's ``hash`` of a string changes per process)."""
    return int(pmid) % LEXICON_FOLDS if pmid.isdigit() else fold_of(pmid, LEXICON_FOLDS)


def corpus_lexicons(train: list[Example]) -> tuple[Gazetteer, list[Gazetteer], dict[str, int]]:
    """Gold forms of the training splits by type: (all of them, one per fold without it, pmid -> fold).

    A training abstract reads the lexicon of the *other* folds (jackknifing): with its own
    mentions in it the bit would be right every time in training and the network would trust
    it blindly; at run time it is right only as often as a form seen in other abstracts is.
    """
    fold_by_pmid = {ex.pmid: lexicon_fold(ex.pmid) for ex in train}
    per_fold: list[dict[int, int]] = [{} for _ in range(LEXICON_FOLDS)]
    for ex in train:
        for start, end, label in ex.gold:
            span = ex.doc.char_span(start, end)
            if span is None or len(span) > MAX_TERM_TOKENS or not _keep_term(span.text):
                continue
            key = term_key([t.lower for t in span])
            table = per_fold[fold_by_pmid[ex.pmid]]
            table[key] = table.get(key, 0) | 1 << TYPES.index(label)

    def merged(folds) -> Gazetteer:
        table: dict[int, int] = {}
        for k in folds:
            for key, mask in per_fold[k].items():
                table[key] = table.get(key, 0) | mask
        return Gazetteer.from_terms(TYPES, table, {}, MAX_TERM_TOKENS)

    everything = merged(range(LEXICON_FOLDS))
    others = [merged([j for j in range(LEXICON_FOLDS) if j != k]) for k in range(LEXICON_FOLDS)]
    return everything, others, fold_by_pmid


# ---------------------------------------------------------------- vocabularies


def word_vocabulary(train: list[Example], vectors_text: Path | None, min_count: int = 3) -> list[str]:
    """Index 0 pad, 1 unknown; then training words, then words frequent in the unlabelled text."""
    words = ["<pad>", "<unk>"]
    seen = set(words)
    for ex in train:
        for t in ex.doc:
            w = normalise_word(t.text)
            if w not in seen:
                seen.add(w)
                words.append(w)
    if vectors_text is not None and vectors_text.exists():
        counts: Counter[str] = Counter()
        with vectors_text.open(encoding="utf-8") as fh:
            for line in fh:
                counts.update(line.split())
        for w, n in counts.most_common():
            if n < min_count:
                break
            if w not in seen:
                seen.add(w)
                words.append(w)
    return words


def char_vocabulary(train: list[Example], min_count: int = 2) -> list[str]:
    counts: Counter[str] = Counter(c for ex in train for t in ex.doc for c in t.text)
    return ["<pad>", "<unk>", *sorted(c for c, n in counts.items() if n >= min_count)]


# ---------------------------------------------------------------- model


@dataclass(frozen=True)
class Hyper:
    word_dim: int = 100
    char_dim: int = 24
    char_filters: int = 50
    char_width: int = 3
    shape_dim: int = 8
    hidden: int = 128
    dropout: float = 0.5
    word_dropout: float = 0.05
    lr: float = 2e-3
    batch_docs: int = 8
    epochs: int = 25
    clip: float = 5.0
    seed: int = 0
    corpus_heads: int = 0  # 1: each corpus adds its own output layer (annotation conventions differ)
    corpus_lexicon: int = 0  # 1: gazetteer bits of the training splits' gold forms (jackknifed)


def make_net(h: Hyper, n_words: int, n_chars: int, n_gaz: int, word_vectors: np.ndarray | None):
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.word_emb = nn.Embedding(n_words, h.word_dim, padding_idx=0)
            if word_vectors is not None:
                self.word_emb.weight.data.copy_(torch.from_numpy(word_vectors))
            self.word_emb.weight.requires_grad = False  # words unseen in training keep their place
            self.char_emb = nn.Embedding(n_chars, h.char_dim, padding_idx=0)
            self.char_conv = nn.Conv1d(h.char_dim, h.char_filters, h.char_width)
            self.shape_emb = nn.Embedding(len(SHAPES), h.shape_dim)
            d_in = h.word_dim + h.char_filters + h.shape_dim + n_gaz
            self.lstm = nn.LSTM(d_in, h.hidden, batch_first=True, bidirectional=True)
            self.drop = nn.Dropout(h.dropout)
            self.out = nn.Linear(2 * h.hidden, len(TAGS))
            # Per-corpus output layers (zero-initialised): the shared layer learns what the
            # corpora agree on, each head its corpus's conventions; one is exported.
            self.heads = nn.Parameter(torch.zeros(len(CORPORA) if h.corpus_heads else 0, len(TAGS), 2 * h.hidden + 1))
            self.trans = nn.Parameter(torch.zeros(len(TAGS), len(TAGS)))
            self.start = nn.Parameter(torch.zeros(len(TAGS)))
            self.end = nn.Parameter(torch.zeros(len(TAGS)))
            self.register_buffer("trans_pen", torch.from_numpy(np.maximum(allowed_transitions_penalty(), -1e4)))
            self.register_buffer("start_pen", torch.from_numpy(np.maximum(start_penalty(), -1e4)))
            self.register_buffer("end_pen", torch.from_numpy(np.maximum(end_penalty(), -1e4)))

        def chars(self, char_ids, lengths):
            x = self.char_emb(char_ids).transpose(1, 2)  # (U, E, L)
            y = self.char_conv(x)  # (U, F, L - w + 1)
            pos = torch.arange(y.shape[2])[None, :]
            y = y.masked_fill(~(pos < lengths[:, None])[:, None, :], -1e4)
            return y.max(dim=2).values

        def encode(self, word_ids, tok_ids, char_ids, char_lengths, shapes, gaz, lengths):
            chars = self.chars(char_ids, char_lengths)[tok_ids]  # (B, T, F)
            x = torch.cat([self.word_emb(word_ids), chars, self.shape_emb(shapes), gaz], dim=2)
            x = self.drop(x)
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            h, _ = self.lstm(packed)
            h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=x.shape[1])
            return self.drop(h)

        def scores(self, h, corpus_ids):
            out = self.out(h)
            if self.heads.shape[0]:
                w = self.heads[corpus_ids]  # (B, K, 2H + 1)
                out = out + torch.einsum("btd,bkd->btk", h, w[:, :, :-1]) + w[:, None, :, -1]
            return out

        def log_z(self, em, allowed, lengths):
            trans = self.trans + self.trans_pen
            neg = torch.tensor(-1e4)
            alpha = torch.where(allowed[:, 0], self.start + self.start_pen + em[:, 0], neg)
            for t in range(1, em.shape[1]):
                nxt = torch.logsumexp(alpha[:, :, None] + trans[None], dim=1) + em[:, t]
                nxt = torch.where(allowed[:, t], nxt, neg)
                alpha = torch.where((t < lengths)[:, None], nxt, alpha)
            return torch.logsumexp(alpha + self.end + self.end_pen, dim=1)

        def loss(self, batch):
            em = self.scores(self.encode(*batch["inputs"]), batch["corpus_ids"])
            allowed = batch["allowed"]
            both = self.log_z(torch.cat([em, em]), torch.cat([torch.ones_like(allowed), allowed]),
                              torch.cat([batch["lengths"], batch["lengths"]]))
            n = em.shape[0]
            return (both[:n] - both[n:]).sum() / batch["lengths"].sum()

    return Net()


class Featurizer:
    """Examples -> the tensors the torch net reads (same features as the NumPy tagger)."""

    def __init__(self, words: list[str], chars: list[str], gazetteer: Gazetteer,
                 lexicons: tuple[Gazetteer, list[Gazetteer], dict[str, int]] | None = None) -> None:
        self.words = {w: i for i, w in enumerate(words)}
        self.chars = {c: i for i, c in enumerate(chars)}
        self.gazetteer = gazetteer
        self.lexicons = lexicons
        self.n_features = gazetteer.n_features + (lexicons[0].n_features if lexicons else 0)
        self._gaz_cache: dict[int, np.ndarray] = {}

    def gaz(self, ex: Example) -> np.ndarray:
        """Gazetteer bits; a training abstract reads its fold's corpus lexicon, any other the full one."""
        key = id(ex)
        if key not in self._gaz_cache:
            feats = self.gazetteer.features(ex.doc)
            if self.lexicons is not None:
                full, per_fold, fold_by_pmid = self.lexicons
                lexicon = per_fold[fold_by_pmid[ex.pmid]] if ex.pmid in fold_by_pmid else full
                feats = np.concatenate([feats, lexicon.features(ex.doc)], axis=1)
            self._gaz_cache[key] = feats
        return self._gaz_cache[key]

    def batch(self, exs: list[Example], width: int, word_dropout: float = 0.0, rng: random.Random | None = None):
        import torch

        lengths = [len(ex.doc) for ex in exs]
        t_max = max(lengths)
        b = len(exs)
        word_ids = np.zeros((b, t_max), np.int64)
        tok_ids = np.zeros((b, t_max), np.int64)
        shapes = np.zeros((b, t_max), np.int64)
        gaz = np.zeros((b, t_max, self.n_features), np.float32)
        allowed = np.zeros((b, t_max, len(TAGS)), bool)
        uniq: dict[str, int] = {}
        for i, ex in enumerate(exs):
            for j, t in enumerate(ex.doc):
                w = encode_word(t.text, self.words)
                if word_dropout and rng is not None and rng.random() < word_dropout:
                    w = 1
                word_ids[i, j] = w
                tok_ids[i, j] = uniq.setdefault(t.text, len(uniq))
                shapes[i, j] = shape_class(t.text)
            gaz[i, : lengths[i]] = self.gaz(ex)
            allowed[i, : lengths[i]] = ex.allowed
        pad = width // 2
        char_ids = np.zeros((len(uniq), MAX_CHARS + 2 * pad), np.int64)
        char_lengths = np.zeros(len(uniq), np.int64)
        for text, k in uniq.items():
            ids = encode_chars(text, self.chars)
            char_ids[k, pad : pad + len(ids)] = ids
            char_lengths[k] = len(ids)
        t = torch.from_numpy
        lengths_t = torch.tensor(lengths)
        return {
            "inputs": (t(word_ids), t(tok_ids), t(char_ids), t(char_lengths), t(shapes), t(gaz), lengths_t),
            "allowed": t(allowed),
            "corpus_ids": torch.tensor([CORPORA.index(ex.corpus) for ex in exs]),
            "lengths": lengths_t,
        }


def export_weights(net, h: Hyper, head: str | None = None) -> dict[str, np.ndarray]:
    """NumPy weights; with corpus heads, ``head`` (a corpus name) picks the output layer added."""
    sd = {k: v.detach().cpu().numpy().astype(np.float32) for k, v in net.state_dict().items()}
    if head is not None:
        extra = sd["heads"][CORPORA.index(head)]
        sd["out.weight"] = sd["out.weight"] + extra[:, :-1]
        sd["out.bias"] = sd["out.bias"] + extra[:, -1]
    return {
        "word_emb": sd["word_emb.weight"].astype(np.float16),
        "char_emb": sd["char_emb.weight"],
        "char_conv_w": sd["char_conv.weight"],
        "char_conv_b": sd["char_conv.bias"],
        "shape_emb": sd["shape_emb.weight"],
        "lstm_f_ih": sd["lstm.weight_ih_l0"],
        "lstm_f_hh": sd["lstm.weight_hh_l0"],
        "lstm_f_b": sd["lstm.bias_ih_l0"] + sd["lstm.bias_hh_l0"],
        "lstm_b_ih": sd["lstm.weight_ih_l0_reverse"],
        "lstm_b_hh": sd["lstm.weight_hh_l0_reverse"],
        "lstm_b_b": sd["lstm.bias_ih_l0_reverse"] + sd["lstm.bias_hh_l0_reverse"],
        "out_w": sd["out.weight"],
        "out_b": sd["out.bias"],
        "crf_trans": sd["trans"],
        "crf_start": sd["start"],
        "crf_end": sd["end"],
    }


# ---------------------------------------------------------------- scoring


def dev_f1(model: BiLstmCrf, features, dev: list[Example]) -> dict[str, dict[str, float]]:
    """Strict span+type P/R/F1 per corpus of the raw tagger (no post-processing)."""
    from kg.train.ner import DEV_CORPORA

    types = {c.name: c.types for c in DEV_CORPORA}
    counts: dict[str, list[int]] = {}
    order = sorted(range(len(dev)), key=lambda i: len(dev[i].doc))
    for b in range(0, len(order), 32):
        idx = order[b : b + 32]
        xs = [model.inputs(dev[i].doc, features(dev[i])) for i in idx]
        for i, em in zip(idx, model.emissions(xs), strict=True):
            ex = dev[i]
            tags, _ = model.decode(em)
            pred = {(ex.doc[s:e].start_char, ex.doc[s:e].end_char, t) for s, e, t, _ in tags_to_spans(tags)
                    if t in types[ex.corpus]}
            c = counts.setdefault(ex.corpus, [0, 0, 0])
            c[0] += len(pred & ex.gold)
            c[1] += len(pred - ex.gold)
            c[2] += len(ex.gold - pred)
    out = {}
    for name, (tp, fp, fn) in counts.items():
        s = Score(tp=tp, fp=fp, fn=fn)
        out[name] = {"p": round(s.precision, 4), "r": round(s.recall, 4), "f1": round(s.f1, 4)}
    return out


# ---------------------------------------------------------------- training


def train(out_dir: Path, *, hyper: Hyper = Hyper(), vectors_dir: Path | None = None, threads: int = 2,
          shared_data: Path = SHARED_DATA) -> Path:
    """Train, keep the best epoch by mean dev F1, and write the model directory ``out_dir/model``."""
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(hyper.seed)
    rng = random.Random(hyper.seed)
    started = time.monotonic()
    out_dir.mkdir(parents=True, exist_ok=True)
    gazetteer = cached_gazetteer(out_dir / "gazetteer.npz", shared_data)
    train_exs, dev_exs = load_examples(shared_data)
    log.info("%d training and %d dev abstracts", len(train_exs), len(dev_exs))
    text = vectors_dir / "unlabelled.txt" if vectors_dir else None
    words = word_vocabulary(train_exs, text)
    chars = char_vocabulary(train_exs)
    vectors = None
    if vectors_dir is not None:
        import floret

        ft = floret.load_model(str(vectors_dir / "vectors.bin"))
        vectors = np.stack([np.zeros(hyper.word_dim, np.float32)] * 2 + [ft.get_word_vector(w) for w in words[2:]])
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-6)
        vectors = vectors.astype(np.float32)
    lexicons = corpus_lexicons(train_exs) if hyper.corpus_lexicon else None
    feats = Featurizer(words, chars, gazetteer, lexicons)
    log.info("%d words, %d chars, %d gazetteer features", len(words), len(chars), feats.n_features)
    net = make_net(hyper, len(words), len(chars), feats.n_features, vectors)
    params = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=hyper.lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda ep: 1.0 / (1.0 + 0.05 * ep))
    history = []
    best = (-1.0, -1)
    model_dir = out_dir / "model"
    for epoch in range(hyper.epochs):
        net.train()
        order = list(range(len(train_exs)))
        rng.shuffle(order)
        # Similar lengths per batch: less padding, fewer CRF steps.
        chunks = [order[i : i + hyper.batch_docs * 20] for i in range(0, len(order), hyper.batch_docs * 20)]
        batches = []
        for chunk in chunks:
            chunk.sort(key=lambda i: len(train_exs[i].doc))
            batches += [chunk[i : i + hyper.batch_docs] for i in range(0, len(chunk), hyper.batch_docs)]
        rng.shuffle(batches)
        total, t0 = 0.0, time.monotonic()
        for idx in batches:
            batch = feats.batch([train_exs[i] for i in idx], hyper.char_width, hyper.word_dropout, rng)
            loss = net.loss(batch)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, hyper.clip)
            opt.step()
            total += loss.item()
        sched.step()
        net.eval()
        for head in (None, *CORPORA) if hyper.corpus_heads else (None,):
            weights = export_weights(net, hyper, head)
            model = BiLstmCrf(weights, feats.words, feats.chars)
            scores = dev_f1(model, feats.gaz, dev_exs)
            mean = sum(s["f1"] for s in scores.values()) / len(scores)
            history.append({"epoch": epoch + 1, "head": head, "loss": round(total / len(batches), 4), "dev": scores,
                            "mean_f1": round(mean, 4), "seconds": round(time.monotonic() - t0)})
            log.info("epoch %d head %s loss %.4f dev %s mean %.4f (%.0f s)", epoch + 1, head, total / len(batches),
                     {k: v["f1"] for k, v in scores.items()}, mean, time.monotonic() - t0)
            if mean > best[0]:
                best = (mean, epoch + 1)
                write_model(model_dir, weights, words, chars, gazetteer, hyper,
                            settings={**DEFAULT_SETTINGS, "head": head},
                            corpus_lexicon=lexicons[0] if lexicons else None, unfinished="training")
        (out_dir / "train-log.json").write_text(json.dumps(
            {"hyper": hyper.__dict__, "history": history, "best_epoch": best[1],
             "seconds": round(time.monotonic() - started), "train_abstracts": len(train_exs),
             "words": len(words), "chars": len(chars), "gazetteer_features": feats.n_features}, indent=2),
            encoding="utf-8")
    # Every epoch is done: the model still needs its settings tuned (tune_settings clears the mark).
    if (model_dir / "tagger.json").is_file():
        write_meta(model_dir / "tagger.json", {**read_meta(model_dir / "tagger.json"), UNFINISHED: "tuning"})
    return model_dir


def cached_gazetteer(path: Path, shared_data: Path = SHARED_DATA) -> Gazetteer:
    """The gazetteer an earlier run saved at ``path``, else (none, or a damaged one) built anew and saved."""
    if path.exists():
        try:
            return Gazetteer.load(path)
        except ModelError as exc:
            log.warning("rebuilding the gazetteer: %s", exc)
    gazetteer = build_gazetteer(shared_data)
    gazetteer.save(path)  # under a temporary name, then renamed: never a partial file at path
    return gazetteer


def write_meta(path: Path, meta: dict) -> None:
    """``tagger.json`` written under a temporary name, then renamed over the old one."""
    with atomic_file(path) as fh:
        fh.write(json.dumps(meta).encode("utf-8"))


def finish_model(model_dir: Path, settings: dict) -> None:
    """Write the tuned ``settings`` into the model and clear its unfinished mark: the model is done."""
    meta = read_meta(model_dir / "tagger.json")
    meta.pop(UNFINISHED, None)
    write_meta(model_dir / "tagger.json", {**meta, "settings": settings})


DEFAULT_SETTINGS: dict[str, object] = {"min_score": 0.0, "abbreviations": True, "batch_size": 32}
THRESHOLDS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)


def tune_settings(model_dir: Path, *, shared_data: Path = SHARED_DATA, cache_dir: Path | None = None) -> dict:
    """Pick the post-processing settings on the dev splits and write them into ``tagger.json``.

    The network runs once per dev abstract; then every combination of within-document
    propagation, variant patterns and the lexicon fill-in (``+dictionary``) is scored, and per-type
    minimum scores are chosen by two rounds of coordinate search, all on the mean of the three
    corpora's strict F1, exactly as ``NerCpuExtractor`` (with the lexicon) applies them.
    Returns the settings and the scores.
    """
    import itertools

    from kg.extract.ner_cpu import (
        NerCpuExtractor,
        add_variant_patterns,
        inherit_abbreviation_types,
        propagate_within_document,
    )
    from kg.text.analyzer import TextAnalyzer
    from kg.train.ner import _read
    from kg.vocab.corpora import DEV_CORPORA
    from kg.vocab.lexicon import load_lexicon

    extractor = NerCpuExtractor(model_dir, lexicon=load_lexicon(shared_data, cache_dir=cache_dir), unfinished=True)
    analyzer = TextAnalyzer(extractor.vocab)
    tagger = extractor.tagger
    data = []
    for corpus in DEV_CORPORA:
        gold = _read(shared_data / corpus.path, [])
        annotated = list(analyzer.pipe([g.to_document() for g in gold], batch_size=64))
        for b in range(0, len(annotated), 32):
            batch = annotated[b : b + 32]
            tags, margs = tagger.model.decode_batch(tagger.model.emissions(
                [tagger.model.inputs(d.tokens, tagger.features(d.tokens)) for d in batch]))
            for g, d, t, m in zip(gold[b : b + 32], batch, tags, margs, strict=True):
                want = {(a.start, a.end, entity_type(a.type)) for a in g.annotations}
                data.append((corpus.name, corpus.types, d, tags_to_spans(t, m),
                             {x for x in want if x[2] in corpus.types}))

    def mean_f1(thr: dict[str, float], consistency: bool, variants: bool, lexicon: bool) -> tuple[float, dict]:
        counts: dict[str, list[int]] = {}
        for name, types, adoc, raw, gold in data:
            doc = adoc.tokens
            ents = {(s, e): (label, sc) for s, e, label, sc in raw if sc >= thr[label]}
            if consistency:
                propagate_within_document(doc, ents)
            if variants:
                add_variant_patterns(doc, ents)
            inherit_abbreviation_types(doc, ents)
            if lexicon:
                labels = {span: label for span, (label, _) in ents.items()}
                scores = {span: score for span, (_, score) in ents.items()}
                extractor.add_lexicon_matches(adoc, labels, scores)
                ents = {span: (label, scores[span]) for span, label in labels.items()}
                inherit_abbreviation_types(doc, ents)
            spans = [(s, e, label, sc) for (s, e), (label, sc) in ents.items()]
            pred = {(doc[s:e].start_char, doc[s:e].end_char, label) for s, e, label, _ in spans if label in types}
            c = counts.setdefault(name, [0, 0, 0])
            c[0] += len(pred & gold)
            c[1] += len(pred - gold)
            c[2] += len(gold - pred)
        f1 = {k: 2 * tp / (2 * tp + fp + fn) if tp else 0.0 for k, (tp, fp, fn) in counts.items()}
        return sum(f1.values()) / len(f1), f1

    zero = dict.fromkeys(TYPES, 0.0)
    best = max(itertools.product((False, True), repeat=3), key=lambda flags: mean_f1(zero, *flags)[0])
    thr = dict(zero)
    for _ in range(2):
        for t in TYPES:
            thr[t] = max(THRESHOLDS, key=lambda v: (mean_f1({**thr, t: v}, *best)[0], -v))
    mean, f1 = mean_f1(thr, *best)
    settings = {**tagger.settings, "min_score": thr, "consistency": best[0], "variant_patterns": best[1],
                "dictionary": best[2]}
    finish_model(model_dir, settings)
    result = {"settings": settings, "with_dictionary": best[2], "dev_f1": {k: round(v, 4) for k, v in f1.items()},
              "mean_f1": round(mean, 4)}
    log.info("tuned: %s", result)
    return result


def write_model(model_dir: Path, weights: dict[str, np.ndarray], words: list[str], chars: list[str],
                gazetteer: Gazetteer, hyper: Hyper, settings: dict, corpus_lexicon: Gazetteer | None = None,
                unfinished: str | None = None) -> None:
    """The model folder, whole or not at all: written into a temporary folder beside ``model_dir`` that then
    takes its place. ``unfinished`` (the stage, "training") marks a model the loader refuses until
    :func:`finish_model` clears it; without it the model is finished."""
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = model_dir.with_name(f".{model_dir.name}.partial")
    old = model_dir.with_name(f".{model_dir.name}.old")
    for stale in (tmp, old):
        shutil.rmtree(stale, ignore_errors=True)
    tmp.mkdir()
    try:
        with (tmp / "weights.npz").open("wb") as fh:
            np.savez_compressed(fh, **weights)
        gazetteer.save(tmp / "gazetteer.npz")
        if corpus_lexicon is not None:
            corpus_lexicon.save(tmp / "corpus_lexicon.npz")
        meta = {"name": "medkg_ner_cpu", "format": FORMAT, "tags": list(TAGS), "words": words, "chars": chars,
                "hyper": hyper.__dict__, "settings": settings}
        if unfinished:
            meta[UNFINISHED] = unfinished
        (tmp / "tagger.json").write_text(json.dumps(meta), encoding="utf-8")
        if model_dir.exists():
            model_dir.rename(old)
        tmp.rename(model_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    """``python -m kg.train.ner_cpu {vectors,train,tune}``: the model card's exact commands."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m kg.train.ner_cpu")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("vectors", help="fastText vectors on the unlabelled PubMed abstracts")
    v.add_argument("--output", type=Path, required=True)
    t = sub.add_parser("train", help="train the BiLSTM-CRF and export it")
    t.add_argument("--output", type=Path, required=True)
    t.add_argument("--vectors", type=Path, help="the folder `vectors` wrote")
    u = sub.add_parser("tune", help="choose the post-processing settings on dev, write them into tagger.json")
    u.add_argument("--model", type=Path, required=True)
    t.add_argument("--threads", type=int, default=2)
    for field, default in Hyper().__dict__.items():
        t.add_argument(f"--{field.replace('_', '-')}", type=type(default), default=default)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "vectors":
        from kg.train.ner_vectors import train_vectors

        print(train_vectors(args.output))
    elif args.command == "tune":
        print(json.dumps(tune_settings(args.model), indent=2))
    else:
        hyper = Hyper(**{f: getattr(args, f) for f in Hyper().__dict__})
        print(train(args.output, hyper=hyper, vectors_dir=args.vectors, threads=args.threads))


if __name__ == "__main__":
    main()
