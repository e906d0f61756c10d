"""The rules after the extractor that settle a short form's type from its definition in the text."""

from fakes import Tagger, analyse

from kg.extract.rules import WithRules

TEXT = ("Repetitive transcranial magnetic stimulation (rTMS) did not help von Hippel-Lindau (VHL) disease, "
        "phenylketonuria (PKU) or small vessel disease (SVD), nor did bone mineral density (BMD) predict Parkinson "
        "disease (PD); rTMS, VHL, PKU, SVD, BMD and PD again.")
LABELS = {"rTMS": "Disease", "VHL": "Disease", "PKU": "Disease", "SVD": "Disease", "BMD": "Disease", "PD": "Disease",
          "Parkinson disease": "Disease"}


def test_a_disease_mention_of_a_short_form_defined_as_no_disease_goes():
    def provider():
        return lambda text, type_: (text.lower(), type_) == ("phenylketonuria", "Disease")

    found = [m.text for m in analyse(TEXT, WithRules(Tagger(LABELS), names=provider)).mentions]
    # rTMS and BMD name a procedure and a measurement; VHL starts a disease's name, PKU's long form is a
    # disease name the tagger missed, SVD's ends in a disease's head noun, PD's is a disease mention
    assert found == ["VHL", "PKU", "SVD", "Parkinson disease", "PD", "VHL", "PKU", "SVD", "PD"]
    # without the lexicon's test, a long form the tagger missed is no disease unless its head says so
    found = [m.text for m in analyse(TEXT, WithRules(Tagger(LABELS))).mentions]
    assert found == ["VHL", "SVD", "Parkinson disease", "PD", "VHL", "SVD", "PD"]


def test_a_chemical_mention_of_a_short_form_defined_as_no_chemical_goes_but_a_gene_stays():
    text = ("Combined androgen blockade (CAB) with 3'-azido-3'-deoxythymidine (AZT) and a selective serotonin reuptake "
            "inhibitor (SSRI) raised mean arterial pressure (MAP) and bone mineral density (BMD): "
            "CAB, AZT, SSRI, MAP, BMD.")
    labels = {"CAB": "Chemical", "AZT": "Chemical", "SSRI": "Chemical", "MAP": "Chemical", "BMD": "Gene"}
    found = [m.text for m in analyse(text, WithRules(Tagger(labels))).mentions]
    assert found == ["AZT", "SSRI", "BMD", "AZT", "SSRI", "BMD"]


def test_a_formula_takes_the_subscript_the_tokenizer_split_off():
    text = "CaCl(2)-induced injury and PGE(2) rose; histamine H(3)-receptor and Dylox(2) at 1 kg did not."
    labels = {"CaCl": "Chemical", "PGE": "Chemical", "histamine H": "Chemical", "Dylox": "Chemical"}
    found = [m.text for m in analyse(text, WithRules(Tagger(labels))).mentions]
    assert found == ["CaCl(2)", "PGE(2)", "histamine H", "Dylox"]


def test_a_formula_the_tagger_gives_another_type_is_a_chemical():
    text = "NH4Ac and KCl were added; NIK-247 was not."
    labels = {"NH4Ac": "Gene", "KCl": "Chemical", "NIK-247": "Gene"}
    found = [(m.text, m.label) for m in analyse(text, WithRules(Tagger(labels))).mentions]
    assert found == [("NH4Ac", "Chemical"), ("KCl", "Chemical"), ("NIK-247", "Gene")]


def test_a_disease_mention_takes_the_subtype_written_after_it():
    text = ("SJS  type 1A, von Willebrand disease type B, MPS type IVA and diabetes type 2-like traits; "
            "ataxia type E and the cancer type 1 receptor gene.")
    labels = {"SJS": "Disease", "von Willebrand disease": "Disease", "MPS": "Disease", "diabetes": "Disease",
              "ataxia": "Disease", "cancer": "Disease", "type 1 receptor": "Gene"}
    found = [(m.text, m.label) for m in analyse(text, WithRules(Tagger(labels))).mentions]
    # not a "type 2-like" trait, no subtype letter past D, not over another mention
    assert found == [("SJS  type 1A", "Disease"), ("von Willebrand disease type B", "Disease"),
                     ("MPS type IVA", "Disease"), ("diabetes", "Disease"), ("ataxia", "Disease"),
                     ("cancer", "Disease"), ("type 1 receptor", "Gene")]


def test_a_short_form_the_text_defines_as_a_gene_is_a_gene_unless_the_gene_is_named_after_a_disease():
    text = ("The von Hippel-Lindau tumor suppressor gene (VHL) and the DCC (deleted in colorectal cancer) gene "
            "bind; the adenomatous polyposis coli gene (APC) and the Wilson disease gene (WND) do not. "
            "VHL, DCC, APC and WND again.")
    labels = {"VHL": "Disease", "DCC": "Disease", "APC": "Disease", "WND": "Disease", "von Hippel-Lindau tumor": "Disease",
              "colorectal cancer": "Disease", "adenomatous polyposis coli": "Disease", "Wilson disease": "Disease"}
    found = [(m.text, m.label) for m in analyse(text, WithRules(Tagger(labels))).mentions
             if m.text in ("VHL", "DCC", "APC", "WND")]
    assert found == [("VHL", "Gene"), ("DCC", "Gene"), ("APC", "Disease"), ("WND", "Disease"),
                     ("VHL", "Gene"), ("DCC", "Gene"), ("APC", "Disease"), ("WND", "Disease")]


def test_preload_asks_every_provider_once():
    asked = []

    def provider(kind):
        def make():
            asked.append(kind)
            return lambda *args, **kw: False
        return make

    rules = WithRules(Tagger({"x": "Chemical"}), provider("symbol"), provider("name"), provider("names"),
                      provider("records"))
    rules.preload()
    rules.preload()
    assert asked == ["symbol", "name", "names", "records"]
    analyse("VHL (x) and x.", rules)
    assert asked == ["symbol", "name", "names", "records"]


def test_a_compound_name_the_text_repeats_is_a_chemical_where_no_mention_is():
    text = ("Maltolyl p-coumarate, made from maltol, helped rats: a 10 mg dose of maltolyl p-coumarate and "
            "a 10-fold rise. SM 21 once; maltolyl p-coumarate ester.")
    asked = []

    def records():
        def test(key):
            asked.append(key)
            return key in ("maltolyl p-coumarate", "sm 21", "a 10")
        return test

    found = analyse(text, WithRules(Tagger({"maltolyl p-coumarate ester": "Chemical"}), records=records)).mentions
    assert [(m.text, m.label, m.extractor) for m in found if m.extractor == "record-names"] == [
        ("Maltolyl p-coumarate", "Chemical", "record-names"), ("maltolyl p-coumarate", "Chemical", "record-names")]
    # the third occurrence is inside the tagger's mention; "SM 21" is written once; "a 10" starts with a stop word
    assert [m.text for m in found if m.extractor != "record-names"] == ["maltolyl p-coumarate ester"]
    assert "a 10" not in asked and "sm 21" not in asked and "maltolyl p-coumarate" in asked
    # nothing repeated, nothing asked
    never = []
    analyse("SM 21 helped.", WithRules(Tagger({"x": "Chemical"}), records=lambda: never.append(1) or (lambda key: True)))
    assert never == []


def test_a_shock_given_as_a_stimulus_is_no_disease_in_its_whole_document():
    labels = {"shock": "Disease", "Septic shock": "Disease", "Tail shock": "Disease", "morphine": "Chemical"}

    def tagged(text):
        return [m.text for m in analyse(text, WithRules(Tagger(labels))).mentions]

    # written with a stimulus, or followed by what an experiment does with it: every bare "shock" of the document goes
    assert tagged("Rats learned to avoid electric shock; morphine did not change shock.") == ["morphine"]
    assert tagged("After morphine, responding to lower shock intensity fell.") == ["morphine"]
    assert tagged("Tail shock produced analgesia; shock again.") == []
    assert tagged("After morphine, shock-induced defensive fighting fell.") == ["morphine"]
    # circulatory shock stays, bare or named with its kind
    assert tagged("Septic shock and shock after morphine; shock lasted.") == ["Septic shock", "shock", "morphine",
                                                                              "shock"]


def test_a_word_in_british_spelling_that_names_a_chemical_or_disease_the_tagger_passed_over_is_one():
    known = {("estrogens", "Chemical"), ("estrogen", "Chemical"), ("gonorrhea", "Disease"), ("edema", "Disease"),
             ("oedema", "Disease"), ("tumorigenesis", "Disease"), ("hemangioblastomas", "Disease"),
             ("hemolytic", "Disease")}

    def names():
        return lambda text, type_: (text, type_) in known

    text = ("Oestrogens, oestrogen receptor, gonorrhoea, spinal haemangioblastomas, oedema, haemolytic streptococci, "
            "tumourigenesis and a xyz.")
    found = [(m.text, m.label, m.extractor) for m in analyse(text, WithRules(Tagger({"xyz": "Chemical"}),
                                                                             names=names)).mentions]
    # not before a receptor, after a word that may be part of the name, where the word itself is a name (the
    # tagger's call), an adjective, or a word of "tumour"
    assert found == [("Oestrogens", "Chemical", "spellings"), ("gonorrhoea", "Disease", "spellings"),
                     ("xyz", "Chemical", "tagger")]
    # without the names test the rule does not run
    assert [m.text for m in analyse(text, WithRules(Tagger({"xyz": "Chemical"}))).mentions] == ["xyz"]
