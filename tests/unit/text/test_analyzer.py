import pytest

from kg.text.analyzer import analysis_pipeline
from kg.text.sections import header_spans


def test_sentences_do_not_break_after_dosing_abbreviations():
    nlp = analysis_pipeline()
    doc = nlp("Rats received i.v. tobramycin daily. Renal damage followed.")
    assert [s.text for s in doc.sents] == ["Rats received i.v. tobramycin daily.", "Renal damage followed."]


def test_abbreviations_detected_without_a_trained_model():
    nlp = analysis_pipeline()
    doc = nlp("Patients with hereditary hemochromatosis (HH) were seen. HH is common.")
    shorts = [(a.text, a._.long_form.text) for a in doc._.abbreviations]
    # the words whose initials spell the short form, where Schwartz-Hearst's shortest long form whose
    # letters cover it is shorter ("hemochromatosis" has two h's)
    assert shorts == [("HH", "hereditary hemochromatosis")] * 2  # the definition and the later use


def test_a_long_form_is_the_words_whose_initials_spell_the_short_form():
    nlp = analysis_pipeline()
    doc = nlp("Users of combined oral contraceptives (COCs) and insulin-dependent diabetes mellitus (IDDM) "
              "were given lipopolysaccharide (LPS) or puromycin aminonucleoside (PAN), not vitamin D (CALC).")
    assert {a.text: a._.long_form.text for a in doc._.abbreviations} == {
        "COCs": "combined oral contraceptives",  # not "contraceptives", whose letters spell it too
        "IDDM": "insulin-dependent diabetes mellitus",
        "LPS": "lipopolysaccharide", "PAN": "puromycin aminonucleoside",  # no initials to spell them: as found
    }


def test_hyphenated_short_forms_are_defined_too():
    nlp = analysis_pipeline()
    doc = nlp("Serum interleukin-6 (IL-6) rose in rats with gastroenteropancreatic neuroendocrine tumors "
              "(GEP-NETs); IL-6 fell after cyproterone acetate plus ethinylestradiol (CPA/EE).")
    shorts = sorted({(a.text, a._.long_form.text) for a in doc._.abbreviations})
    # scispaCy's filter drops "IL-6" (its token "6" is one character); a coordination stays out
    assert shorts == [("GEP-NETs", "gastroenteropancreatic neuroendocrine tumors"), ("IL-6", "interleukin-6")]
    assert sorted(a.start_char for a in doc._.abbreviations if a.text == "IL-6") == [21, 102]


def test_a_long_form_with_unpaired_parentheses_is_no_definition():
    nlp = analysis_pipeline()
    doc = nlp("We typed matrix metalloproteinases (MMPs) and fibroblast growth factors (FGFs) and their "
              "receptors (FGFR) in infants.")
    assert {a.text: a._.long_form.text for a in doc._.abbreviations} == {
        "MMPs": "matrix metalloproteinases", "FGFs": "fibroblast growth factors"}


def _sentences(text, source="note"):
    from kg.models import Document
    from kg.text.analyzer import TextAnalyzer

    doc = TextAnalyzer()(Document(id="NOTE:1" if source == "note" else "PMID:1", source=source, text=text))
    return doc, [text[s:e].strip() for s, e in doc.sentences]


LIST_NOTE = "ALLERGIES\nNo known drug allergies\n\nPROBLEM LIST\nHypertension\nAsthma\n- Diabetes\n* Gout\n• Anemia"


def test_note_lines_end_sentences_where_punctuation_does_not():
    _, sentences = _sentences(LIST_NOTE)
    assert sentences == ["ALLERGIES", "No known drug allergies", "PROBLEM LIST", "Hypertension", "Asthma",
                         "- Diabetes", "* Gout", "• Anemia"]


def test_a_wrapped_note_line_and_a_numbered_item_stay_whole():
    _, sentences = _sentences("She reports chest pain and\nshortness of breath.\n1. Hypertension\n2.  Asthma")
    assert sentences == ["She reports chest pain and\nshortness of breath.", "1. Hypertension", "2.  Asthma"]


def test_a_note_sentence_never_spans_two_sections():
    text = "FAMILY HISTORY\nmother with breast cancer\npmh: asthma, family history: none\nfhx: colon cancer in father"
    doc, sentences = _sentences(text)
    assert sentences == ["FAMILY HISTORY", "mother with breast cancer", "pmh: asthma, family history: none",
                         "fhx: colon cancer in father"]
    for start, end in doc.sentences:
        assert len({s.label for s in doc.sections if s.start < end and start < s.end}) <= 1


def test_abstracts_are_split_by_punctuation_alone():
    # The NER and relation models were trained on this splitting: a PubMed text keeps it.
    _, sentences = _sentences(LIST_NOTE, source="pubmed")
    assert sentences == [LIST_NOTE]


@pytest.mark.parametrize(("text", "item", "lead"), [
    ("Denies:\n- chest pain\n- nausea\n", "- nausea", "Denies:"),
    ("The patient denies the following:\n1. nausea\n2. vomiting\n", "2. vomiting", "The patient denies the following:"),
    ("Negative for:\nChest pain\nNausea", "Nausea", "Negative for:"),
    ("ROS: Negative for:\n* fever", "* fever", "Negative for:"),  # the header before the lead is no part of it
])
def test_a_list_item_finds_the_lead_line_above_it(text, item, lead):
    from kg.text.analyzer import note_list_lead

    doc = _note_doc(text)
    found = note_list_lead(text, text.index(item), header_spans(text, doc.sections))
    assert found is not None and text[slice(*found)] == lead


@pytest.mark.parametrize(("text", "item"), [
    ("Denies:\n- chest pain\n\n- nausea", "- nausea"),  # a blank line ends the list
    ("Denies:\n- fever\nShe reports a cough.", "She reports"),  # a line of prose is no item
    ("Denies:\n- fever\nPROBLEM LIST\n- asthma", "- asthma"),  # a header opens a section, not a list
    ("Denies: fever. Asthma.", "Asthma"),  # a sentence inside a line is no item
    ("She has asthma\n- gout", "- gout"),  # no lead line
])
def test_a_line_under_no_lead_has_none(text, item):
    from kg.text.analyzer import note_list_lead

    doc = _note_doc(text)
    assert note_list_lead(text, text.index(item), header_spans(text, doc.sections)) is None


def _note_doc(text):
    from kg.models import Document
    from kg.text.analyzer import TextAnalyzer

    return TextAnalyzer()(Document(id="NOTE:1", source="note", text=text))
