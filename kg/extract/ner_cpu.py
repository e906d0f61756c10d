"""The CPU-tier NER tagger: a BiLSTM-CRF over bio-tokenized Docs, run with NumPy only.

Trained with PyTorch by :mod:`kg.train.ner_cpu`; the model directory holds plain arrays
(``weights.npz``, ``gazetteer.npz``) and ``tagger.json``, so running it needs neither torch
nor the vocabularies it was built from.

Per token the network reads

- a word vector (lowercase, digits to 0), initialised from fastText vectors trained here on
  PubMed abstracts that are in no corpus (:mod:`kg.train.ner_vectors`);
- a character CNN over the token as written (cached per distinct token: it depends on the
  string only);
- the token's shape class (lower, Title, UPPER, digits, ...);
- gazetteer bits: for each vocabulary group (MeSH chemicals, diseases, organisms, anatomy;
  HPO phenotypes; human, mouse and rat gene names), whether a term of that group starts,
  continues or ends at the token. This is TaggerOne's lesson: a lexicon reading of the
  words, weighed by the context, is what recognises the rare drug the corpora never show.

A bidirectional LSTM runs over the whole abstract (not sentence by sentence: an abbreviation
defined in the title helps in the last sentence), and a linear-chain CRF over BIOES tags
decodes non-overlapping spans. Span scores are CRF marginals: the probability of the
decoded tag, at its least sure token.

Post-processing (here, since it reads the Doc): per-type score thresholds, optional
within-document propagation and variant patterns, and every occurrence of a short form defined
in the text ("5-fluorouracil (5-FU)") takes the type of the entity that ends its long form
(:func:`kg.extract.spans.inherit_abbreviation_types`, which every extractor shares).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
from spacy.attrs import LOWER, ORTH
from spacy.tokens import Doc

from kg.cache import atomic_file
from kg.doc import AnnotatedDoc, batched
from kg.errors import Errors, ModelError
from kg.extract.spans import Ents, to_mentions
from kg.extract.spans import inherit_abbreviation_types as _inherit

TYPES: tuple[str, ...] = ("Chemical", "Disease", "Gene", "Variant", "Species", "CellLine")
TAGS: tuple[str, ...] = ("O", *(f"{p}-{t}" for t in TYPES for p in "BIES"))
MAX_CHARS = 20  # characters the char CNN reads: the first 10 and the last 10 of longer tokens
_DIGITS = re.compile(r"[0-9]")
_HASH_MUL = np.uint64(0x100000001B3)  # rolling n-gram key: key(n) = key(n-1) * MUL + hash(token n)
SHAPES: tuple[str, ...] = ("lower", "title", "upper", "mixed", "digit", "alnum", "punct", "other")

# Sequence variants in the notations BioRED's training split uses (tmVar's patterns, simplified):
# rs ids, protein substitutions (R140Q, p.Arg123Gln, Y329fs), HGVS-like DNA changes (c.1138G>C,
# 677C>T, 1665delC, IVS9+1G>A). On BioRED's training split they are right 98% of the time and
# find 62% of the variants; the tagger, with 301 training abstracts, finds fewer.
_AA1 = "ACDEFGHIKLMNPQRSTVWY"
_AA3 = "(?:Ala|Arg|Asn|Asp|Cys|Gln|Glu|Gly|His|Ile|Leu|Lys|Met|Phe|Pro|Ser|Thr|Trp|Tyr|Val|Ter|Stop|stop)"
VARIANT_PATTERN = re.compile(r"(?<![\w-])(?:" + "|".join([
    r"rs\d{3,}",
    rf"(?:p\.\s?)?[{_AA1}]\d{{2,5}}(?:[{_AA1}X*]|fs(?:X\d*)?|del|stop)(?![\w])",
    rf"(?:p\.\s?)?{_AA3}\d{{1,5}}(?:{_AA3}|fs|del|X|\*)",
    r"(?:[cgmr]\.\s?)?-?\d+(?:[+-]\d+)?(?:_\d+(?:[+-]\d+)?)?[ACGTU]\s?(?:>|-->|->)\s?[ACGTU]",
    r"(?:[cgmr]\.\s?)?-?\d+(?:[+-]\d+)?(?:_-?\d+(?:[+-]\d+)?)?(?:del|ins|dup)[ACGTU\d]*(?:ins[ACGTU]+)?",
    r"(?:[cgmr]\.\s?)[ACGTU]?-?\d+(?:[+-]\d+)?[ACGTU]",
    r"[ACGT]-?\d{2,}[ACGT](?![\w])",
    r"IVS\d+\s?[+-]\s?\d+\s?[ACGT]?\s?(?:>|-->)?\s?[ACGT]?",
]) + r")(?![\w])")


FORMAT = 1  # the tagger.json layout (and weight set) this code reads
UNFINISHED = "unfinished"  # tagger.json key a training run writes until it is done: "training" or "tuning"
WEIGHT_RANKS = {
    "word_emb": 2, "char_emb": 2, "char_conv_w": 3, "char_conv_b": 1, "shape_emb": 2,
    "lstm_f_ih": 2, "lstm_f_hh": 2, "lstm_f_b": 1, "lstm_b_ih": 2, "lstm_b_hh": 2, "lstm_b_b": 1,
    "out_w": 2, "out_b": 1, "crf_trans": 2, "crf_start": 1, "crf_end": 1,
}


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` file; a damaged or cut one is :attr:`Errors.E430` naming it."""
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except Exception as exc:  # zipfile, zlib, numpy and OS errors alike for a bad file
        raise ModelError(Errors.E430, path=path, error=f"{type(exc).__name__}: {exc}") from exc


def weights_problem(w: dict[str, np.ndarray], n_words: int, n_chars: int, n_gaz: int) -> str | None:
    """What makes ``w`` unfit for :class:`BiLstmCrf` with this vocabulary and these gazetteer features; None if nothing."""
    missing = [k for k in WEIGHT_RANKS if k not in w]
    if missing:
        return f"weights.npz lacks {', '.join(missing)}"
    for k, rank in WEIGHT_RANKS.items():
        if w[k].ndim != rank:
            return f"weights.npz {k} has shape {w[k].shape}, expected {rank} dimensions"
    n_filters, char_dim, width = w["char_conv_w"].shape
    hidden, n_tags = w["lstm_f_hh"].shape[1], len(TAGS)
    d_in = w["word_emb"].shape[1] + n_filters + w["shape_emb"].shape[1] + n_gaz
    expected = {
        "word_emb": (n_words, w["word_emb"].shape[1]), "char_emb": (n_chars, char_dim),
        "char_conv_b": (n_filters,), "shape_emb": (len(SHAPES), w["shape_emb"].shape[1]),
        **{f"lstm_{d}_ih": (4 * hidden, d_in) for d in "fb"}, **{f"lstm_{d}_hh": (4 * hidden, hidden) for d in "fb"},
        **{f"lstm_{d}_b": (4 * hidden,) for d in "fb"},
        "out_w": (n_tags, 2 * hidden), "out_b": (n_tags,), "crf_trans": (n_tags, n_tags),
        "crf_start": (n_tags,), "crf_end": (n_tags,),
    }
    for k, shape in expected.items():
        if tuple(w[k].shape) != shape:
            return (f"weights.npz {k} has shape {tuple(w[k].shape)}, expected {shape} ({n_words} words, "
                    f"{n_chars} chars in tagger.json, {n_gaz} gazetteer features)")
    return None


def normalise_word(text: str) -> str:
    """The word-vector key: lowercase, every digit 0 ("IL-2" and "IL-6" share a vector)."""
    return _DIGITS.sub("0", text.lower())


def encode_word(text: str, words: dict[str, int]) -> int:
    """The word id of a token: its :func:`normalise_word` key in ``words``, else 1 (``<unk>``)."""
    return words.get(normalise_word(text), 1)


def encode_chars(text: str, chars: dict[str, int]) -> list[int]:
    """The character ids the char CNN reads (the first and last ``MAX_CHARS // 2`` of longer
    tokens), 1 (``<unk>``) for a character not in ``chars``."""
    if len(text) > MAX_CHARS:
        text = text[: MAX_CHARS // 2] + text[-MAX_CHARS // 2 :]
    return [chars.get(c, 1) for c in text]


def shape_class(text: str) -> int:
    if text.isalpha():
        if text.islower():
            return 0
        if text.isupper():
            return 2
        if text[0].isupper() and text[1:].islower():
            return 1
        return 3
    if text.isdigit():
        return 4
    if text.isalnum() or any(c.isalnum() for c in text):
        return 5
    if all(not c.isalnum() for c in text):
        return 6
    return 7


def ngram_keys(hashes: np.ndarray, max_n: int) -> list[np.ndarray]:
    """Keys of the token n-grams of a hash sequence, one array per n = 1 .. ``max_n`` (by start),
    each from the one before: key(n) = key(n-1) * MUL + hash(token n); uint64 wraps, as intended."""
    grams = [hashes]
    with np.errstate(over="ignore"):
        for n in range(2, max_n + 1):
            grams.append(grams[-1][:-1] * _HASH_MUL + hashes[n - 1 :])
    return grams


def term_key(hashes: Sequence[int]) -> int:
    return int(ngram_keys(np.asarray(hashes, dtype=np.uint64), len(hashes))[-1][0])


class _KeyIndex:
    """Where each of many uint64 keys sits in a sorted array of hashed keys: the array is cut into
    2^b buckets by the keys' top b bits (about one key per bucket, hashes being uniform), so a
    lookup reads its bucket's one or two keys instead of a binary search of ~20 steps (which took
    a sixth of the NER's time)."""

    def __init__(self, keys_sorted: np.ndarray) -> None:
        self.keys = keys_sorted
        bits = max(1, int(len(keys_sorted)).bit_length())
        self.shift = np.uint64(64 - bits)
        firsts = np.arange(2**bits, dtype=np.uint64) << self.shift
        self.bounds = np.append(np.searchsorted(keys_sorted, firsts), len(keys_sorted)).astype(np.int64)

    def find(self, needles: np.ndarray) -> np.ndarray:
        """The index of each needle in the sorted keys, -1 where it is not one of them."""
        found = np.full(len(needles), -1, dtype=np.int64)
        if not len(self.keys):
            return found
        bucket = (needles >> self.shift).astype(np.int64)
        pos, end = self.bounds[bucket], self.bounds[bucket + 1]
        active = np.flatnonzero(pos < end)
        while len(active):  # step through each bucket's keys (ascending) until one is >= the needle
            p = pos[active]
            key, needle = self.keys[p], needles[active]
            hit = key == needle
            found[active[hit]] = p[hit]
            active = active[(key < needle) & (p + 1 < end[active])]
            pos[active] += 1
        return found


class Gazetteer:
    """Hashed vocabulary terms per group: token n-gram key -> bit mask of the groups listing it.

    ``lower`` keys hash each token's lowercase form, ``cased`` keys the form as written (gene
    symbols: "CAT" the gene, "cat" the animal). Terms are tokenized by the bio tokenizer at
    build time, so a key matches exactly the token sequence the tagger sees.
    """

    def __init__(self, groups: Sequence[str], lower: tuple[np.ndarray, np.ndarray],
                 cased: tuple[np.ndarray, np.ndarray], max_len: int) -> None:
        self.groups = tuple(groups)
        self.lower_keys, self.lower_masks = lower
        self.cased_keys, self.cased_masks = cased
        self.max_len = max_len
        self._lower_index = _KeyIndex(self.lower_keys)
        self._cased_index = _KeyIndex(self.cased_keys)

    @property
    def n_features(self) -> int:
        return 3 * 2 * len(self.groups)  # begin, inside, end; lowercase and cased matches

    @classmethod
    def from_terms(cls, groups: Sequence[str], lower: dict[int, int], cased: dict[int, int], max_len: int) -> Gazetteer:
        def arrays(d: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
            keys = np.fromiter(d.keys(), dtype=np.uint64, count=len(d))
            masks = np.fromiter(d.values(), dtype=np.uint32, count=len(d))
            order = np.argsort(keys)
            return keys[order], masks[order]

        return cls(groups, arrays(lower), arrays(cased), max_len)

    @classmethod
    def load(cls, path: Path) -> Gazetteer:
        z = read_npz(path)
        try:
            meta = json.loads(str(z["meta"]))
            return cls(meta["groups"], (z["lower_keys"], z["lower_masks"]), (z["cased_keys"], z["cased_masks"]),
                       int(meta["max_len"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(Errors.E430, path=path, error=f"not a gazetteer: {type(exc).__name__}: {exc}") from exc

    def save(self, path: Path) -> None:
        """Written under a temporary name, then renamed: an interrupted save leaves no partial file."""
        meta = json.dumps({"groups": list(self.groups), "max_len": self.max_len})
        with atomic_file(path) as fh:
            np.savez_compressed(fh, meta=np.array(meta), lower_keys=self.lower_keys, lower_masks=self.lower_masks,
                                cased_keys=self.cased_keys, cased_masks=self.cased_masks)

    def features(self, doc: Doc) -> np.ndarray:
        n_groups = len(self.groups)
        out = np.zeros((len(doc), self.n_features), dtype=np.float32)
        if not len(doc):
            return out
        lens = range(1, min(self.max_len, len(doc)) + 1)
        ns = np.concatenate([np.full(len(doc) - n + 1, n) for n in lens])
        starts = np.concatenate([np.arange(len(doc) - n + 1) for n in lens])
        columns = doc.to_array([LOWER, ORTH])  # (tokens, 2) string hashes, as token.lower / token.orth
        for offset, column, index, masks in ((0, 0, self._lower_index, self.lower_masks),
                                              (3 * n_groups, 1, self._cased_index, self.cased_masks)):
            if not len(masks):
                continue
            keys = np.concatenate(ngram_keys(np.ascontiguousarray(columns[:, column], dtype=np.uint64), len(lens)))
            idx = index.find(keys)
            for j in np.flatnonzero(idx >= 0):
                mask, i, n = int(masks[idx[j]]), int(starts[j]), int(ns[j])
                for g in range(n_groups):
                    if mask >> g & 1:
                        out[i, offset + 3 * g] = 1.0
                        out[i + 1 : i + n, offset + 3 * g + 1] = 1.0
                        out[i + n - 1, offset + 3 * g + 2] = 1.0
        return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function as ``(1 + tanh(x / 2)) / 2``: NumPy's vectorised tanh makes it 4.5x faster
    than ``scipy.special.expit`` on the LSTM's gate arrays (17 against 77 us for 32 x 512 float32),
    within one float32 unit of it."""
    y = np.tanh(x * np.float32(0.5))
    y *= np.float32(0.5)
    y += np.float32(0.5)
    return y


CACHE_SIZE = 200_000  # tokens whose word ids and character features are remembered


class BiLstmCrf:
    """The network's forward pass and CRF decoding, in NumPy (float32); weights from torch."""

    def __init__(self, w: dict[str, np.ndarray], words: dict[str, int], chars: dict[str, int]) -> None:
        self.w = w
        self.words = words
        self.chars = chars
        self.hidden = w["lstm_f_hh"].shape[1]
        # Both directions' input weights side by side (inputs, 8H), and their biases: one product for both.
        self.w_in = np.ascontiguousarray(np.concatenate([w["lstm_f_ih"], w["lstm_b_ih"]]).T)
        self.b_in = np.concatenate([w["lstm_f_b"], w["lstm_b_b"]])
        self._char_cache: dict[str, np.ndarray] = {}
        self._token_cache: dict[str, tuple[int, int]] = {}
        # Impossible BIOES transitions (I-Chemical after B-Disease, ...) are -inf.
        self.trans = w["crf_trans"] + allowed_transitions_penalty()
        self.start = w["crf_start"] + start_penalty()
        self.end = w["crf_end"] + end_penalty()

    def char_features(self, texts: Sequence[str]) -> np.ndarray:
        missing = sorted({t for t in texts if t not in self._char_cache})
        if missing:
            if len(self._char_cache) + len(missing) > CACHE_SIZE:  # before filling: this call reads what it adds
                self._char_cache.clear()
                missing = sorted(set(texts))
            emb, conv_w, conv_b = self.w["char_emb"], self.w["char_conv_w"], self.w["char_conv_b"]
            width = conv_w.shape[2]
            pad = width // 2
            ids = np.zeros((len(missing), MAX_CHARS + 2 * pad), dtype=np.int64)
            for i, t in enumerate(missing):
                c = encode_chars(t, self.chars)
                ids[i, pad : pad + len(c)] = c
            x = emb[ids]  # (N, L, E)
            n, length, e = x.shape
            windows = np.stack([x[:, k : length - width + 1 + k] for k in range(width)], axis=3)  # (N, L', E, W)
            out = windows.reshape(n, length - width + 1, e * width) @ conv_w.reshape(conv_w.shape[0], -1).T + conv_b
            lengths = np.array([min(len(t), MAX_CHARS) for t in missing])
            positions = np.arange(length - width + 1)[None, :]
            valid = positions < (lengths + 2 * pad - width + 1)[:, None]
            out = np.where(valid[:, :, None], out, -np.inf).max(axis=1)
            for t, v in zip(missing, out.astype(np.float32), strict=True):
                self._char_cache[t] = v
        return np.stack([self._char_cache[t] for t in texts]) if texts else np.zeros((0, self.w["char_conv_b"].shape[0]), np.float32)

    def token_ids(self, text: str) -> tuple[int, int]:
        """(word id, shape class) of a token, cached: most tokens of an abstract are frequent words."""
        ids = self._token_cache.get(text)
        if ids is None:
            if len(self._token_cache) > CACHE_SIZE:
                self._token_cache.clear()
            ids = self._token_cache[text] = (encode_word(text, self.words), shape_class(text))
        return ids

    def text_inputs(self, texts: Sequence[str]) -> np.ndarray:
        """The inputs a token's text decides (word vector, character features, shape), one row per text."""
        ids = np.array([self.token_ids(t) for t in texts], dtype=np.int64).reshape(len(texts), 2)
        return np.concatenate(
            [self.w["word_emb"][ids[:, 0]].astype(np.float32), self.char_features(texts), self.w["shape_emb"][ids[:, 1]]],
            axis=1,
        )

    def inputs(self, doc: Doc, gaz: np.ndarray) -> np.ndarray:
        return np.concatenate([self.text_inputs([t.text for t in doc]), gaz], axis=1)

    def gates(self, docs: Sequence[Doc], gazetteer: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Each Doc's input projections, both directions, (tokens, 8H): what :meth:`inputs` times the
        input weights gives, computed with far fewer products.

        What a token brings apart from its gazetteer bits (word vector, characters, shape) depends
        on its text alone, so it is projected once per distinct text of the batch (32 abstracts
        repeat two thirds of their tokens); the gazetteer bits are sparse, so only the tokens with
        one are projected. The projection was half the tagger's time. Equal to ``inputs(doc, gaz)
        @ W.T + b`` up to float32 rounding (the sum is taken in two parts).
        """
        texts = [t.text for d in docs for t in d]
        index: dict[str, int] = {}
        inverse = np.fromiter((index.setdefault(t, len(index)) for t in texts), dtype=np.int64, count=len(texts))
        own = self.w_in.shape[0] - gazetteer[0].shape[1]
        out = (self.text_inputs(list(index)) @ self.w_in[:own])[inverse]
        gaz = np.concatenate(gazetteer)
        hit = np.flatnonzero(gaz.any(axis=1))
        out[hit] += gaz[hit] @ self.w_in[own:]
        out += self.b_in
        return np.split(out, np.cumsum([len(d) for d in docs])[:-1])

    def _lstm(self, gates_x: np.ndarray, lengths: np.ndarray, prefix: str, reverse: bool) -> np.ndarray:
        """One direction over a padded batch of its input projections (B, T, 4H); padding never feeds
        real positions."""
        b, t_max, _ = gates_x.shape
        h_size = self.hidden
        w_hh = self.w[f"{prefix}_hh"].T
        h = np.zeros((b, h_size), np.float32)
        c = np.zeros((b, h_size), np.float32)
        out = np.zeros((b, t_max, h_size), np.float32)
        steps = range(t_max - 1, -1, -1) if reverse else range(t_max)
        for t in steps:
            g = gates_x[:, t] + h @ w_hh
            sig = _sigmoid(g)  # the cell gate's share is unused: one call beats three
            i, f, o = sig[:, :h_size], sig[:, h_size : 2 * h_size], sig[:, 3 * h_size :]
            cell = np.tanh(g[:, 2 * h_size : 3 * h_size])
            c_new = f * c + i * cell
            h_new = o * np.tanh(c_new)
            if reverse:  # a padded step must not start the backward pass with garbage
                live = (t < lengths)[:, None]
                c_new = np.where(live, c_new, 0.0)
                h_new = np.where(live, h_new, 0.0)
            c, h = c_new, h_new
            out[:, t] = h
        return out

    def emissions(self, xs: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Tag scores of each input matrix (:meth:`inputs`)."""
        return self.emissions_of_gates([x @ self.w_in + self.b_in for x in xs])

    def emissions_of_gates(self, gates: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Tag scores from each sequence's input projections, both directions (:meth:`gates`)."""
        lengths = np.array([len(g) for g in gates])
        t_max = int(lengths.max())
        batch = np.zeros((len(gates), t_max, gates[0].shape[1]), np.float32)
        for i, g in enumerate(gates):
            batch[i, : len(g)] = g
        four_h = 4 * self.hidden
        h = np.concatenate(
            [self._lstm(batch[:, :, :four_h], lengths, "lstm_f", False),
             self._lstm(batch[:, :, four_h:], lengths, "lstm_b", True)], axis=2
        )
        if "hidden_w" in self.w:
            h = np.tanh(h @ self.w["hidden_w"].T + self.w["hidden_b"])
        scores = h @ self.w["out_w"].T + self.w["out_b"]
        return [scores[i, : lengths[i]] for i in range(len(gates))]

    def decode(self, em: np.ndarray) -> tuple[list[int], np.ndarray]:
        """Viterbi tags of one sequence and each token's marginal probability of its tag."""
        tags, marg = self.decode_batch([em])
        return tags[0], marg[0]

    def decode_batch(self, ems: Sequence[np.ndarray]) -> tuple[list[list[int]], list[np.ndarray]]:
        """Viterbi over a batch (log space), then scaled forward-backward for the marginals."""
        lengths = np.array([len(e) for e in ems])
        b, t_max, k = len(ems), int(lengths.max()), len(TAGS)
        em = np.zeros((b, t_max, k), np.float32)
        for i, e in enumerate(ems):
            em[i, : len(e)] = e
        rows = np.arange(b)
        score = self.start[None, :] + em[:, 0]
        back = np.zeros((t_max, b, k), dtype=np.int8)
        for t in range(1, t_max):
            cand = score[:, :, None] + self.trans[None]
            best = cand.argmax(axis=1)
            back[t] = best
            new = np.take_along_axis(cand, best[:, None, :], axis=1)[:, 0] + em[:, t]
            score = np.where((t < lengths)[:, None], new, score)
        cur = (score + self.end[None, :]).argmax(axis=1)
        tags = np.zeros((b, t_max), np.int64)
        for t in range(t_max - 1, -1, -1):
            live = t < lengths
            tags[:, t] = cur
            cur = np.where(live, back[t, rows, cur], cur)
        # Marginals in probability space, rescaled at every step (constants cancel per token).
        e = np.exp(em - em.max(axis=2, keepdims=True))
        m = np.exp(self.trans - self.trans[np.isfinite(self.trans)].max())
        end = np.exp(self.end - self.end[np.isfinite(self.end)].max())
        alpha = np.zeros((b, t_max, k), np.float32)
        a = np.exp(self.start - self.start[np.isfinite(self.start)].max())[None, :] * e[:, 0]
        alpha[:, 0] = a / a.sum(axis=1, keepdims=True)
        for t in range(1, t_max):
            a = (alpha[:, t - 1] @ m) * e[:, t]
            alpha[:, t] = a / np.maximum(a.sum(axis=1, keepdims=True), 1e-30)
        beta = np.ones((b, k), np.float32)
        marg = np.zeros((b, t_max), np.float32)
        for t in range(t_max - 1, -1, -1):
            if t < t_max - 1:
                rec = (e[:, t + 1] * beta) @ m.T
                rec /= np.maximum(rec.sum(axis=1, keepdims=True), 1e-30)
                beta = np.where((t < lengths - 1)[:, None], rec, beta)
            beta = np.where((t == lengths - 1)[:, None], end[None, :], beta)
            g = alpha[:, t] * beta
            marg[:, t] = g[rows, tags[:, t]] / np.maximum(g.sum(axis=1), 1e-30)
        return [tags[i, : lengths[i]].tolist() for i in range(b)], [marg[i, : lengths[i]] for i in range(b)]


def _tag_parts(tag: str) -> tuple[str, str | None]:
    return (tag, None) if tag == "O" else (tag[0], tag[2:])


def allowed_transitions_penalty() -> np.ndarray:
    """(from, to) -> 0 where BIOES allows the transition, -inf where it does not."""
    k = len(TAGS)
    pen = np.full((k, k), -np.inf, dtype=np.float32)
    for i, a in enumerate(TAGS):
        pa, ta = _tag_parts(a)
        for j, b in enumerate(TAGS):
            pb, tb = _tag_parts(b)
            if pa in ("B", "I"):
                ok = pb in ("I", "E") and ta == tb
            else:  # O, E, S end what came before
                ok = pb in ("O", "B", "S")
            if ok:
                pen[i, j] = 0.0
    return pen


def start_penalty() -> np.ndarray:
    return np.array([0.0 if _tag_parts(t)[0] in ("O", "B", "S") else -np.inf for t in TAGS], dtype=np.float32)


def end_penalty() -> np.ndarray:
    return np.array([0.0 if _tag_parts(t)[0] in ("O", "E", "S") else -np.inf for t in TAGS], dtype=np.float32)


def tags_to_spans(tags: Sequence[int], marg: Sequence[float] | None = None) -> list[tuple[int, int, str, float]]:
    """BIOES tag ids -> (start, end, type, score); a malformed run is cut at its break."""
    spans = []
    start, current = None, None
    for i, tag_id in enumerate(tags):
        prefix, typ = _tag_parts(TAGS[tag_id])
        if prefix in ("B", "S"):
            start, current = i, typ
        elif prefix == "O" or typ != current:
            start, current = None, None
        if prefix in ("E", "S") and start is not None:
            score = float(min(marg[start : i + 1])) if marg is not None else 1.0
            spans.append((start, i + 1, typ, score))
            start, current = None, None
    return spans


# what NerCpuTagger does after decoding (propagate_within_document, ...); 2: a name's first letter
# may differ in case; 3: the lexicon fill-in adds no letters-only word of up to three letters, no "-ergic"
POSTPROCESS_VERSION = "post-3"


def files_version(path: Path, names: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(names):
        digest.update(name.encode())
        digest.update((path / name).read_bytes())
    return digest.hexdigest()[:12]


def add_variant_patterns(doc: Doc, ents: dict[tuple[int, int], tuple[str, float]]) -> None:
    """Variants the patterns find where the tagger found nothing (token-aligned matches only)."""
    taken = {i for s, e in ents for i in range(s, e)}
    for m in VARIANT_PATTERN.finditer(doc.text):
        span = doc.char_span(m.start(), m.end())
        if span is not None and not taken.intersection(range(span.start, span.end)):
            ents[(span.start, span.end)] = ("Variant", 1.0)
            taken.update(range(span.start, span.end))


def propagate_within_document(doc: Doc, ents: dict[tuple[int, int], tuple[str, float]]) -> None:
    """Tag every other untagged occurrence of a tagged string (same tokens, same case) alike.

    An abstract names a thing the same way throughout; the tagger, reading each occurrence in
    its own context, misses some. The label is the string's most frequent one. A name of two
    words or more also matches where only its first letter's case differs, as a sentence's first
    word writes it ("Complement C7 deficiency (C7D) is ..." and the title's "complement C7
    deficiency"); a single word does not ("At", ataxia telangiectasia, is not "at").
    """
    texts = [t.text for t in doc]

    def key(words: Sequence[str]) -> tuple[str, ...]:
        return (_sentence_case(words[0]), *words[1:]) if len(words) > 1 else tuple(words)

    by_text: dict[tuple[str, ...], dict[str, list[float]]] = {}
    for (s, e), (label, score) in ents.items():
        by_text.setdefault(key(texts[s:e]), {}).setdefault(label, []).append(score)
    taken = {i for s, e in ents for i in range(s, e)}
    starts: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        starts.setdefault(text, []).append(i)
    for words, labels in by_text.items():
        if len(words) == 1 and len(words[0]) < 2:
            continue
        label = max(labels, key=lambda lab: (len(labels[lab]), lab))
        score = min(labels[label])
        n = len(words)
        firsts = {words[0], words[0][:1].upper() + words[0][1:]} if n > 1 else {words[0]}
        for i in sorted(i for first in firsts for i in starts.get(first, ())):
            if key(texts[i : i + n]) == words and not taken.intersection(range(i, i + n)):
                ents[(i, i + n)] = (label, score)
                taken.update(range(i, i + n))


def _sentence_case(word: str) -> str:
    """``word`` with a capital first letter lowercased where the rest is lowercase ("Complement"),
    as a sentence's first word is written; "DNA", "McArdle" and "complement" stay."""
    return word[:1].lower() + word[1:] if word[:1].isupper() and word[1:].islower() else word


def inherit_abbreviation_types(doc: Doc, ents: dict[tuple[int, int], tuple[str, float]]) -> None:
    """:func:`kg.extract.spans.inherit_abbreviation_types` over ``(label, score)`` entries."""
    labels = {span: label for span, (label, _) in ents.items()}
    scores = {span: score for span, (_, score) in ents.items()}
    _inherit(doc, labels, scores)
    ents.clear()
    ents.update({span: (label, scores[span]) for span, label in labels.items()})


def read_meta(path: Path) -> dict:
    """A model's ``tagger.json``; unreadable, cut short or not a JSON object is :attr:`Errors.E430` naming it."""
    try:
        meta = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise ModelError(Errors.E430, path=path, error=f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(meta, dict):
        raise ModelError(Errors.E430, path=path, error=f"a JSON {type(meta).__name__}, not an object")
    return meta


class NerCpuTagger:
    """The CPU tier's contract: bio-tokenized Docs in, per Doc (start, end, label, score) token spans out."""

    name = "ner-cpu"
    FILES = ("tagger.json", "weights.npz", "gazetteer.npz")
    CORPUS_LEXICON = "corpus_lexicon.npz"  # optional: gold forms of the training splits, by type

    def __init__(self, model: BiLstmCrf, gazetteers: Sequence[Gazetteer], settings: dict, version: str) -> None:
        self.model = model
        self.gazetteers = list(gazetteers)
        self.settings = settings
        self.version = version

    @classmethod
    def load(cls, path: str | Path, *, unfinished: bool = False) -> NerCpuTagger:
        """The model folder ``path``, checked before any work: its files readable, its format the one
        this code reads, its weights the arrays and shapes its tagger.json implies. A model whose
        training has not finished is refused (:attr:`Errors.E432`) unless ``unfinished`` (tuning reads it)."""
        path = Path(path)
        missing = [f for f in cls.FILES if not (path / f).is_file()]
        if missing:
            raise ModelError(Errors.E408, path=path, missing=", ".join(missing))
        meta = read_meta(path / "tagger.json")
        if meta.get("format") != FORMAT:
            raise ModelError(Errors.E431, path=path,
                             problem=f"tagger.json has format {meta.get('format')!r}, this medkg reads format {FORMAT}")
        if tuple(meta.get("tags", ())) != TAGS:
            raise ModelError(Errors.E409, path=path, tags=meta.get("tags"))
        for key in ("words", "chars"):
            if not isinstance(meta.get(key), list) or not all(isinstance(x, str) for x in meta[key]):
                raise ModelError(Errors.E431, path=path, problem=f"tagger.json has no list of {key}")
        if not isinstance(meta.get("settings", {}), dict):
            raise ModelError(Errors.E431, path=path, problem="tagger.json settings is not an object")
        if meta.get(UNFINISHED) and not unfinished:
            raise ModelError(Errors.E432, path=path, stage=meta[UNFINISHED])
        weights = read_npz(path / "weights.npz")
        words = {w: i for i, w in enumerate(meta["words"])}
        chars = {c: i for i, c in enumerate(meta["chars"])}
        gazetteers = [Gazetteer.load(path / "gazetteer.npz")]
        files = list(cls.FILES)
        if (path / cls.CORPUS_LEXICON).is_file():
            gazetteers.append(Gazetteer.load(path / cls.CORPUS_LEXICON))
            files.append(cls.CORPUS_LEXICON)
        problem = weights_problem(weights, len(meta["words"]), len(meta["chars"]), sum(g.n_features for g in gazetteers))
        if problem:
            raise ModelError(Errors.E431, path=path, problem=problem)
        version = f"{meta.get('name', 'ner-cpu')}-{files_version(path, files)}"
        return cls(BiLstmCrf(weights, words, chars), gazetteers, dict(meta.get("settings", {})), version)

    def features(self, doc: Doc) -> np.ndarray:
        return np.concatenate([g.features(doc) for g in self.gazetteers], axis=1)

    def predict(self, docs: Sequence[Doc]) -> list[list[tuple[int, int, str, float]]]:
        """Non-overlapping entity spans per Doc, sorted by start."""
        out: list[list[tuple[int, int, str, float]]] = [[] for _ in docs]
        order = sorted((i for i, d in enumerate(docs) if len(d)), key=lambda i: len(docs[i]))
        batch_size = int(self.settings.get("batch_size", 128))
        for b in range(0, len(order), batch_size):
            batch = [docs[i] for i in order[b : b + batch_size]]
            gates = self.model.gates(batch, [self.features(d) for d in batch])
            tags, margs = self.model.decode_batch(self.model.emissions_of_gates(gates))
            for i, t, marg in zip(order[b : b + batch_size], tags, margs, strict=True):
                out[i] = self._postprocess(docs[i], tags_to_spans(t, marg))
        return out

    def _postprocess(self, doc: Doc, spans: list[tuple[int, int, str, float]]) -> list[tuple[int, int, str, float]]:
        threshold = self.settings.get("min_score", 0.0)  # one number, or one per type
        if not isinstance(threshold, dict):
            threshold = dict.fromkeys(TYPES, float(threshold))
        ents = {(s, e): (label, score) for s, e, label, score in spans if score >= threshold.get(label, 0.0)}
        if self.settings.get("consistency", False):
            propagate_within_document(doc, ents)
        if self.settings.get("variant_patterns", False):
            add_variant_patterns(doc, ents)
        if self.settings.get("abbreviations", True):
            inherit_abbreviation_types(doc, ents)
        return [(s, e, label, round(score, 4)) for (s, e), (label, score) in sorted(ents.items())]


class NerCpuExtractor:
    """The CPU tier as a pipeline component: :class:`NerCpuTagger` over the documents' tokens.

    With a ``lexicon``, its matches that overlap no tagged entity are added (as in
    :class:`kg.extract.spacy_ner.SpacyNerExtractor`); abbreviation types are settled last, over all.
    """

    name = "ner-cpu"

    def __init__(self, model: str | Path, *, lexicon=None, unfinished: bool = False) -> None:
        self.tagger = NerCpuTagger.load(model, unfinished=unfinished)
        self.version = f"{self.tagger.version}+{POSTPROCESS_VERSION}"
        self.lexicon = None
        if lexicon is not None:
            from kg.extract.dictionary import LexiconMatcher
            from kg.text.analyzer import analysis_pipeline

            nlp = analysis_pipeline()
            self.vocab = nlp.vocab  # the lexicon's patterns and the documents' tokens share strings
            types = self.tagger.settings.get("dictionary")  # ["Chemical"]: those types only; true: all
            self.lexicon = LexiconMatcher(lexicon, nlp, types=types if isinstance(types, list) else None)
            self.version = f"{self.version}+{self.lexicon.version}"

    @property
    def settings(self) -> dict[str, object]:
        return {**{k: v for k, v in self.tagger.settings.items() if k != "batch_size"}, "lexicon": self.lexicon is not None}

    def pipe(self, docs: Iterable[AnnotatedDoc], batch_size: int = 256) -> Iterator[AnnotatedDoc]:
        for batch in batched(docs, batch_size):
            for doc, spans in zip(batch, self.tagger.predict([d.tokens for d in batch]), strict=True):
                labels: Ents = {(s, e): label for s, e, label, _ in spans}
                scores = {(s, e): score for s, e, _, score in spans}
                filled = self.add_lexicon_matches(doc, labels, scores) if self.lexicon is not None else set()
                doc.mentions = to_mentions(doc, labels, self.name, self.version, scores)
                if filled:
                    from kg.extract.dictionary import marked_fill_ins

                    doc.mentions = marked_fill_ins(doc, doc.mentions, filled)
                yield doc

    def add_lexicon_matches(self, doc: AnnotatedDoc, labels: Ents, scores: dict[tuple[int, int], float]
                            ) -> set[tuple[int, int]]:
        """Lexicon matches that overlap no tagged entity, scored by their type's share of the form's readings
        (of the types the tagger's settings name); returns the spans it added."""
        return self.lexicon.fill_in(doc, labels, scores)
