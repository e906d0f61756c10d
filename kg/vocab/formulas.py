"""The names a chemical formula is written for: "CaCl2" is calcium chloride, "NaHCO3" sodium bicarbonate.

MeSH names salts and small molecules by words, and abstracts write many of them as formulas, which no
vocabulary here lists ("NaCl" linked to nothing, "KCl" to a herbal compound called "KCL"). A formula is
read here only as written, capitals and all ("Co" is cobalt, "CO" carbon monoxide), and only as one of:

- a salt of one cation and one anion of the tables below, counts as digits or bracketed as older PubMed
  records write them ("CaCl(2)"), and brackets around a polyatomic ion ("Ca(NO3)2"); a metal of two
  common charges is named by the charge the counts give ("FeCl3" ferric chloride, "FeSO4" ferrous sulfate);
- a few small molecules papers write by formula (:data:`MOLECULES`).

The linker tries each name in turn, by exact and normalised name, before the text itself.
"""

from __future__ import annotations

import re

VERSION = "formulas-1"  # the tables below; kg.extract.rules.FORMULA_VERSION goes up with it

# cation symbol -> charge -> names, most usual first (MeSH's first: "Copper Sulfate", not "cupric sulfate")
CATIONS: dict[str, dict[int, tuple[str, ...]]] = {
    "Li": {1: ("lithium",)}, "Na": {1: ("sodium",)}, "K": {1: ("potassium",)}, "Rb": {1: ("rubidium",)},
    "Cs": {1: ("cesium",)}, "NH4": {1: ("ammonium",)}, "Ag": {1: ("silver",)}, "Tl": {1: ("thallium",)},
    "Mg": {2: ("magnesium",)}, "Ca": {2: ("calcium",)}, "Sr": {2: ("strontium",)}, "Ba": {2: ("barium",)},
    "Zn": {2: ("zinc",)}, "Cd": {2: ("cadmium",)}, "Mn": {2: ("manganese",)}, "Ni": {2: ("nickel",)},
    "Co": {2: ("cobalt",)}, "Pb": {2: ("lead",)}, "Be": {2: ("beryllium",)},
    "Al": {3: ("aluminum",)}, "Cr": {3: ("chromium",)}, "Gd": {3: ("gadolinium",)}, "La": {3: ("lanthanum",)},
    "Fe": {2: ("ferrous", "iron"), 3: ("ferric", "iron")},
    "Cu": {1: ("cuprous", "copper"), 2: ("copper", "cupric")},
    "Hg": {1: ("mercurous", "mercury"), 2: ("mercuric", "mercury")},
    "Sn": {2: ("stannous", "tin"), 4: ("stannic", "tin")},
}
# anion formula -> (charge, name)
ANIONS: dict[str, tuple[int, str]] = {
    "F": (1, "fluoride"), "Cl": (1, "chloride"), "Br": (1, "bromide"), "I": (1, "iodide"),
    "OH": (1, "hydroxide"), "CN": (1, "cyanide"), "SCN": (1, "thiocyanate"), "NO2": (1, "nitrite"),
    "NO3": (1, "nitrate"), "HCO3": (1, "bicarbonate"), "HSO4": (1, "bisulfate"), "H2PO4": (1, "dihydrogen phosphate"),
    "ClO4": (1, "perchlorate"), "ClO3": (1, "chlorate"), "ClO": (1, "hypochlorite"), "IO3": (1, "iodate"),
    "MnO4": (1, "permanganate"), "Ac": (1, "acetate"), "OAc": (1, "acetate"), "N3": (1, "azide"),
    "O": (2, "oxide"), "S": (2, "sulfide"), "SO4": (2, "sulfate"), "SO3": (2, "sulfite"), "CO3": (2, "carbonate"),
    "HPO4": (2, "hydrogen phosphate"), "CrO4": (2, "chromate"), "Cr2O7": (2, "dichromate"),
    "S2O3": (2, "thiosulfate"), "SiO3": (2, "silicate"), "PO4": (3, "phosphate"),
}
# small molecules written by formula; not "NO" or "CO" (words and short forms too)
MOLECULES: dict[str, str] = {
    "H2O2": "hydrogen peroxide", "CHCl3": "chloroform", "CCl4": "carbon tetrachloride", "CO2": "carbon dioxide",
    "N2O": "nitrous oxide", "NH3": "ammonia", "H2S": "hydrogen sulfide", "HCl": "hydrochloric acid",
    "HNO3": "nitric acid", "H2SO4": "sulfuric acid", "H3PO4": "phosphoric acid", "HF": "hydrofluoric acid",
    "O3": "ozone", "SO2": "sulfur dioxide", "NO2": "nitrogen dioxide", "CH3OH": "methanol", "C2H5OH": "ethanol",
}

_COUNT = r"(?:(\d)|\((\d)\))?"  # "2" or, as older records write subscripts, "(2)"


def _alternation(symbols) -> str:
    return "|".join(re.escape(s) for s in sorted(symbols, key=len, reverse=True))


_SALT = re.compile(
    rf"^(?:({_alternation(CATIONS)})|\(({_alternation(CATIONS)})\)){_COUNT}"
    rf"(?:({_alternation(ANIONS)})|\(({_alternation(ANIONS)})\)){_COUNT}$"
)


def formula_names(text: str) -> list[str]:
    """The names ``text`` stands for as a formula (see the module docstring), most usual first; none if it is
    not one of those formulas or its counts give no charge the cation has ("NaCl2")."""
    text = text.strip()
    if text in MOLECULES:
        return [MOLECULES[text]]
    m = _SALT.match(text)
    if m is None:
        return []
    cation, n_cation = m[1] or m[2], int(m[3] or m[4] or 1)
    anion, n_anion = m[5] or m[6], int(m[7] or m[8] or 1)
    if (m[2] and not m[3] and not m[4]) or (m[6] and not m[7] and not m[8]):
        return []  # "(NO3)" brackets a count's ion, or nothing
    charge, anion_name = ANIONS[anion]
    total = charge * n_anion
    if total % n_cation:
        return []
    return [f"{name} {anion_name}" for name in CATIONS[cation].get(total // n_cation, ())]
