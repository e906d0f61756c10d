"""kg.vocab.formulas: the names a chemical formula is written for."""

from __future__ import annotations

import pytest

from kg.vocab.formulas import formula_names


@pytest.mark.parametrize(("formula", "names"), [
    ("NaCl", ["sodium chloride"]),
    ("KCl", ["potassium chloride"]),
    ("CaCl2", ["calcium chloride"]),
    ("CaCl(2)", ["calcium chloride"]),  # a subscript as older PubMed records write it
    ("NaHCO3", ["sodium bicarbonate"]),
    ("NH4Cl", ["ammonium chloride"]),
    ("NH4Ac", ["ammonium acetate"]),
    ("Na2SO4", ["sodium sulfate"]),
    ("Ca(NO3)2", ["calcium nitrate"]),
    ("Al2(SO4)3", ["aluminum sulfate"]),
    ("FeCl3", ["ferric chloride", "iron chloride"]),  # the charge the counts give names the metal
    ("FeSO4", ["ferrous sulfate", "iron sulfate"]),
    ("HgCl2", ["mercuric chloride", "mercury chloride"]),
    ("H2O2", ["hydrogen peroxide"]),
    ("CHCl3", ["chloroform"]),
])
def test_a_salt_or_small_molecule_formula_is_read_as_its_names(formula, names):
    assert formula_names(formula) == names


@pytest.mark.parametrize("text", [
    "NaCl2",  # no charge of sodium balances two chlorides
    "KCL", "nacl",  # only as written: capitals say which elements
    "NO", "CO",  # words and short forms too
    "Co", "Ca",  # an element alone is no salt
    "Ca(OH)",  # brackets around an ion without a count
    "CaMKII", "sodium chloride", "",
])
def test_other_text_is_no_formula(text):
    assert formula_names(text) == []
