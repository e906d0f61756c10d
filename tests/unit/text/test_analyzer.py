from kg.text.analyzer import analysis_pipeline


def test_sentences_do_not_break_after_dosing_abbreviations():
    nlp = analysis_pipeline()
    doc = nlp("Rats received i.v. tobramycin daily. Renal damage followed.")
    assert [s.text for s in doc.sents] == ["Rats received i.v. tobramycin daily.", "Renal damage followed."]


def test_abbreviations_detected_without_a_trained_model():
    nlp = analysis_pipeline()
    doc = nlp("Patients with hereditary hemochromatosis (HH) were seen. HH is common.")
    shorts = [(a.text, a._.long_form.text) for a in doc._.abbreviations]
    # Schwartz-Hearst takes the shortest long form whose letters cover the short form.
    assert shorts == [("HH", "hemochromatosis")] * 2  # the definition and the later use


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
