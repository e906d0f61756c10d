"""Reading questions: concepts, intent, direction and answer type, without a store or the NER models.

The graph is a dict (``FakeGraph``); the finder is ``no_ner`` (concepts by graph names, as when
no concept store is built) unless a test hands in spans the way the NER and linker would.
"""

import pytest

from kg.models import Concept
from kg.reason import cues
from kg.reason.question import Missing, Span, no_ner, read, stem, stems


def concept(cid, name, type_, docs=1, synonyms=(), generic=False):
    return {"id": cid, "name": name, "type": type_, "labels": ["Concept", type_], "doc_count": docs,
            "generic": generic, "synonyms": synonyms}


CONCEPTS = [
    concept("MESH:D001249", "Asthma", "Disease", 5, ("asthma attack",)),
    concept("MESH:D002945", "Cisplatin", "Chemical", 2, ("cis-platinum",)),
    concept("MESH:D001241", "Aspirin", "Chemical", 5, ("acetylsalicylic acid",)),
    concept("MESH:D006073", "Gout", "Disease", 1),
    concept("MESH:D003550", "Cystic Fibrosis", "Disease", 2),
    concept("NCBIGene:3630", "insulin", "Gene", 80),
    concept("MESH:D007328", "Insulin", "Chemical", 3),
    concept("MESH:D009765", "Obesity", "Disease", 10),
    concept("MESH:D007970", "Leukopenia", "Disease", 2, ("low white cell count",)),
    concept("MESH:D010146", "Pain", "Disease", 28),
    concept("MESH:D007052", "Ibuprofen", "Chemical", 4),
    concept("MESH:D014376", "Tuberculosis", "Disease", 12),
    concept("NCBITaxon:9606", "patients", "Species", 794, ("homo sapiens",)),
    concept("NCBITaxon:0001", "schoolgirls", "Species", 50, generic=True),
    concept("NCBIGene:5972", "AR", "Gene", 3),
]


class FakeGraph:
    def __init__(self, rows=CONCEPTS):
        self.rows = {r["id"]: r for r in rows}

    def concepts(self, ids):
        return {i: self.rows[i] for i in ids if i in self.rows}

    def by_names(self, names):
        out = {}
        for n in {x.lower() for x in names}:
            for r in self.rows.values():
                if n == r["name"].lower() or n in (s.lower() for s in r["synonyms"]):
                    out.setdefault(n, []).append(r)
        return out


GRAPH = FakeGraph()


def reading(question, find=no_ner):
    return read(question, find, GRAPH)


def test_stems_are_the_same_for_every_inflection():
    assert {stem(w) for w in ("induce", "induces", "induced", "inducing")} == {"induc"}
    assert {stem(w) for w in ("finding", "findings")} == {"find"}
    assert stems("Side-effects") == stems("side effect")
    assert stem("therapies") == stem("therapy") and stem("genes") == stem("gene")


@pytest.mark.parametrize(("question", "intent", "focus", "direction"), [
    # causes: the asked concept is the effect
    ("What can trigger asthma attacks?", "causes", "MESH:D001249", "in"),
    ("What drugs can induce asthma?", "causes", "MESH:D001249", "in"),
    ("Which drugs are reported to cause gout, and where?", "causes", "MESH:D006073", "in"),
    ("What leads to obesity?", "causes", "MESH:D009765", "in"),
    ("What are the risk factors for obesity?", "causes", "MESH:D009765", "in"),
    ("Asthma is caused by what?", "causes", "MESH:D001249", "in"),
    # effects: the asked concept is the cause
    ("Adverse reactions of cisplatin?", "effects", "MESH:D002945", "out"),
    ("What are the side effects of aspirin?", "effects", "MESH:D001241", "out"),
    ("aspirin toxicity", "effects", "MESH:D001241", "out"),
    ("What does cisplatin cause?", "effects", "MESH:D002945", "out"),
    ("what is caused by cisplatin", "effects", "MESH:D002945", "out"),
    ("ASPIRIN SIDE EFFECTS??", "effects", "MESH:D001241", "out"),
    # treatment, either way round
    ("Which agents are used in the treatment of gout?", "treats", "MESH:D006073", "any"),
    ("what treats asthma", "treats", "MESH:D001249", "any"),
    ("What therapies exist for gout?", "treats", "MESH:D006073", "any"),
    ("Medications for tuberculosis", "treats", "MESH:D014376", "any"),
    ("What is aspirin used for?", "treats", "MESH:D001241", "out"),
    ("Can tuberculosis be prevented?", "treats", "MESH:D014376", "any"),
    # interactions, associations, findings
    ("what interacts with aspirin?", "interacts", "MESH:D001241", "any"),
    ("Which proteins bind cisplatin?", "interacts", "MESH:D002945", "any"),
    ("Genes linked to cystic fibrosis", "associated", "MESH:D003550", "any"),
    ("What genes are associated with cystic fibrosis?", "associated", "MESH:D003550", "any"),
    ("what is obesity associated with?", "associated", "MESH:D009765", "any"),
    ("What does a low white cell count point to?", "suggests", "MESH:D007970", "any"),
    # summaries
    ("Tell me about aspirin", "summary", "MESH:D001241", "any"),
    ("Summarise what is known about aspirin", "summary", "MESH:D001241", "any"),
    ("Give me an overview of gout", "summary", "MESH:D006073", "any"),
    ("aspirin", "summary", "MESH:D001241", "any"),
    ("What is known about the side effects of aspirin?", "effects", "MESH:D001241", "out"),
])
def test_intent_focus_and_direction(question, intent, focus, direction):
    r = reading(question)
    assert (r.intent, r.focus.id, r.direction) == (intent, focus, direction), r.describe()
    assert not r.pair
    assert r.intent == "summary" or r.cues  # the words that decided are kept


@pytest.mark.parametrize(("question", "intent", "a", "b"), [
    ("How are insulin and obesity connected?", "links", "NCBIGene:3630", "MESH:D009765"),
    ("What's the relationship between insulin and obesity?", "links", "NCBIGene:3630", "MESH:D009765"),
    ("What links aspirin and gout?", "links", "MESH:D001241", "MESH:D006073"),
    ("aspirin and gout", "links", "MESH:D001241", "MESH:D006073"),
    ("Is insulin associated with obesity?", "associated", "NCBIGene:3630", "MESH:D009765"),
    ("Does aspirin interact with cisplatin?", "interacts", "MESH:D001241", "MESH:D002945"),
    # cause first, however the question is turned
    ("Can ibuprofen cause pain?", "effects", "MESH:D007052", "MESH:D010146"),
    ("Is pain caused by ibuprofen?", "effects", "MESH:D007052", "MESH:D010146"),
    ("Is pain due to ibuprofen?", "effects", "MESH:D007052", "MESH:D010146"),
    ("Is ibuprofen a cause of pain?", "effects", "MESH:D007052", "MESH:D010146"),
    ("Is ibuprofen a risk factor for pain?", "effects", "MESH:D007052", "MESH:D010146"),
    ("Is obesity a risk factor for asthma?", "effects", "MESH:D009765", "MESH:D001249"),
    ("ibuprofen risk factor pain", "effects", "MESH:D007052", "MESH:D010146"),
    ("Risk factors for pain: is ibuprofen one?", "effects", "MESH:D007052", "MESH:D010146"),
    ("Is the etiology of pain ibuprofen?", "effects", "MESH:D007052", "MESH:D010146"),
    ("Is pain a side effect of ibuprofen?", "effects", "MESH:D007052", "MESH:D010146"),
    ("Is pain one of the complications of ibuprofen?", "effects", "MESH:D007052", "MESH:D010146"),
    ("Side effects of ibuprofen include pain?", "effects", "MESH:D007052", "MESH:D010146"),
    ("Is ibuprofen toxicity a cause of pain?", "effects", "MESH:D007052", "MESH:D010146"),
])
def test_two_concepts_make_a_pair_question(question, intent, a, b):
    r = reading(question)
    assert r.pair and r.intent == intent
    assert [c.id for c in r.concepts[:2]] == [a, b]


@pytest.mark.parametrize(("question", "types"), [
    ("Which drugs cause asthma?", ["Chemical"]),
    ("What medications are used for gout?", ["Chemical"]),
    ("What chemicals are associated with gout?", ["Chemical"]),
    ("Which genes are linked to obesity?", ["Gene"]),
    ("What proteins are associated with obesity?", ["Gene"]),
    ("What diseases is insulin linked to?", ["Disease"]),
    ("Which conditions are associated with obesity?", ["Disease"]),
    ("What findings are associated with gout?", ["Finding", "Disease"]),
    ("What symptoms are linked to asthma?", ["Finding", "Disease"]),
    # defaults when the question does not say
    ("What are the side effects of aspirin?", ["Disease", "Finding"]),
    ("What treats gout?", ["Chemical"]),
    ("What is aspirin used for?", ["Disease", "Finding"]),
    ("What causes gout?", []),
    ("What is associated with gout?", []),
])
def test_answer_types(question, types):
    r = reading(question)
    assert r.answer_types == types
    assert r.types_asked == (question.split()[1].lower() in ("drugs", "medications", "chemicals", "genes",
                                                             "proteins", "diseases", "conditions", "findings",
                                                             "symptoms"))


def test_case_and_punctuation_do_not_matter():
    readings = [reading(q) for q in ("What causes gout?", "WHAT CAUSES GOUT", "what causes gout???", "what  causes gout.")]
    assert {(r.intent, r.focus.id, r.direction, tuple(r.answer_types)) for r in readings} == {
        ("causes", "MESH:D006073", "in", ())}


def test_with_an_answer_type_the_concept_after_the_cue_is_asked_about():
    r = reading("Which drugs cause pain in gout?")
    assert r.focus.id == "MESH:D010146" and not r.pair and r.intent == "causes"
    assert "also named, not used: Gout" in r.describe()


def test_a_concept_not_in_the_graph_is_said_to_be_not_used():
    """Gout is known to the linker but not to this graph: the reading says it was left out."""
    without_gout = FakeGraph([c for c in CONCEPTS if c["id"] != "MESH:D006073"])

    def find(text):
        i = text.index("gout")
        return [Span(i, i + 4, "gout", (("MESH:D006073", 1.0, "Gout"),))]

    r = read("Which drugs cause pain in gout?", find, without_gout)
    assert r.focus.id == "MESH:D010146" and not r.pair and [m.known_as for m in r.missing] == ["MESH:D006073"]
    assert r.describe().endswith("; not in the graph, not used: gout (MESH:D006073)")
    r = reading("Which drugs cause pain in gout and MESH:D999999?")
    assert r.describe().endswith("also named, not used: Gout; not in the graph, not used: MESH:D999999")
    pair = reading("Does aspirin interact with MESH:D999999?")  # the missing one is in the reading itself
    assert pair.pair and "not used" not in pair.describe()


# Names with an answer-type noun in them, and "Disease" itself: "diseases" alone still asks for a type.
NAMED_WITH_A_TYPE_NOUN = FakeGraph(CONCEPTS + [
    concept("MESH:D007877", "Legionnaires' Disease", "Disease", 1),
    concept("MESH:D006689", "Hodgkin Disease", "Disease", 3),
    concept("MESH:D004194", "Disease", "Disease", 40),
])


@pytest.mark.parametrize(("question", "intent", "focus", "types"), [
    ("Tell me about Legionnaires' Disease", "summary", "MESH:D007877", []),
    ("Legionnaires' Disease", "summary", "MESH:D007877", []),
    ("Tell me about Hodgkin Disease", "summary", "MESH:D006689", []),
    ("Which drugs treat Hodgkin disease?", "treats", "MESH:D006689", ["Chemical"]),
    ("Which diseases does aspirin cause?", "effects", "MESH:D001241", ["Disease"]),
    ("What diseases is insulin linked to?", "associated", "NCBIGene:3630", ["Disease"]),
])
def test_a_graph_name_wins_over_the_answer_type_noun_inside_it(question, intent, focus, types):
    r = read(question, no_ner, NAMED_WITH_A_TYPE_NOUN)
    assert (r.intent, [c.id for c in r.concepts], r.answer_types) == (intent, [focus], types), r.describe()
    assert r.unread == [] and r.types_asked == bool(types)


def test_the_ner_and_linker_spans_are_used_and_cue_words_they_tag_are_not_concepts():
    def find(text):  # what the chain returns for this question: a cue tagged as a disease, and a drug
        i, j = text.index("side effects"), text.index("cis-platinum")
        return [Span(i, i + 12, "side effects", (("MESH:D064420", 1.0, "Drug-Related Side Effects"),)),
                Span(j, j + 12, "cis-platinum", (("MESH:D002945", 0.93, "Cisplatin"),))]

    r = reading("What are the side effects of cis-platinum?", find)
    assert r.intent == "effects" and [(c.id, c.how) for c in r.concepts] == [("MESH:D002945", "linker")]


def test_a_linker_concept_missing_from_the_graph_falls_back_to_the_graph_name():
    def find(text):
        i = text.index("Asthma")
        return [Span(i, i + 6, "Asthma", (("DOID:2841", 1.0, "asthma"),))]

    r = reading("Tell me about Asthma", find)
    assert [(c.id, c.how) for c in r.concepts] == [("MESH:D001249", "graph name")]


def test_equal_linker_scores_pick_the_concept_more_documents_mention():
    def find(text):
        i = text.index("insulin")
        return [Span(i, i + 7, "insulin", (("MESH:D007328", 1.0, "Insulin"), ("NCBIGene:3630", 1.0, "insulin")))]

    assert reading("Tell me about insulin", find).focus.id == "NCBIGene:3630"


def test_ids_are_taken_as_written():
    r = reading("What is mesh:d001249 associated with?")
    assert (r.intent, r.focus.id, r.focus.how) == ("associated", "MESH:D001249", "id")


def test_unknown_concepts_are_reported_not_guessed():
    r = reading("What causes dragon pox?")
    assert r.concepts == [] and r.unread == ["dragon", "pox"] and r.describe().startswith("no concept")

    def find(text):
        i = text.index("Ebola")
        return [Span(i, i + 19, "Ebola virus disease", (("MESH:D019142", 1.0, "Hemorrhagic Fever, Ebola"),))]

    r = reading("What causes Ebola virus disease?", find)
    assert r.concepts == [] and r.intent == "causes"
    [m] = r.missing
    assert (m.phrase, m.known_as, m.name) == ("Ebola virus disease", "MESH:D019142", "Hemorrhagic Fever, Ebola")
    assert "not in the graph" in r.describe()


def test_a_cause_question_about_a_concept_not_in_the_graph_keeps_its_direction():
    def find(text):
        i = text.index("Ebola")
        return [Span(i, i + 19, "Ebola virus disease", (("MESH:D019142", 1.0, "Hemorrhagic Fever, Ebola"),))]

    r = reading("Is pain caused by Ebola virus disease?", find)
    assert r.pair and [c.id for c in r.concepts] == ["MESH:D010146"] and r.intent == "causes"
    assert r.describe().startswith('whether "Ebola virus disease" (Hemorrhagic Fever, Ebola (MESH:D019142), not in '
                                   'the graph) causes Pain (MESH:D010146)')


def test_words_not_understood_are_said_and_a_negation_is_said_to_be_ignored():
    r = reading("What does not cause asthma?")
    assert (r.intent, r.focus.id, r.unread) == ("causes", "MESH:D001249", ["not"])
    assert r.describe() == ("what causes Asthma (MESH:D001249); cue words: 'cause'; not understood: 'not' (the answer "
                            "ignores 'not': negations are not read, so it answers the question without it)")
    assert "the answer ignores 'never'" in reading("What can never cause gout?").describe()
    r = reading("How are asthma and xyzzy connected?")  # one concept left: the reading says which word was lost
    assert not r.pair and r.describe().endswith("; not understood: 'xyzzy'") and "ignores" not in r.describe()
    assert "not understood" not in reading("What causes asthma?").describe()
    # QA: a word with a letter outside ASCII was cut in pieces ('m', 'dicaments')
    assert "'médicaments'" in reading("Quels médicaments causent asthma?").describe()


class FakeOntology:
    """The concept store as the reader asks it: a concept by id."""

    def get(self, concept_id):
        known = {"MESH:D006689": Concept(id="MESH:D006689", name="Hodgkin Disease", type="Disease")}
        return known.get(concept_id)


def test_an_id_the_graph_lacks_is_known_only_if_the_ontology_has_it():
    for ontology in (None, FakeOntology()):
        r = read("Tell me about MESH:D999999", no_ner, GRAPH, ontology)
        assert r.concepts == [] and r.missing == [Missing("MESH:D999999", None, None, 14, "id")]
        assert r.describe() == ("a summary of what the graph holds on \"MESH:D999999\" (not in the graph); "
                                "cue words: 'tell me about'")
    assert read("Tell me about mesh:d006689", no_ner, GRAPH).missing[0].known_as is None  # no concept store
    [m] = read("Tell me about mesh:d006689", no_ner, GRAPH, FakeOntology()).missing
    assert (m.known_as, m.name, m.how) == ("MESH:D006689", "Hodgkin Disease", "id")


def test_hubs_and_generic_species_are_never_the_concept_asked_about():
    r = reading("What causes pain in schoolgirls and Homo sapiens?")
    assert [c.id for c in r.concepts] == ["MESH:D010146"] and len(r.ignored) == 2
    assert r.unread == []
    none = reading("Tell me about patients")  # a question word ("patients") is not looked up at all
    assert none.concepts == [] and none.unread == []


def test_short_gene_symbols_match_only_in_capitals():
    assert reading("what is ar associated with").concepts == []
    assert reading("what is AR associated with").focus.id == "NCBIGene:5972"


def test_every_cue_list_is_read():
    """Each intent's cues, put in a question about gout, give that intent (a cue list is data)."""
    for intent, words in cues.INTENT_CUES.items():
        for w in words:
            r = reading(f"{w} gout")
            assert r.intent == intent or (intent == "associated" and r.intent == "summary"), (intent, w, r.intent)
    for w in cues.EFFECT_NOUNS:
        assert reading(f"{w} of aspirin").intent == "effects", w
    for w in cues.CAUSE_NOUNS:
        assert reading(f"{w} for gout").intent == "causes", w
    for noun, labels in cues.ANSWER_TYPES.items():
        assert reading(f"which {noun} are associated with gout").answer_types == list(labels), noun


@pytest.mark.parametrize(("question", "intent", "asked", "direction", "types"), [
    ("What causes pain and gout?", "causes", ["MESH:D010146", "MESH:D006073"], "in", []),
    ("What causes both pain and gout?", "causes", ["MESH:D010146", "MESH:D006073"], "in", []),
    ("what can trigger pain, gout or asthma", "causes", ["MESH:D010146", "MESH:D006073", "MESH:D001249"], "in", []),
    ("What treats asthma and gout?", "treats", ["MESH:D001249", "MESH:D006073"], "any", ["Chemical"]),
    ("Which drugs cause pain and gout?", "causes", ["MESH:D010146", "MESH:D006073"], "in", ["Chemical"]),
    ("What are the side effects of aspirin and ibuprofen?", "effects", ["MESH:D001241", "MESH:D007052"], "out",
     ["Disease", "Finding"]),
    ("What interacts with aspirin and cisplatin?", "interacts", ["MESH:D001241", "MESH:D002945"], "any", []),
    ("What is associated with obesity and gout?", "associated", ["MESH:D009765", "MESH:D006073"], "any", []),
])
def test_coordinated_objects_are_each_asked_about_not_one_about_the_other(question, intent, asked, direction, types):
    """"What causes hypotension and bradycardia?" asks for the causes of each (those of both first), not whether
    bradycardia causes hypotension."""
    r = reading(question)
    assert not r.pair and r.coordinated == len(asked), r.describe()
    assert (r.intent, [c.id for c in r.asked], r.direction, r.answer_types) == (intent, asked, direction, types)
    assert r.unread == [] and "not used" not in r.describe()


def test_a_coordinated_question_is_read_in_one_sentence_and_yes_no_or_how_questions_stay_pairs():
    assert reading("What causes pain and gout?").describe() == (
        "what causes Pain (MESH:D010146) and Gout (MESH:D006073), for both first, then for each; cue words: 'cause'")
    assert reading("What are the side effects of aspirin and ibuprofen?").describe().startswith(
        "what Aspirin (MESH:D001241) and Ibuprofen (MESH:D007052) cause (effects, adverse effects), for both first")
    for question in ("Does aspirin interact with cisplatin and ibuprofen?", "How do aspirin and ibuprofen interact?",
                     "Is pain caused by ibuprofen and aspirin?", "What links aspirin and gout?",
                     "What is the relationship between insulin and obesity?", "Can ibuprofen cause pain?",
                     "do aspirin and ibuprofen interact"):  # the question `medkg ddi` asks of each pair
        r = reading(question)
        assert r.pair and r.coordinated == 0, question
    # a coordinated concept the graph lacks is said to be left out; the other one is still answered
    r = reading("What causes pain and MESH:D999999?")
    assert not r.pair and [c.id for c in r.asked] == ["MESH:D010146"] and r.intent == "causes"
    assert r.describe().endswith("; not in the graph, not used: MESH:D999999")


# "hepatitis" is a synonym of two concepts; "insulin" the preferred name of one and a synonym of another
AMBIGUOUS = FakeGraph([
    concept("MESH:D056486", "Chemical and Drug Induced Liver Injury", "Disease", 9, ("hepatitis",)),
    concept("MESH:D006521", "Hepatitis, Chronic", "Disease", 4, ("chronic hepatitis", "hepatitis")),
    concept("NCBIGene:3630", "INS", "Gene", 57, ("insulin",)),
    concept("NCBIGene:24505", "insulin", "Gene", 14),
    concept("NCBITaxon:9606", "Humans", "Species", 794, ("homo sapiens",)),
])


def test_a_name_of_several_concepts_prefers_the_one_more_documents_mention_and_says_which_others_it_names():
    r = read("Tell me about insulin", no_ner, AMBIGUOUS)
    assert r.focus.id == "NCBIGene:3630"  # INS, in more documents than the rat gene whose preferred name it is
    assert r.alternatives == {"insulin": [("NCBIGene:24505", "insulin")]}
    assert r.describe().endswith('; "insulin" also names insulin (NCBIGene:24505) (write the id to ask about one of them)')
    r = read("Tell me about hepatitis", no_ner, AMBIGUOUS)  # a synonym of both: the one more documents mention
    assert r.focus.id == "MESH:D056486" and r.alternatives == {"hepatitis": [("MESH:D006521", "Hepatitis, Chronic")]}

    def linker(text):  # the linker's own reading of the words wins at its score; the others are still named
        i = text.index("insulin")
        return [Span(i, i + 7, "insulin", (("NCBIGene:3630", 1.0, "INS"),))]

    r = read("Tell me about insulin", linker, AMBIGUOUS)
    assert r.focus.id == "NCBIGene:3630" and r.alternatives == {"insulin": [("NCBIGene:24505", "insulin")]}
    assert read("Tell me about NCBIGene:3630", no_ner, AMBIGUOUS).alternatives == {}  # an id names one concept
    hub = read("Tell me about homo sapiens", no_ner, AMBIGUOUS)
    assert hub.concepts == [] and hub.hubs == [("homo sapiens", "NCBITaxon:9606", "Humans")]
