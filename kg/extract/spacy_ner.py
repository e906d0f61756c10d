"""The CPU tier: a spaCy NER pipeline that medkg trains itself (``kg.train.ner``).

The model directory is a plain spaCy pipeline (``meta.json``, ``config.cfg``, weights). Its
tokenizer is :func:`bio_tokenizer`: spaCy's English rules split "naloxone-induced" but not
"Diazepam-", "EPOR-" or "AmB.", so 1.3% of BC5CDR and 3.3% of BioRED training mentions start
or end inside a token and no tagger over those tokens can ever find them; the extra rules cut
that to 0.1% and 1.0%. The function is registered under a spaCy registry name because the
model's config names it, so importing this module is what makes the model loadable.

At load time the sentencizer and the abbreviation detector of :func:`kg.nlp.blank_pipeline`
are added after the NER, so mentions carry sentence offsets and a short form defined in the
text ("5-fluorouracil (5-FU)") takes the type of its long form, as in the dictionary
extractor.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from kg.errors import ModelError
from kg.link.lexicon import Lexicon
from kg.models import ENTITY_TYPES, Document, DocumentMentions, Mention
from kg.nlp import blank_pipeline

# Hyphen, slash or plus between a word or ")" and a letter ("5-FU-induced", "A(1)-adenosine"),
# hyphen or slash between a letter and a digit ("IL-2" -> "IL" "-" "2"), and brackets.
_EXTRA_INFIXES = (
    r"(?<=[0-9A-Za-z)\]])[-/+](?=[A-Za-z])",
    r"(?<=[A-Za-z])[-/](?=[0-9])",
    r"[()\[\]]",
)
# A trailing "-" ("Diazepam-, scopolamine- and ...") and a full stop after any letter or
# digit ("... of AmB."), which English rules keep on all-caps tokens as if they were initials.
_EXTRA_SUFFIXES = (r"-", r"(?<=[A-Za-z0-9])\.")


@spacy.registry.tokenizers("medkg.bio_tokenizer.v1")
def bio_tokenizer() -> Callable[[Language], Tokenizer]:
    """spaCy's English tokenizer plus the splits above (registry name used by the model config)."""
    return make_bio_tokenizer


def make_bio_tokenizer(nlp: Language) -> Tokenizer:
    defaults = nlp.Defaults
    return Tokenizer(
        nlp.vocab,
        rules=defaults.tokenizer_exceptions,
        prefix_search=compile_prefix_regex(defaults.prefixes).search,
        suffix_search=compile_suffix_regex(list(defaults.suffixes) + list(_EXTRA_SUFFIXES)).search,
        infix_finditer=compile_infix_regex(list(defaults.infixes) + list(_EXTRA_INFIXES)).finditer,
        token_match=defaults.token_match,
        url_match=defaults.url_match,
    )


def model_version(path: Path, meta: dict) -> str:
    """``name-version-hash``: the hash covers the weights, so retraining changes the version."""
    digest = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file() and p.name != "MODEL_CARD.md"):
        digest.update(f.relative_to(path).as_posix().encode())
        digest.update(f.read_bytes())
    return f"{meta.get('name', 'model')}-{meta.get('version', '0')}-{digest.hexdigest()[:12]}"


def load_pipeline(path: str | Path) -> tuple[Language, str]:
    """The trained pipeline plus medkg's sentence splitter and abbreviation detector, and its version."""
    path = Path(path)
    meta_file = path / "meta.json"
    if not meta_file.is_file():
        raise ModelError(f"{path} is not a spaCy model directory (no meta.json)")
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        nlp = spacy.load(path)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"cannot load the spaCy NER model in {path}: {exc}") from exc
    if "ner" not in nlp.pipe_names:
        raise ModelError(f"the spaCy model in {path} has no 'ner' component (it has {nlp.pipe_names})")
    # The components of kg.nlp.blank_pipeline, so both extractors split sentences and find
    # abbreviations alike.
    template = blank_pipeline()
    for name in template.pipe_names:
        if name not in nlp.pipe_names:
            config = {k: v for k, v in template.config["components"][name].items() if k != "factory"}
            nlp.add_pipe(template.get_pipe_meta(name).factory, name=name, config=config)
    return nlp, model_version(path, meta)


class SpacyNerExtractor:
    """Extractor over a trained spaCy pipeline (the CPU tier).

    With a ``lexicon``, dictionary matches that overlap no predicted entity are added (the
    model wins every overlap). The model misses rare names it never saw in training
    ("etoricoxib", "piperacillin") that MeSH and the training corpora list; the lexicon
    misses what context reveals. On the BC5CDR development abstracts that are in no training
    split the union scores 2 points F1 above the model alone (see models/ner-cpu/MODEL_CARD.md).
    """

    name = "spacy-ner"

    def __init__(self, model: str | Path, *, lexicon: Lexicon | None = None) -> None:
        self.path = Path(model)
        self.nlp, self.version = load_pipeline(self.path)
        self.dictionary = None
        if lexicon is not None:
            from kg.extract.dictionary import DictionaryExtractor

            self.dictionary = DictionaryExtractor(lexicon, nlp=self.nlp)
            self.version = f"{self.version}+{self.dictionary.version}"

    def extract(self, docs: Iterable[Document], batch_size: int = 256) -> Iterator[DocumentMentions]:
        pairs = ((d.text, d) for d in docs)
        for sdoc, document in self.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
            yield DocumentMentions(document=document, mentions=tuple(self._mentions(sdoc, document.id)))

    def _mentions(self, doc: Doc, doc_id: str) -> list[Mention]:
        ents = {(e.start, e.end): e.label_ for e in doc.ents if e.label_ in ENTITY_TYPES}
        if self.dictionary is not None:
            self._add_lexicon_matches(doc, ents)
        return to_mentions(doc, doc_id, ents, self.name, self.version)

    def _add_lexicon_matches(self, doc: Doc, ents: dict[tuple[int, int], str]) -> None:
        from kg.extract.dictionary import _best_type, longest_matches

        strings = self.nlp.vocab.strings
        forms: dict[tuple[int, int], str] = {}
        for key, s, e in self.dictionary.matcher(doc):
            forms.setdefault((s, e), strings[key])
        # Short forms are left to inherit_abbreviation_types: "CI" is a lexicon form, but
        # not where it abbreviates "confidence interval".
        shorts = {(a.start, a.end) for a in doc._.abbreviations}
        taken = {i for s, e in ents for i in range(s, e)}
        for s, e in longest_matches((0, s, e) for s, e in forms):
            if (s, e) not in shorts and not taken.intersection(range(s, e)):
                ents[(s, e)] = _best_type(self.dictionary.lexicon.entries[forms[(s, e)]])[0]


def to_mentions(
    doc: Doc, doc_id: str, ents: dict[tuple[int, int], str], extractor: str, version: str
) -> list[Mention]:
    """Mentions for token spans ``(start, end) -> type``, after abbreviation types are settled."""
    inherit_abbreviation_types(doc, ents)
    mentions = []
    for (s, e), label in sorted(ents.items()):
        span = doc[s:e]
        sent = span[0].sent
        mentions.append(
            Mention(
                doc_id=doc_id,
                start=span.start_char,
                end=span.end_char,
                text=span.text,
                label=label,
                extractor=extractor,
                extractor_version=version,
                sentence_start=sent.start_char,
                sentence_end=sent.end_char,
            )
        )
    return mentions


def inherit_abbreviation_types(doc: Doc, ents: dict[tuple[int, int], str]) -> None:
    """Give every occurrence of a defined short form the type of the entity ending its long form.

    The model often tags a long form ("spontaneously hypertensive rats") but misses or mistypes
    the bare short form later ("SHR"); the definition in the text settles it. A short form
    whose long form is not an entity is left as the model tagged it.
    """
    by_long: dict[tuple[int, int], list[Span]] = {}
    for short in doc._.abbreviations:
        long = short._.long_form
        by_long.setdefault((long.start, long.end), []).append(short)
    for (l_start, l_end), shorts in by_long.items():
        short_spans = {(x.start, x.end) for x in shorts}
        # The widest entity inside the long form that ends it: the detector may include a
        # leading word ("... in hypertensive rats (SHR)"). An entity that starts before the
        # long form is not used: on NCBI-disease dev that costs 1.2 points F1, mostly gene
        # names in disease phrases ("adenomatous polyposis coli (APC)").
        inside = [se for se in ents if l_start <= se[0] and se[1] == l_end and se not in short_spans]
        if not inside:
            continue
        label = ents[min(inside)]
        for short in shorts:
            span = (short.start, short.end)
            for other in [o for o in ents if o[0] < span[1] and span[0] < o[1]]:
                del ents[other]
            ents[span] = label
