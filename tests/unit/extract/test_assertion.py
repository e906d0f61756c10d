import json

import pytest

from kg.errors import ConfigError
from kg.evaluate.assertion import MedkgAssertion
from kg.extract.assertion import AssertionTagger, CueFilter
from kg.models import Document, Mention, Section
from kg.text.analyzer import TextAnalyzer

ANALYZER = TextAnalyzer()


@pytest.fixture(scope="module")
def tagger():
    return AssertionTagger()


def tag(tagger, sentence, concept):
    start = sentence.index(concept)
    return MedkgAssertion(tagger, ANALYZER).tag_sentence(sentence, start, start + len(concept))


def analysed(document, mentions):
    doc = ANALYZER(document)
    doc.mentions = tuple(mentions)
    return doc


@pytest.mark.parametrize(
    ("sentence", "concept", "expected"),
    [
        ("The patient denies chest pain.", "chest pain", "negated"),
        ("Rule out pneumonia.", "pneumonia", "uncertain"),
        ("Her mother had breast cancer.", "breast cancer", "family"),
        ("History of MI in 2010.", "MI", "historical"),
        ("Call the clinic if she develops fever.", "fever", "hypothetical"),
        ("No association was found between smoking and asthma.", "smoking", "negated"),
        ("No association was found between smoking and asthma.", "asthma", "negated"),
        ("Not only fever but also cough was reported.", "fever", "affirmed"),
        ("The patient has pneumonia.", "pneumonia", "affirmed"),
        ("There is no family history of diabetes.", "diabetes", "negated"),  # an abstract's reading; a note's: family
        ("Doppler of the lower extremities negative   for DVT.", "DVT", "negated"),
        ("No edema, but there is a rash.", "rash", "affirmed"),
        ("Pneumonia cannot be excluded.", "Pneumonia", "uncertain"),
        ("Cannot rule out pneumonia.", "pneumonia", "uncertain"),
        ("Cannot exclude appendicitis.", "appendicitis", "uncertain"),
        ("Could not rule out sepsis.", "sepsis", "uncertain"),
        ("Myocardial infarction not excluded.", "Myocardial infarction", "uncertain"),
        ("Depression is not present.", "Depression", "negated"),
        ("Hepatitis C: negative.", "Hepatitis C", "negated"),
        ("Hypertension: absent.", "Hypertension", "negated"),
        ("Anemia: denies.", "Anemia", "negated"),
        ("Anemia: denies", "Anemia", "negated"),  # a note's line ends without a stop
        ("Anemia: denies\n", "Anemia", "negated"),
        ("Nausea - no", "Nausea", "negated"),  # a field answer after a dash
        ("Chest pain – denies.", "Chest pain", "negated"),
        ("Nausea - no vomiting.", "Nausea", "affirmed"),  # "no" reads forward, to vomiting
        ("ROS: negative for fever, chills, night sweats, or fatigue.", "fatigue", "negated"),
        ("Constitutional: Denies fever, chills, or weight loss.", "weight loss", "negated"),
        ("Denies headache, reports nausea.", "headache", "negated"),
        ("Denies headache, reports nausea.", "nausea", "affirmed"),
        ("He has no fever and has a cough.", "cough", "affirmed"),
        ("She denies that she has chest pain.", "chest pain", "negated"),
        ("She should call if she has fever.", "fever", "hypothetical"),  # a new verb ends only a negation
    ],
)
def test_sentence_classes(tagger, sentence, concept, expected):
    assertion, cue = tag(tagger, sentence, concept)
    assert assertion == expected
    assert (cue is None) == (expected == "affirmed")


def test_cue_is_the_matched_text(tagger):
    assert tag(tagger, "She denies chest pain.", "chest pain") == ("negated", "denies")


def test_cue_inside_the_concept_does_not_negate_it(tagger):
    # NegEx annotates such whole-phrase concepts as Affirmed; medspaCy's overlap check misses it.
    assert tag(tagger, "The lungs show no opacities.", "lungs show no opacities")[0] == "affirmed"


def test_assess_reports_scope_in_original_offsets(tagger):
    sentence = "She   denies chest pain."
    (result,) = tagger.assess(sentence, [(sentence.index("chest"), sentence.index("."))])
    assert sentence[slice(*result.cue_span)] == "denies"
    assert sentence[slice(*result.scope)].startswith("chest pain")


def test_an_unwritten_stop_is_no_part_of_the_cue(tagger):
    sentence = "Anemia: denies  "
    (result,) = tagger.assess(sentence, [(0, 6)])
    assert result.assertion == "negated"
    assert sentence[slice(*result.cue_span)] == ": denies"
    assert result.cue_span[1] <= len(sentence.rstrip()) + 1


def test_note_lines_without_stops_each_answer_their_own_field(tagger):
    text = "REVIEW OF SYSTEMS\nAnemia: denies\nAsthma: yes\n"
    mentions = [_mention("note:2", text, "Anemia"), _mention("note:2", text, "Asthma")]
    anemia, asthma = tagger.tag(analysed(Document(id="note:2", source="note", text=text), mentions))
    assert (anemia.assertion, anemia.assertion_cue) == ("negated", ": denies")
    assert asthma.assertion == "affirmed"


def _mention(doc_id, text, phrase, **kw):
    start = text.index(phrase)
    return Mention(
        doc_id=doc_id, start=start, end=start + len(phrase), text=phrase, label="Finding",
        extractor="test", extractor_version="0", **kw,
    )


def test_tag_document_uses_the_analysers_sentences_and_keeps_order(tagger):
    text = "She denies chest pain. She has a cough."
    mentions = [_mention("note:1", text, "cough"), _mention("note:1", text, "chest pain")]
    cough, pain = tagger.tag(analysed(Document(id="note:1", source="note", text=text), mentions))
    assert (cough.text, cough.assertion, cough.assertion_cue) == ("cough", "affirmed", None)
    assert (pain.assertion, pain.assertion_cue) == ("negated", "denies")


def test_given_sentence_offsets_are_the_scope(tagger):
    text = "No fever; cough present"
    doc = Document(id="note:2", source="note", text=text)
    m = _mention("note:2", text, "cough", sentence_start=10, sentence_end=len(text))
    assert tagger.tag(analysed(doc, [m]))[0].assertion == "affirmed"
    whole = m.model_copy(update={"sentence_start": 0})
    assert tagger.tag(analysed(doc, [whole]))[0].assertion == "negated"


def test_sections_make_family_and_historical(tagger):
    text = "FAMILY HISTORY\nBreast cancer.\nPAST MEDICAL HISTORY\nHypertension. No diabetes.\nPLAN\nCough."
    fh, pmh, plan = text.index("FAMILY"), text.index("PAST"), text.index("PLAN")
    doc = Document(
        id="note:3", source="note", text=text,
        sections=(
            Section(label="family_history", start=fh, end=pmh - 1),
            Section(label="past_medical_history", start=pmh, end=plan - 1),
            Section(label="plan", start=plan, end=len(text)),
        ),
    )
    phrases = ["Breast cancer", "Hypertension", "diabetes", "Cough"]
    lines = [(text.index(p), text.index("\n", text.index(p)) if "\n" in text[text.index(p):] else len(text))
             for p in phrases]  # each finding's line as its sentence, so no header is read as a cue
    tagged = tagger.tag(analysed(doc, [_mention("note:3", text, p, sentence_start=text.rfind("\n", 0, s) + 1,
                                                sentence_end=e) for p, (s, e) in zip(phrases, lines)]))
    assert [(m.assertion, m.section) for m in tagged] == [
        ("family", "family_history"),
        ("historical", "past_medical_history"),
        ("negated", "past_medical_history"),
        ("affirmed", "plan"),
    ]
    assert tagged[0].assertion_cue == "section:family_history"


def test_pipe_streams_every_document(tagger):
    docs = []
    for i, text in enumerate(["No fever.", "Fever."]):
        docs.append(analysed(Document(id=f"note:{i}", source="note", text=text), [_mention(f"note:{i}", text, "ever")]))
    out = list(tagger.pipe(iter(docs)))
    assert [o.id for o in out] == ["note:0", "note:1"]
    assert [o.mentions[0].assertion for o in out] == ["negated", "affirmed"]


def test_sentences_without_a_possible_cue_skip_context(tagger, monkeypatch):
    cues = CueFilter(tagger.rules)
    assert cues.select("She denies pain.") and cues.select("It doesn't hurt.")
    # its pattern takes "denies"; a token the filter cannot read ("declined 20%"'s number, "free radicals"'s
    # word after "free") requires nothing, so those rules are found through their plain words
    assert {tagger.rules[i].literal for i in cues.select("She denies pain.")} == {"deny"}
    assert "free radicals" in {tagger.rules[i].literal for i in cues.select("Oxygen free radicals rose.")}
    assert not cues.select("Fever rose after dosing.") and not cues.select("Lungs clear.")
    monkeypatch.setattr(tagger, "_context", None)  # would fail if called
    assert tag(tagger, "Fever rose after dosing.", "Fever") == ("affirmed", None)


def test_bad_rules_file_names_the_rule(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"version": "x", "context_rules": [{"literal": "nope", "category": "WRONG"}]}))
    with pytest.raises(ConfigError, match="rule 0 \\('nope'\\)"):
        AssertionTagger(path)
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="rules.json"):
        AssertionTagger(path)
    # a token pattern spaCy's Matcher would refuse is refused when the file is read, not at the first
    # sentence that selects the rule (which would quarantine every document with such a sentence)
    bad = {"literal": "no", "pattern": [{"LOWERCASE": "no"}], "category": "NEGATED_EXISTENCE", "direction": "FORWARD"}
    path.write_text(json.dumps({"version": "x", "context_rules": [bad]}))
    with pytest.raises(ConfigError, match="E135.*rule 0 \\('no'\\).*LOWERCASE"):
        AssertionTagger(path)


def test_custom_rules_file_is_used(tmp_path):
    path = tmp_path / "rules.json"
    rule = {"literal": "zilch", "category": "NEGATED_EXISTENCE", "direction": "FORWARD"}
    path.write_text(json.dumps({"version": "9", "context_rules": [rule]}))
    custom = AssertionTagger(path)
    assert custom.version == "9"
    assert tag(custom, "zilch fever", "fever") == ("negated", "zilch")
    assert tag(custom, "no fever", "fever") == ("affirmed", None)


def _note(tagger, text, phrases):
    """Tag ``phrases`` of a note the way ingestion does: its own sentences and sections."""
    doc = ANALYZER(Document(id="NOTE:1", source="note", text=text))
    doc.mentions = tuple(_mention("NOTE:1", text, p) for p in phrases)
    return {m.text: (m.assertion, m.section) for m in tagger.tag(doc)}


def test_a_negation_does_not_reach_the_next_list_section(tagger):
    text = "ALLERGIES\nNo known drug allergies\n\nPROBLEM LIST\nHypertension\nAsthma"
    assert _note(tagger, text, ["Hypertension", "Asthma"]) == {
        "Hypertension": ("affirmed", "problem_list"), "Asthma": ("affirmed", "problem_list")}


def test_a_family_section_does_not_reach_the_assessment(tagger):
    text = "FAMILY HISTORY\nMother - breast cancer\n\nASSESSMENT\nPneumonia\nSepsis"
    assert _note(tagger, text, ["breast cancer", "Pneumonia", "Sepsis"]) == {
        "breast cancer": ("family", "family_history"), "Pneumonia": ("affirmed", "assessment"),
        "Sepsis": ("affirmed", "assessment")}


def test_header_words_are_no_cues(tagger):
    text = "Social History: Patient has asthma. No alcohol.\nFamily History: Mother with diabetes."
    assert _note(tagger, text, ["asthma", "alcohol", "diabetes"]) == {
        "asthma": ("affirmed", "social_history"), "alcohol": ("negated", "social_history"),
        "diabetes": ("family", "family_history")}


def test_a_relatives_negation_is_family_not_a_pertinent_negative(tagger):
    text = "FAMILY HISTORY\nTwin sister: absence of Smith-Magenis syndrome.\nNo colon cancer.\n\nHPI\n" \
           "There is no family history of diabetes. Her brother does not have gout. She denies asthma."
    doc = ANALYZER(Document(id="NOTE:1", source="note", text=text))
    phrases = ["Smith-Magenis syndrome", "colon cancer", "diabetes", "gout", "asthma"]
    doc.mentions = tuple(_mention("NOTE:1", text, p) for p in phrases)
    tagged = {m.text: (m.assertion, m.assertion_cue) for m in tagger.tag(doc)}
    assert tagged == {"Smith-Magenis syndrome": ("family", "sister"), "colon cancer": ("family", "section:family_history"),
                      "diabetes": ("family", "family history"), "gout": ("family", "brother"),
                      "asthma": ("negated", "denies")}


def test_an_allergen_is_not_a_present_finding(tagger):
    text = "ALLERGIES\n\nPenicillin.\n\nMEDICATIONS\n\nLisinopril."
    assert _note(tagger, text, ["Penicillin", "Lisinopril"]) == {
        "Penicillin": ("hypothetical", "allergies"), "Lisinopril": ("affirmed", "medications")}
    # a cue still speaks for itself
    assert _note(tagger, "ALLERGIES\n\nNo known allergies.", ["allergies"]) == {"allergies": ("negated", "allergies")}
    assert _note(tagger, "ALLERGIES\n\nPatient reports history of seasonal allergies.", ["seasonal allergies"]) == {
        "seasonal allergies": ("historical", "allergies")}


# QA, ACI-Bench D2N074 (PLAN): "but not limited to" is NegEx's pseudo-negation; the risks it lists are discussed, not
# denied, so heart attack must not reach the patient's pertinent negatives.
D2N074_RISKS = "The risks of anesthesia including but not limited to the risks of heart attack, stroke, and death."
# QA, PubMed abstracts: "declined" means "decreased" there (PMID 399334); in PMID 399375 "did not develop" reaches no
# further than "but".
PMID_399334 = "Antibody concentrations in the sera of primed animals declined rapidly during infection."
PMID_399375 = ("Overt botulism did not develop in these animals, but infection with C. botulinum was evidenced by the "
               "presence of botulinal toxin in the colon for up to seven days after challenge.")


@pytest.mark.parametrize("concept", ["heart attack", "stroke", "death"])
def test_risks_listed_after_not_limited_to_are_hypothetical(tagger, concept):
    assert tag(tagger, D2N074_RISKS, concept) == ("hypothetical", "risks of")


def test_risks_discussed_in_a_plan_are_no_pertinent_negatives(tagger):
    text = ("PLAN\n\nWe discussed the general indications for surgical intervention. " + D2N074_RISKS
            + " The patient voiced understanding and wishes to proceed.")
    assert _note(tagger, text, ["heart attack", "stroke", "death"]) == {
        "heart attack": ("hypothetical", "plan"), "stroke": ("hypothetical", "plan"), "death": ("hypothetical", "plan")}


@pytest.mark.parametrize(
    ("sentence", "concept"),
    [
        ("Risks include, but are not limited to, bleeding and infection.", "infection"),
        # ACI-Bench D2N048 (train), abridged
        ("The risk include but not limited to continued pain, swelling, numbness that could be permanent, infection.",
         "swelling"),
    ],
)
def test_not_limited_to_negates_nothing(tagger, sentence, concept):
    assert tag(tagger, sentence, concept) == ("affirmed", None)


def test_declined_negates_what_is_refused_not_what_follows_a_decrease(tagger):
    assert tag(tagger, PMID_399334, "infection") == ("affirmed", None)
    # the same report's other sentence: the negation stops at "but"
    assert tag(tagger, PMID_399375, "Overt botulism") == ("negated", "did not develop")  # named before the cue
    assert tag(tagger, PMID_399375, "these animals") == ("negated", "did not develop")
    assert tag(tagger, PMID_399375, "infection") == ("affirmed", None)
    assert tag(tagger, PMID_399375, "C. botulinum") == ("affirmed", None)
    # a refusal in a note stays a negation
    assert tag(tagger, "Patient declined colonoscopy.", "colonoscopy") == ("negated", "declined")
    assert tag(tagger, "She also underwent adjuvant radiation therapy but declined endocrine therapy.",
               "endocrine therapy") == ("negated", "declined")
    assert tag(tagger, "He continues to decline the use of medications for this issue.", "medications") == (
        "negated", "decline")
    assert tag(tagger, "Patient declined to undergo colonoscopy.", "colonoscopy") == ("negated", "declined")
    assert tag(tagger, "The patient is declining further workup for anemia.", "anemia") == ("negated", "is declining")


@pytest.mark.parametrize(
    ("sentence", "concept"),
    [
        ("Renal function declined after surgery.", "surgery"),
        ("CD4 counts declined in patients with HIV.", "HIV"),
        ("Mortality declined by 20% among patients with sepsis.", "sepsis"),
        ("BMC declined 10% during the first 5 years of diabetes.", "diabetes"),
        ("Viral load declined to undetectable levels after therapy.", "therapy"),
        ("He was admitted with declining renal function.", "renal function"),
        ("There was a rapid decline in renal function.", "renal function"),
        # NegEx dev: what she declined was glucagon, not the nausea that follows
        ("The patient was offered glucagon which she declined as she states this made her severely nauseated the "
         "last time she had it.", "nauseated"),
    ],
)
def test_declined_as_a_decrease_negates_nothing(tagger, sentence, concept):
    assert tag(tagger, sentence, concept) == ("affirmed", None)


def _with(status):
    return Mention(doc_id="d", start=0, end=1, text="x", label="Disease", extractor="t", extractor_version="0",
                   assertion=status)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("affirmed", "affirmed", "affirmed"),
        ("affirmed", "negated", "negated"),
        ("hypothetical", "negated", "negated"),
        ("family", "hypothetical", "hypothetical"),
        ("uncertain", "family", "family"),
        ("historical", "uncertain", "uncertain"),
        ("affirmed", "historical", "historical"),
        ("uncertain", "uncertain", "uncertain"),
    ],
)
def test_pair_assertion_is_the_strongest_status_of_either(a, b, expected):
    from kg.models import pair_assertion

    assert pair_assertion(_with(a), _with(b)) == pair_assertion(_with(b), _with(a)) == expected


@pytest.mark.parametrize(("sentence", "concept", "cue"), [
    ("Orthostatic hypotension were not remarked.", "Orthostatic hypotension", "were not remarked"),  # PMID 399933
    ("Seizures were not observed in the treated rats.", "Seizures", "were not observed"),
    ("The mutation was not found in 200 controls.", "mutation", "was not found"),
])
def test_a_finding_reported_as_not_seen_is_negated(tagger, sentence, concept, cue):
    assert tag(tagger, sentence, concept) == ("negated", cue)


@pytest.mark.parametrize(("sentence", "concept", "expected"), [
    ("Oxygen free radicals were increased after doxorubicin.", "Oxygen", ("affirmed", None)),
    ("Serum free fatty acids rose in diabetes.", "Serum", ("affirmed", None)),
    ("Hospitals declined from 35 while free-standing clinics increased.", "Hospitals", ("affirmed", None)),
    ("The patient is now pain free.", "pain", ("negated", "free")),
    ("She has been seizure free for two years.", "seizure", ("negated", "free")),
    ("He remains pain-free.", "pain", ("negated", "free")),
])
def test_free_denies_what_precedes_it_only_when_it_qualifies_no_word_after_it(tagger, sentence, concept, expected):
    assert tag(tagger, sentence, concept) == expected


@pytest.mark.parametrize(("text", "phrases", "cue"), [
    ("Denies:\n- chest pain\n- nausea\n", ["chest pain", "nausea"], "Denies"),
    ("Negative for:\n- fever\n- chills\n", ["fever", "chills"], "Negative for"),
    ("The patient denies the following:\n1. nausea\n2. vomiting\n", ["nausea", "vomiting"], "denies"),
    ("No history of:\n* asthma", ["asthma"], "No history of"),
    ("Negative for:\nchest pain\nnausea", ["chest pain", "nausea"], "Negative for"),
    ("REVIEW OF SYSTEMS\nNegative for:\nChest pain\nNausea", ["Chest pain", "Nausea"], "Negative for"),
])
def test_a_lead_lines_negation_reaches_every_item_of_its_list(tagger, text, phrases, cue):
    assert _note(tagger, text, phrases) == {p: ("negated", _section_label(text)) for p in phrases}
    assert {m.assertion_cue for m in _tagged(tagger, text, phrases)} == {cue}


def test_an_items_own_cue_stays_in_its_item_and_the_list_ends_at_a_blank_line_or_prose(tagger):
    text = "She reports:\n- no fever\n- cough\n\nDenies:\n- nausea\nShe has a rash.\n\nAsthma"
    assert {m.text: m.assertion for m in _tagged(tagger, text, ["fever", "cough", "nausea", "rash", "Asthma"])} == {
        "fever": "negated", "cough": "affirmed", "nausea": "negated", "rash": "affirmed", "Asthma": "affirmed"}


def test_a_lead_speaks_for_its_list_with_its_last_sentence_only(tagger):
    text = "She had no rash. Reports:\n- fever\n\nHer mother has the following:\n- diabetes"
    assert {m.text: m.assertion for m in _tagged(tagger, text, ["rash", "fever", "diabetes"])} == {
        "rash": "negated", "fever": "affirmed", "diabetes": "family"}


def test_pertinent_negatives_are_negated(tagger):
    sentence = "Pertinent negatives: chest pain, shortness of breath, syncope."
    for concept in ("chest pain", "shortness of breath", "syncope"):
        assert tag(tagger, sentence, concept) == ("negated", "Pertinent negatives")


@pytest.mark.parametrize(("sentence", "concept"), [
    ("Melanocytic nevus: not identified.", "Melanocytic nevus"),  # QA, ACI-Bench
    ("A murmur was not appreciated.", "murmur"),
    ("Free fluid is not visualized.", "Free fluid"),
])
def test_a_finding_not_identified_or_not_appreciated_is_negated(tagger, sentence, concept):
    status, _ = tag(tagger, sentence, concept)
    assert status == "negated"


@pytest.mark.parametrize(("sentence", "concept"), [
    ("Tylenol does not help her pain.", "pain"),
    ("She took ibuprofen without relief of her headache.", "headache"),
    ("Tylenol did not help with the pain.", "pain"),
    ("He used ice and heat which did not relieve the pain.", "pain"),
    ("Rest brings no relief of her back pain.", "back pain"),
    ("The pain did not resolve.", "pain"),
])
def test_a_treatment_that_fails_does_not_negate_the_symptom(tagger, sentence, concept):
    assert tag(tagger, sentence, concept) == ("affirmed", None)


@pytest.mark.parametrize(("sentence", "concept", "cue"), [
    ("She is not sure if it is due to her back pain or not.", "back pain", "is not sure if"),
    ("He is unsure whether he had a fever.", "fever", "unsure whether"),
])
def test_not_sure_is_a_doubt_not_a_denial(tagger, sentence, concept, cue):
    assert tag(tagger, sentence, concept) == ("uncertain", cue)


def test_treatment_failure_pseudo_cues_leave_real_denials_alone(tagger):
    assert tag(tagger, "She does not have chest pain.", "chest pain") == ("negated", "not have")
    assert tag(tagger, "He has no headache without relief.", "headache") == ("negated", "no")


def _tagged(tagger, text, phrases):
    doc = ANALYZER(Document(id="NOTE:1", source="note", text=text))
    doc.mentions = tuple(_mention("NOTE:1", text, p) for p in phrases)
    return tagger.tag(doc)


def _section_label(text):
    return "review_of_systems" if text.startswith("REVIEW") else None


@pytest.mark.parametrize(("source", "expected"), [("pubmed", ("affirmed", "affirmed", "family")),
                                                   ("pubtator", ("affirmed", "affirmed", "family")),
                                                   ("note", ("family", "family", "family")),
                                                   ("text", ("family", "family", "family"))])
def test_relatives_words_are_no_family_cue_in_literature(tagger, source, expected):
    # an abstract's children and sisters are its subjects; "family history" speaks of relatives anywhere
    text = ("Trials were done in 5 children with neuroblastoma. Two sisters had the syndrome. "
            "Patients with a family history of gout were excluded.")
    mentions = [Mention(doc_id="PMID:1", start=(s := text.index(w)), end=s + len(w), text=w, label="Disease",
                        extractor="gold", extractor_version="1") for w in ("neuroblastoma", "syndrome", "gout")]
    doc = analysed(Document(id="PMID:1", source=source, text=text), mentions)
    assert tuple(m.assertion for m in tagger.tag(doc)) == expected
