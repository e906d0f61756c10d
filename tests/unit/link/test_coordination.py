"""Coordinations read from the text: each conjunct spelled out as a name, where its word stands."""

from __future__ import annotations

from kg.link.coordination import coordination


def _read(text: str, mention: str, taken: list[str] = (), label: str = "Disease") -> list[tuple[str, str, bool]]:
    start = text.index(mention)
    spans = [(text.index(t), text.index(t) + len(t)) for t in taken]
    return [(m.name, text[m.start : m.end], m.own) for m in coordination(text, start, start + len(mention), spans, label)]


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



def test_a_numbered_gene_family_inside_a_mention_or_after_it():
    assert _read("caspase-3/7 activity", "caspase-3/7", label="Gene") == [
        ("caspase-3", "caspase-3", False), ("caspase-7", "7", False)]
    assert _read("MMP-1, -2, and -12 rose", "MMP-1, -2, and -12", label="Gene") == [
        ("MMP-1", "MMP-1", False), ("MMP-2", "2", False), ("MMP-12", "12", False)]
    assert _read("the FGF receptors 2 and 4 were", "FGF receptors 2", label="Gene") == [
        ("FGF receptor 2", "FGF receptors 2", False), ("FGF receptor 4", "4", False)]  # the family word made singular


def test_a_number_after_a_gene_that_counts_something_is_no_member():
    assert _read("MSH2, and 3 control probes", "MSH2", label="Gene") == []
    assert _read("IL-6 and 8 patients", "IL-6", label="Gene") == []
    assert _read("IL-6 and TNF", "IL-6", label="Gene") == []
