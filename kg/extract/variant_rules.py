"""Sequence variants the extractor missed, found by the rules of :mod:`kg.vocab.variants`.

Variant names are regular ("c.677C>T", "Arg215Trp", "-1082(G/A)") but rare in training text,
so a statistical tagger misses many. :func:`fill_variants` runs after the extractor
(:class:`kg.extract.rules.WithRules`): the rules' variants (those that stand alone, with a
position) that overlap no mention the extractor found are added (the extractor's spans win
where both speak), marked ``extractor="variant-rules"``. Two readings of the extractor's are
corrected first: a gene mention inside a variant that cannot be a name ("DD32") gives way to
the variant, and a chemical that is a residue of a change told in words ("arginine at amino
acid position 229 by glycine") is dropped.
"""

from __future__ import annotations

from kg.doc import AnnotatedDoc
from kg.extract.spans import rule_mention, with_added
from kg.models import Mention, overlaps_any
from kg.vocab.variants import FORMAT_VERSION, change_phrases, find_variants, not_a_name, stands_alone

RULE_SCORE = 0.9  # what a fill-in mention carries; the linker scores its id separately
RULES = "variant-rules"


def fill_variants(doc: AnnotatedDoc) -> tuple[Mention, ...]:
    """The document's mentions and the rules' variants that overlap none of them, by offset; a
    gene mention that lies inside a rule variant that cannot be a name ("DD32") is that variant,
    and a chemical that is a residue of a change told in words ("arginine ... by glycine") is none.
    The scan is kept on the document (``doc.variants``) for the linker, which would repeat it."""
    variants = find_variants(doc.text)
    doc.variants = tuple(variants)
    regenes = [(v.start, v.end) for v in variants if not_a_name(v)]
    phrases = change_phrases(doc.text)
    kept = tuple(m for m in doc.mentions
                 if not (m.label == "Gene" and any(s <= m.start and m.end <= e for s, e in regenes))
                 and not (m.label == "Chemical" and any(s <= m.start and m.end <= e for s, e in phrases)))
    taken = [(m.start, m.end) for m in kept]
    added = []
    for v in variants:
        if not stands_alone(v) or overlaps_any(v.start, v.end, taken):
            continue
        added.append(rule_mention(doc, v.start, v.end, "Variant", RULES, FORMAT_VERSION, RULE_SCORE))
    return with_added(kept, added)
