import pytest

from kg.reason.ask import TEMPLATES, answer, match, what_i_can_answer


@pytest.mark.parametrize(("question", "template", "parts"), [
    ("What causes lactic acidosis?", "causes", {"x": "lactic acidosis"}),
    ("Which drugs are reported to cause hepatotoxicity, and where?", "causes",
     {"x": "hepatotoxicity", "noun": "drugs"}),
    ("what treats hypertension", "treats", {"x": "hypertension"}),
    ("What is hypertension treated with?", "treats", {"x": "hypertension"}),
    ("What is associated with diabetes mellitus?", "associated", {"x": "diabetes mellitus"}),
    ("what is obesity associated with?", "associated", {"x": "obesity"}),
    ("What could link metformin to lactic acidosis?", "links", {"a": "metformin", "b": "lactic acidosis"}),
    ("How is insulin related to obesity?", "links", {"a": "insulin", "b": "obesity"}),
    ("What is the link between aspirin and headache?", "links", {"a": "aspirin", "b": "headache"}),
    ("What does a low white-cell count point to?", "suggests", {"x": "low white-cell count"}),
    ("what does finding hyperglycemia suggest?", "suggests", {"x": "hyperglycemia"}),
    ("Does warfarin interact with aspirin?", "interacts", {"a": "warfarin", "b": "aspirin"}),
    ("Do warfarin and aspirin interact?", "interacts", {"a": "warfarin", "b": "aspirin"}),
])
def test_templates_match_and_extract_phrases(question, template, parts):
    found = match(question)
    assert found is not None
    t, got = found
    assert t.name == template
    assert got == parts


@pytest.mark.parametrize("question", [
    "tell me a joke",
    "Is metformin safe in pregnancy?",
    "Why do people get diabetes?",
    "MATCH (n) RETURN n",
    "",
])
def test_unsupported_questions_are_refused_with_the_list(question):
    assert match(question) is None
    result = answer(question, store=None, resolve=lambda phrase: pytest.fail("must not resolve"))
    assert not result.supported and result.items == [] and result.paths == []
    assert "I can only answer" in result.message
    for t in TEMPLATES:
        assert t.example in result.message


def test_the_help_lists_every_template():
    text = what_i_can_answer()
    assert text.count("\n  - ") == len(TEMPLATES)
