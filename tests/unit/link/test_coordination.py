"""Coordinations read from the text: each conjunct spelled out as a name, where its word stands."""

from __future__ import annotations

from kg.link.coordination import coordination


def _read(text: str, mention: str, taken: list[str] = ()) -> list[tuple[str, str, bool]]:
    start = text.index(mention)
    spans = [(text.index(t), text.index(t) + len(t)) for t in taken]
    return [(m.name, text[m.start : m.end], m.own) for m in coordination(text, start, start + len(mention), spans)]


def test_modifiers_before_a_mention_share_its_head():
    assert _read("Subarachnoid and cerebral hemorrhage occurred.", "cerebral hemorrhage") == [
        ("Subarachnoid hemorrhage", "Subarachnoid", False), ("cerebral hemorrhage", "cerebral hemorrhage", True)]
    assert _read("with brain, breast, and prostate cancer", "prostate cancer") == [
        ("brain cancer", "brain", False), ("breast cancer", "breast", False), ("prostate cancer", "prostate cancer", True)]


def test_a_head_after_a_mention_shares_its_modifiers():
    assert _read("ventricular tachycardia and fibrillation were seen", "ventricular tachycardia") == [
        ("ventricular tachycardia", "ventricular tachycardia", True), ("ventricular fibrillation", "fibrillation", False)]


def test_a_coordination_inside_one_mention():
    assert _read("carriers of breast or ovarian cancer", "breast or ovarian cancer") == [
        ("breast cancer", "breast", False), ("ovarian cancer", "breast or ovarian cancer", False)]


def test_no_coordination_without_a_shared_word_or_with_function_words():
    assert _read("hypertension and cerebral hemorrhage", "cerebral hemorrhage", taken=["hypertension"]) == [
        ("cerebral hemorrhage", "cerebral hemorrhage", True)]  # the conjunct is an entity of its own
    assert _read("hemorrhagic cystitis and the fever", "hemorrhagic cystitis") == []
    assert _read("seizures and fever", "seizures") == []  # one word: nothing to share
    assert _read("acute hepatitis, fever", "acute hepatitis") == []

