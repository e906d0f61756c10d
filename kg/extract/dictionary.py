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

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.vocab import Vocab

from kg.doc import AnnotatedDoc
from kg.extract.spans import Ents, to_mentions
from kg.text.analyzer import analysis_pipeline
from kg.vocab.lexicon import Lexicon, best_type, build_matcher, longest_matches


class LexiconMatcher:
    """The lexicon's forms as one PhraseMatcher over tokens made by ``nlp``'s tokenizer."""

    def __init__(self, lexicon: Lexicon, nlp: Language) -> None:
        self.lexicon = lexicon
        self.strings = nlp.vocab.strings
        self.matcher, self.n_patterns = build_matcher(nlp, lexicon.entries.keys())

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

    def fill_in(self, doc: AnnotatedDoc, labels: Ents, scores: dict[tuple[int, int], float] | None = None) -> None:
        """Add to ``labels`` the matches that overlap none of its spans (those win every overlap);
        with ``scores``, each added match's score there is its type's share of the form's readings."""
        matches, shares = self(doc)
        taken = {i for s, e in labels for i in range(s, e)}
        for (s, e), label in matches.items():
            if not taken.intersection(range(s, e)):
                labels[(s, e)] = label
                if scores is not None:
                    scores[(s, e)] = shares[(s, e)]


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
