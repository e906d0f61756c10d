"""The dictionary baseline: every lexicon form found in the tokens, longest match first.

spaCy's ``PhraseMatcher(attr="LOWER")`` rather than an ``EntityRuler``: with ~100k
patterns the ruler is about ten times slower, and we need the match key (the lexicon form)
anyway to look up its types. Each match's key is the form itself, so a hit maps straight
back to its lexicon readings.

Abbreviations come from the text analysis: a lexicon match on a short form is dropped ("CI"
for confidence interval is not a mention, even if the lexicon knows it); a short form whose
long form is an entity takes that entity's type (:func:`kg.extract.spans.inherit_abbreviation_types`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator

from spacy.language import Language
from spacy.vocab import Vocab

from kg.doc import AnnotatedDoc
from kg.extract.spans import Ents, to_mentions
from kg.models import FILL_IN, Mention
from kg.text.analyzer import analysis_pipeline
from kg.vocab.lexicon import ANION, CATIONS, Lexicon, best_type, build_matcher, longest_matches

_CATION = re.compile(CATIONS, re.IGNORECASE)
FILL_IN_VERSION = "fill-in-2"  # LexiconMatcher.fill_in; 2: not the cation word of a salt


class LexiconMatcher:
    """The lexicon's forms as one PhraseMatcher over tokens made by ``nlp``'s tokenizer; with ``types``,
    only the forms whose best type is one of them (2,362 of 79,434 forms for chemicals: built in 0.3 s
    rather than 8 s, which every process that loads the extractor pays)."""

    def __init__(self, lexicon: Lexicon, nlp: Language, types: Collection[str] | None = None) -> None:
        self.lexicon = lexicon
        self.strings = nlp.vocab.strings
        self.version = f"lex-{lexicon.hash[:12]}+{FILL_IN_VERSION}"  # of what fill_in adds
        forms = [f for f, readings in lexicon.entries.items() if types is None or best_type(readings)[0] in types]
        self.matcher, self.n_patterns = build_matcher(nlp, forms)

    def __call__(self, doc: AnnotatedDoc) -> tuple[Ents, dict[tuple[int, int], float]]:
        """Longest non-overlapping matches, short forms left out, with their best type and its share."""
        forms: dict[tuple[int, int], str] = {}
        for key, s, e in self.matcher(doc.tokens):
            forms.setdefault((s, e), self.strings[key])
        shorts = {(a.start, a.end) for a in doc.tokens._.abbreviations}
        ents: Ents = {}
        scores: dict[tuple[int, int], float] = {}
        for span in longest_matches((0, s, e) for s, e in forms):
            if span not in shorts:
                ents[span], scores[span] = best_type(self.lexicon.entries[forms[span]])
        return ents, scores

    def fill_in(self, doc: AnnotatedDoc, labels: Ents, scores: dict[tuple[int, int], float] | None = None
                ) -> set[tuple[int, int]]:
        """Add to ``labels`` the matches that overlap none of its spans (those win every overlap); with
        ``scores``, each added match's score there is its type's share of the form's readings. Returns the
        spans added.

        A tagger has read the context and left these words out, so two kinds of form are not added: a
        letters-only word of up to three letters, which a lexicon knows in several senses ("GOT", "ADR",
        "TH", "ISO"; a short form the document defines is another matter, see the module's docstring), and
        an adjective in "-ergic" ("serotonergic" is a property of a drug, not a substance). Nor is the cation
        word of a salt whose anion word the tagger left out: the "sodium" of "sodium dipropylacetate" is no
        mention of Sodium.
        """
        matches, shares = self(doc)
        taken = {i for s, e in labels for i in range(s, e)}
        added = set()
        for (s, e), label in matches.items():
            text = doc.tokens[s:e].text
            if (len(text) <= 3 and text.isalpha()) or text.lower().endswith("ergic") or _cation_of_a_salt(doc, s, e):
                continue
            if not taken.intersection(range(s, e)):
                labels[(s, e)] = label
                added.add((s, e))
                if scores is not None:
                    scores[(s, e)] = shares[(s, e)]
        return added


def _cation_of_a_salt(doc: AnnotatedDoc, start: int, end: int) -> bool:
    """Tokens ``start:end`` are a cation word followed by an anion word ("sodium dipropylacetate")."""
    return (end - start == 1 and end < len(doc.tokens) and _CATION.fullmatch(doc.tokens[start].text) is not None
            and ANION.fullmatch(doc.tokens[end].text) is not None)


def marked_fill_ins(doc: AnnotatedDoc, mentions: tuple[Mention, ...], spans: set[tuple[int, int]]) -> tuple[Mention, ...]:
    """``mentions`` with those over the token ``spans`` that :meth:`LexiconMatcher.fill_in` added marked as
    its (``extractor`` :data:`~kg.models.FILL_IN`)."""
    chars = {(doc.tokens[s:e].start_char, doc.tokens[s:e].end_char) for s, e in spans}
    return tuple(m.model_copy(update={"extractor": FILL_IN}) if (m.start, m.end) in chars else m for m in mentions)


class DictionaryExtractor:
    """Extractor over a :class:`Lexicon`; ``version`` changes whenever the lexicon does."""

    name = "dictionary"

    def __init__(self, lexicon: Lexicon, nlp: Language | None = None) -> None:
        nlp = nlp or analysis_pipeline()
        self.lexicon = lexicon
        self.version = f"lex-{lexicon.hash[:12]}"
        self.vocab: Vocab = nlp.vocab
        self.match = LexiconMatcher(lexicon, nlp)

    @property
    def settings(self) -> dict[str, object]:
        return {}

    def pipe(self, docs: Iterable[AnnotatedDoc], batch_size: int = 256) -> Iterator[AnnotatedDoc]:
        for doc in docs:
            ents, scores = self.match(doc)
            doc.mentions = to_mentions(doc, ents, self.name, self.version, scores, reach_before_long_form=True)
            yield doc
