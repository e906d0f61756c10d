from kg.doc import Component
from kg.extract.dictionary import DictionaryExtractor
from kg.extract.rules import WithRules
from kg.vocab.lexicon import Lexicon

from fakes import analyse


def _extractor():
    return DictionaryExtractor(Lexicon.from_entries([("MTHFR", "NCBIGene:4524", "Gene", "t"), ("R215W", None, "Variant", "t")]))


def test_rule_variants_fill_in_where_the_extractor_found_nothing():
    chain = WithRules(_extractor())
    assert isinstance(chain, Component)
    text = "The MTHFR c.677C>T change and R215W were found; C/T and delta 14 sterols were not variants."
    doc = analyse(text, chain)
    found = [(m.text, m.label, m.extractor) for m in doc.mentions]
    assert found == [
        ("MTHFR", "Gene", "dictionary"),
        ("c.677C>T", "Variant", "variant-rules"),
        ("R215W", "Variant", "dictionary"),  # the extractor's span wins: no second mention
    ]
    assert [m.start for m in doc.mentions] == sorted(m.start for m in doc.mentions)
    assert doc.mentions[1].sentence_start == 0 and doc.mentions[1].score == 0.9


def test_the_rules_are_part_of_the_extractors_version_and_settings():
    extractor = _extractor()
    chain = WithRules(extractor)
    assert chain.name == extractor.name and chain.version.startswith(extractor.version + "+variants-")
    assert "+short-form-types-4+" in chain.version and chain.version.endswith("+subtype-1+stimulus-1")  # spans, subtypes, shocks
    assert chain.settings["variant-rules"] == 0.9


def test_a_gene_mention_inside_a_variant_that_cannot_be_a_name_is_that_variant():
    extractor = DictionaryExtractor(Lexicon.from_entries([("DD32", None, "Gene", "t"), ("R215W", None, "Gene", "t")]))
    doc = analyse("The CCR5 DD32 deletion and R215W.", WithRules(extractor))
    assert [(m.text, m.label, m.extractor) for m in doc.mentions] == [
        ("DD32", "Variant", "variant-rules"),
        ("R215W", "Gene", "dictionary"),  # the bare shape is shared with names (S100B, T98G): the extractor's call
    ]


def test_residues_of_a_change_told_in_words_are_no_chemicals():
    lexicon = Lexicon.from_entries([("arginine", "MESH:D001120", "Chemical", "t"), ("glycine", "MESH:D005998", "Chemical", "t"),
                                    ("phenylalanine", "MESH:D010649", "Chemical", "t"), ("tyrosine", "MESH:D014443", "Chemical", "t")])
    text = ("The substitution of a conserved arginine at amino acid position 229 by glycine was found. "
            "Oral arginine lowered blood pressure. The conversion of phenylalanine to tyrosine was normal.")
    doc = analyse(text, WithRules(DictionaryExtractor(lexicon)))
    # the supplement, and a conversion: no word of a sequence change near it
    assert [(m.text, m.label) for m in doc.mentions] == [("arginine", "Chemical"), ("phenylalanine", "Chemical"),
                                                          ("tyrosine", "Chemical")]
    assert doc.mentions[0].start == text.index("Oral") + 5
