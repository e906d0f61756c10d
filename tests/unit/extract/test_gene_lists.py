"""Gene-symbol lists: each listed symbol (and its other occurrences) is a gene mention the extractor missed."""

from fakes import Tagger, analyse

from kg.extract.dictionary import DictionaryExtractor
from kg.extract.gene_lists import list_symbols
from kg.extract.rules import WithRules
from kg.vocab.lexicon import Lexicon

SYMBOLS = {"b2m", "ccl7", "cd200", "cd63", "dusp1", "nfkbia", "mmp2", "ie", "hs", "hp", "hm"}


def is_symbol(word: str) -> bool:
    return word.lower() in SYMBOLS


def _counted(test):
    """A rule's provider that gives ``test``, and the list it marks each time it is asked."""
    asked = []

    def provider():
        asked.append(1)
        return test

    return provider, asked


def test_a_list_of_mostly_symbols_names_its_symbols():
    text = "Among the transcripts: b2m, ccl7, cd200, cd63, cdbpd, dusp1 and nfkbia. Ages, sexes, b2m and diet."
    assert list_symbols(text, is_symbol) == {"b2m", "ccl7", "cd200", "cd63", "dusp1", "nfkbia"}


def test_the_item_after_and_counts():
    assert list_symbols("Imprinted genes (b2m, ccl7, cd63 and dusp1) rose.", is_symbol) == {"b2m", "ccl7", "cd63", "dusp1"}
    assert list_symbols("Genes b2m, ccl7, cd63, and dusp1.", is_symbol) == {"b2m", "ccl7", "cd63", "dusp1"}  # serial comma


def test_words_that_introduce_the_items_are_none_of_them():
    assert list_symbols("Cultured in media (ie, b2m, ccl7, cd63, cdbpd).", is_symbol) == {"b2m", "ccl7", "cd63"}


def test_short_lists_and_lists_of_other_words_name_nothing():
    assert list_symbols("We measured b2m, ccl7 and cd63.", is_symbol) == set()  # three items
    assert list_symbols("Age, sex, weight, b2m and cd63 were recorded.", is_symbol) == set()  # 2 of 5 symbols
    assert list_symbols("In C. elegans, HS, HP and HM extracts helped.", is_symbol) == set()  # two letters: no evidence
    # "Ang-(1-7)" is a peptide, not the symbol Ang: without it three items are left
    assert list_symbols("Plasma b2m, ccl7, cd63, and Ang-(1-7) levels.", lambda w: w.lower() in SYMBOLS | {"ang"}) == set()


def test_listed_symbols_become_gene_mentions_everywhere_the_extractor_found_nothing():
    lexicon = Lexicon.from_entries([("mmp2", "NCBIGene:17390", "Gene", "t"), ("cd63", None, "Chemical", "t")])
    provider, asked = _counted(is_symbol)
    chain = WithRules(DictionaryExtractor(lexicon), provider)
    assert analyse("No list here, no symbol.", chain).mentions == () and not asked  # nothing to ask: no vocabulary

    text = "Dependent transcripts were b2m, ccl7, cd63, mmp2, dusp1 and nfkbia. Later, dusp1 and nfkbia rose."
    doc = analyse(text, chain)
    found = [(m.text, m.label, m.extractor, m.start) for m in doc.mentions]
    assert found == [
        ("b2m", "Gene", "gene-lists", text.index("b2m")),
        ("ccl7", "Gene", "gene-lists", text.index("ccl7")),
        ("cd63", "Chemical", "dictionary", text.index("cd63")),  # the extractor's reading wins
        ("mmp2", "Gene", "dictionary", text.index("mmp2")),
        ("dusp1", "Gene", "gene-lists", text.index("dusp1")),
        ("nfkbia", "Gene", "gene-lists", text.index("nfkbia")),
        ("dusp1", "Gene", "gene-lists", text.rindex("dusp1")),  # the same symbol outside the list
        ("nfkbia", "Gene", "gene-lists", text.rindex("nfkbia")),
    ]
    assert asked == [1]
    later = doc.mentions[-1]
    assert (later.sentence_start, later.sentence_end) == doc.sentence_of(later.start, later.end)


def test_the_lists_are_part_of_the_extractors_version_and_settings():
    extractor = DictionaryExtractor(Lexicon.from_entries([("b2m", None, "Gene", "t")]))
    with_lists, without = WithRules(extractor, lambda: is_symbol), WithRules(extractor)
    assert with_lists.version == without.version + "+gene-lists-7"
    assert with_lists.settings["gene-lists"] == {"min_items": 4, "min_share": 0.75, "min_chars": 3, "min_distinct": 4}
    assert without.settings["gene-lists"] is None


def test_a_distinctive_symbol_is_a_gene_wherever_it_stands_but_a_strain_is_none():
    from kg.extract.gene_lists import distinctive_symbols

    symbols = {"setd2", "ciita", "cd-1", "copd", "myd88"}
    text = "Loss of Setd2 and CIITA in CD-1 mice with COPD; MyD88 rose."
    # a letter and a digit, or five capitals; four capitals without a digit are too often an abbreviation
    assert distinctive_symbols(text, lambda w: w.lower() in symbols) == {"Setd2", "CIITA", "CD-1", "MyD88"}
    chain = WithRules(DictionaryExtractor(Lexicon.from_entries([("rose", None, "Chemical", "t")])),
                      lambda: lambda w: w.lower() in symbols)
    found = [(m.text, m.label, m.extractor) for m in analyse(text, chain).mentions]
    assert found == [("Setd2", "Gene", "gene-lists"), ("CIITA", "Gene", "gene-lists"), ("MyD88", "Gene", "gene-lists"),
                     ("rose", "Chemical", "dictionary")]  # "CD-1 mice" is a strain


def test_a_gene_named_after_a_chemical_or_a_disease_is_a_gene_mention_over_the_whole_name():
    names = {"dopamine transporter", "cystic fibrosis transmembrane conductance regulator", "histamine h(3)-receptor"}
    lexicon = Lexicon.from_entries([("dopamine", None, "Chemical", "t"), ("cystic fibrosis", None, "Disease", "t"),
                                    ("histamine H", None, "Chemical", "t"), ("glycine", None, "Chemical", "t")])
    provider, asked = _counted(lambda text: text.lower() in names)

    chain = WithRules(DictionaryExtractor(lexicon), gene_names=provider)
    text = ("Cocaine blocks the dopamine transporter; the cystic fibrosis transmembrane conductance regulator and "
            "the histamine H(3)-receptor were studied, glycine receptor too, and dopamine levels fell.")
    found = [(m.text, m.label, m.extractor) for m in analyse(text, chain).mentions]
    # the chemical or disease stays (BC5CDR annotates it); "glycine receptor" is no name here
    assert found == [
        ("dopamine", "Chemical", "dictionary"), ("dopamine transporter", "Gene", "gene-lists"),
        ("cystic fibrosis", "Disease", "dictionary"),
        ("cystic fibrosis transmembrane conductance regulator", "Gene", "gene-lists"),
        ("histamine H", "Chemical", "dictionary"), ("histamine H(3)-receptor", "Gene", "gene-lists"),
        ("glycine", "Chemical", "dictionary"), ("dopamine", "Chemical", "dictionary"),
    ]
    assert asked == [1]
    # unpaired brackets are no name: "(ATP binding cassette) transporters"
    assert [m.label for m in analyse("The (dopamine transporter) rose.", chain).mentions] == ["Chemical", "Gene"]
    assert [m.label for m in analyse("In (dopamine) transporter studies.", chain).mentions] == ["Chemical"]


def test_t_helper_subsets_and_chromosome_bands_are_no_genes():
    lexicon = Lexicon.from_entries([(w, None, "Gene", "t") for w in ("Th1", "TH17", "Xp11", "11q23.3", "TP53", "p21")])
    text = "Th1 and TH17 cells; linkage to Xp11 and 11q23.3; TP53 and p21 rose."
    found = [m.text for m in analyse(text, WithRules(DictionaryExtractor(lexicon))).mentions]
    assert found == ["TP53", "p21"]


def test_a_gene_that_names_a_deficiency_disease_becomes_a_disease_mention_over_the_whole():
    lexicon = Lexicon.from_entries([(w, None, "Gene", "t") for w in ("G6PD", "ASPA", "C7", "Atm", "TAK1", "APRT")]
                                   + [("anaemia", None, "Disease", "t")])
    diseases = Lexicon.from_entries([(w, None, "Disease", "t") for w in
                                     ("G6PD deficiency", "ASPA deficiency", "C7 deficiency", "ATM deficiency")])
    provider, asked = _counted(diseases.reads_as)

    chain = WithRules(DictionaryExtractor(lexicon), names=provider)
    text = ("G6PD deficiency and deficiency of the ASPA were seen in C7-deficient patients, not in Atm-deficient "
            "mice nor with TAK1 deficiency; G6PD rose and APRT deficiency anaemia fell.")
    found = [(m.text, m.label, m.extractor) for m in analyse(text, chain).mentions]
    assert found == [
        ("G6PD deficiency", "Disease", "gene-lists"), ("deficiency of the ASPA", "Disease", "gene-lists"),
        ("C7-deficient", "Disease", "gene-lists"),
        ("Atm", "Gene", "dictionary"),  # a knockout
        ("TAK1", "Gene", "dictionary"),  # no disease the lexicon knows
        ("G6PD", "Gene", "dictionary"),  # no deficiency after it
        ("APRT", "Gene", "dictionary"),  # "APRT deficiency" is no known disease here
        ("anaemia", "Disease", "dictionary"),
    ]
    assert asked == [1]
    # where the extractor found the disease already, the gene inside it is left as it is
    lexicon_with = Lexicon.from_entries([("G6PD", None, "Gene", "t"), ("deficiency", None, "Disease", "t")])
    found = analyse("G6PD deficiency.", WithRules(DictionaryExtractor(lexicon_with), names=provider)).mentions
    assert [(m.text, m.label) for m in found] == [("G6PD", "Gene"), ("deficiency", "Disease")]
    # without the test the rule does not run
    assert [m.label for m in analyse("G6PD deficiency.", WithRules(DictionaryExtractor(lexicon))).mentions] == ["Gene"]


def test_a_route_of_administration_and_a_short_form_defined_as_a_process_or_a_cell_are_no_genes():
    text = ("Sildenafil (1.4 mg/kg ip) blocked IP. Epithelial-mesenchymal transition (EMT) of fibroblast-like "
            "synoviocytes (FLSs) needs TNFR-associated factor 2 (TRAF2); EMT, FLSs and TRAF2 rose, and so did "
            "systolic blood pressure (SBP).")
    tagger = Tagger(dict.fromkeys(("ip", "IP", "EMT", "FLSs", "TRAF2", "SBP"), "Gene"))
    assert len(analyse(text, tagger).mentions) == 9
    found = [m.text for m in analyse(text, WithRules(tagger)).mentions]
    assert found == ["IP", "TRAF2", "TRAF2"]
