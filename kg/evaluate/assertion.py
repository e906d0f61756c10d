"""Score assertion tagging on NegEx-style sentences, and medspaCy's default rules beside it.

The NegEx files give, per row, a concept, the sentence it occurs in (the concept written in
UPPER CASE) and whether it is Affirmed or Negated. Negated is the positive class, as in the
NegEx and medspaCy papers, so precision says how often "negated" is right and recall how
many real negations are caught. The default-rules baseline is computed in the same run on the
same rows, so a rules change is always judged against it rather than against a remembered
number. medkg's side runs the chain ingestion runs: text analysis of the sentence, then the
assertion tagger over the concept's span (:class:`MedkgAssertion`).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path
from typing import Protocol

import spacy
from medspacy.context import ConText
from medspacy.custom_tokenizer import create_medspacy_tokenizer
from pydantic import BaseModel, ConfigDict

from kg.errors import Errors, SourceError
from kg.extract.assertion import AssertionTagger
from kg.models import Document, Mention, Quarantine
from kg.text.analyzer import TextAnalyzer

REQUIRED_COLUMNS = ("Concept", "Sentence", "Negation")
GOLD_TO_ASSERTION = {"affirmed": "affirmed", "negated": "negated"}


class SentenceTagger(Protocol):
    """Anything scored here: :class:`AssertionTagger` or the medspaCy baseline."""

    name: str

    def tag_sentence(self, sentence: str, span_start: int, span_end: int) -> tuple[str, str | None]: ...


class AssertionExample(BaseModel):
    """One gold row: where the concept is in the sentence and what the annotators said."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    record: str
    concept: str
    sentence: str
    start: int
    end: int
    gold: str


class AssertionMistake(BaseModel):
    """A row the tagger got wrong, with the cue it used: the material for tuning rules."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    record: str
    concept: str
    gold: str
    predicted: str
    cue: str | None
    sentence: str


class AssertionReport(BaseModel):
    """Negation P/R/F1, per-gold-class accuracy and what else the tagger predicted."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tsv: str
    tagger: str
    n: int
    tp: int
    fp: int
    fn: int
    tn: int
    precision: float
    recall: float
    f1: float
    accuracy_by_class: dict[str, float]
    predicted_by_gold: dict[str, dict[str, int]]
    sentences_per_s: float
    errors: tuple[AssertionMistake, ...]
    quarantined: tuple[Quarantine, ...]

    def summary(self) -> str:
        return (
            f"{self.tagger}: n={self.n} P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} "
            f"(tp={self.tp} fp={self.fp} fn={self.fn}) "
            + " ".join(f"acc[{k}]={v:.3f}" for k, v in sorted(self.accuracy_by_class.items()))
            + f" {self.sentences_per_s:.0f} sentences/s"
            + (f" quarantined={len(self.quarantined)}" if self.quarantined else "")
        )


def concept_span(sentence: str, concept: str) -> tuple[int, int] | None:
    """Where ``concept`` sits in ``sentence``: the UPPER-CASE occurrence first, any case after.

    Runs of whitespace inside the concept ("staph   bacteremia") match any whitespace run.
    """
    words = concept.split()
    if not words:
        return None
    body = r"\s+".join(re.escape(w) for w in words)
    left = r"(?<!\w)" if re.match(r"\w", words[0]) else ""
    right = r"(?!\w)" if re.search(r"\w$", words[-1]) else ""
    upper_body = r"\s+".join(re.escape(w.upper()) for w in words)
    for pattern, flags in (
        (left + upper_body + right, 0),
        (left + body + right, re.IGNORECASE),
        (body, re.IGNORECASE),
    ):
        m = re.search(pattern, sentence, flags)
        if m:
            return m.start(), m.end()
    return None


def read_negex_tsv(tsv_path: str | Path) -> tuple[list[AssertionExample], list[Quarantine]]:
    """Parse a NegEx TSV; rows that cannot be scored are quarantined with the reason, not dropped."""
    path = Path(tsv_path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(Errors.E225, path=path, error=exc) from exc
    lines = raw.split(b"\n")
    try:
        header = lines[0].decode("utf-8").rstrip("\r").split("\t")
    except UnicodeDecodeError as exc:
        raise SourceError(Errors.E226, path=path, error=exc) from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise SourceError(Errors.E227, path=path, missing=missing, header=header)
    col = {name: header.index(name) for name in REQUIRED_COLUMNS}
    examples: list[AssertionExample] = []
    quarantined: list[Quarantine] = []
    file = str(path)
    for lineno, line in enumerate(lines[1:], start=2):
        record = f"line {lineno}"
        if not line.strip():
            continue
        try:
            fields = line.decode("utf-8").rstrip("\r").split("\t")
        except UnicodeDecodeError as exc:
            quarantined.append(Quarantine(file=file, record=record, reason=Errors.E390.reason(error=exc)))
            continue
        if len(fields) < len(header):
            quarantined.append(
                Quarantine(
                    file=file,
                    record=record,
                    reason=Errors.E391.reason(count=len(fields), expected=len(header), header="/".join(header)),
                )
            )
            continue
        concept, sentence = fields[col["Concept"]].strip(), fields[col["Sentence"]]
        gold = GOLD_TO_ASSERTION.get(fields[col["Negation"]].strip().lower())
        if gold is None:
            quarantined.append(
                Quarantine(
                    file=file,
                    record=record,
                    reason=Errors.E392.reason(value=fields[col["Negation"]]),
                )
            )
            continue
        span = concept_span(sentence, concept)
        if span is None:
            quarantined.append(
                Quarantine(file=file, record=record, reason=Errors.E393.reason(concept=concept))
            )
            continue
        examples.append(AssertionExample(record=record, concept=concept, sentence=sentence, start=span[0], end=span[1], gold=gold))
    return examples, quarantined


def evaluate_assertion(tsv_path: str | Path, tagger: SentenceTagger) -> AssertionReport:
    """Tag every scorable row of ``tsv_path`` with ``tagger`` and score negation."""
    examples, quarantined = read_negex_tsv(tsv_path)
    return _score(str(tsv_path), tagger, examples, quarantined)


class MedkgAssertion:
    """medkg's chain on one sentence: text analysis, the concept as a mention, the assertion tagger."""

    def __init__(self, tagger: AssertionTagger | None = None, analyzer: TextAnalyzer | None = None) -> None:
        self.tagger = tagger or AssertionTagger()
        self.analyzer = analyzer or TextAnalyzer()
        self.name = f"medkg-assertion-{self.tagger.version}"

    def tag_sentence(self, sentence: str, span_start: int, span_end: int) -> tuple[str, str | None]:
        doc = self.analyzer(Document(id="NEGEX:sentence", source="text", text=sentence))
        sentence_start, sentence_end = doc.sentence_of(span_start, span_end)
        doc.mentions = (Mention(doc_id=doc.id, start=span_start, end=span_end, text=sentence[span_start:span_end],
                                label="Finding", extractor="gold", extractor_version="negex",
                                sentence_start=sentence_start, sentence_end=sentence_end),)
        (mention,) = self.tagger.tag(doc)
        return mention.assertion, mention.assertion_cue


def compare_with_medspacy_defaults(
    tsv_path: str | Path, tagger: AssertionTagger | None = None
) -> tuple[AssertionReport, AssertionReport]:
    """(medkg's rules, medspaCy's default rules) scored on the same parsed rows in one run."""
    examples, quarantined = read_negex_tsv(tsv_path)
    ours = _score(str(tsv_path), MedkgAssertion(tagger), examples, quarantined)
    defaults = _score(str(tsv_path), MedspacyDefaultContext(), examples, quarantined)
    return ours, defaults


class MedspacyDefaultContext:
    """medspaCy's ConText exactly as shipped: default rules, its tokenizer, ``doc.ents`` targets.

    Kept independent of :class:`AssertionTagger` so the baseline cannot drift with our code.
    """

    name = "medspacy-1.3.1-default-context"

    def __init__(self) -> None:
        self._nlp = spacy.blank("en")
        self._nlp.tokenizer = create_medspacy_tokenizer(self._nlp)
        self._context = ConText(self._nlp, rules="default")

    def tag_sentence(self, sentence: str, span_start: int, span_end: int) -> tuple[str, str | None]:
        doc = self._nlp.tokenizer(sentence)
        for i, token in enumerate(doc):
            token.is_sent_start = i == 0
        span = doc.char_span(span_start, span_end, label="FINDING", alignment_mode="expand")
        if span is None:
            return "affirmed", None
        doc.ents = [span]
        self._context(doc)
        target = doc.ents[0]
        for modifier in target._.modifiers:
            if modifier.category == "NEGATED_EXISTENCE":
                return "negated", doc[modifier.modifier_span[0] : modifier.modifier_span[1]].text
        return "affirmed", None


def _score(
    tsv: str,
    tagger: SentenceTagger,
    examples: list[AssertionExample],
    quarantined: list[Quarantine],
) -> AssertionReport:
    counts: Counter[tuple[str, str]] = Counter()
    errors = []
    began = time.perf_counter()
    for ex in examples:
        predicted, cue = tagger.tag_sentence(ex.sentence, ex.start, ex.end)
        counts[(ex.gold, predicted)] += 1
        if (predicted == "negated") != (ex.gold == "negated"):
            errors.append(
                AssertionMistake(
                    record=ex.record, concept=ex.concept, gold=ex.gold, predicted=predicted, cue=cue, sentence=ex.sentence
                )
            )
    elapsed = time.perf_counter() - began
    tp = counts[("negated", "negated")]
    fn = sum(v for (g, p), v in counts.items() if g == "negated" and p != "negated")
    fp = sum(v for (g, p), v in counts.items() if g != "negated" and p == "negated")
    tn = len(examples) - tp - fn - fp
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    by_gold: dict[str, dict[str, int]] = {}
    for (g, p), v in sorted(counts.items()):
        by_gold.setdefault(g, {})[p] = v
    # A gold "Affirmed" concept tagged uncertain or historical is still not negated: NegEx only
    # annotates negation, so accuracy per class compares on the negated/not-negated axis.
    accuracy = {
        g: (sum(v for p, v in row.items() if (p == "negated") == (g == "negated")) / sum(row.values()))
        for g, row in by_gold.items()
    }
    return AssertionReport(
        tsv=tsv,
        tagger=tagger.name,
        n=len(examples),
        tp=tp,
        fp=fp,
        fn=fn,
        tn=tn,
        precision=precision,
        recall=recall,
        f1=f1,
        accuracy_by_class=accuracy,
        predicted_by_gold=by_gold,
        sentences_per_s=len(examples) / elapsed if elapsed > 0 else 0.0,
        errors=tuple(errors),
        quarantined=tuple(quarantined),
    )
