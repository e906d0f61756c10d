"""A word as MeSH spells it: American, and in a few names older ("oedema" is Edema, "oestradiol" Estradiol,
"sulphasalazine" Sulfasalazine, "aluminium" Aluminum).

The linker looks a mention up by this spelling too (:func:`kg.link.tfidf._variants`), and the extraction rules
add a mention for a word the tagger passed over whose MeSH spelling is a name of a chemical or a disease
(:func:`kg.extract.rules.british_spellings`): the tagger, trained on American abstracts, tags no "oestrogen".
"""

from __future__ import annotations

import re

# (theirs, MeSH's), applied in order; "desoxy" is MeSH's older spelling in "Desoxycorticosterone Acetate" (papers
# write "deoxycorticosterone acetate", which else reached Desoxycorticosterone without the salt), "alfa-2" the
# recombinant interferons' INN spelling ("peginterferon alfa-2b")
SPELLINGS: tuple[tuple[str, str], ...] = (
    ("aemia", "emia"), ("aemic", "emic"), ("haem", "hem"), ("oedema", "edema"), ("oea", "ea"), ("aesthe", "esthe"),
    ("tumour", "tumor"), ("oestr", "estr"), ("oesophag", "esophag"), ("coeliac", "celiac"), ("foet", "fet"),
    ("sulph", "sulf"), ("aluminium", "aluminum"), ("deoxycorticosterone", "desoxycorticosterone"), ("alpha-2", "alfa-2"),
)


_ANY = re.compile("|".join(re.escape(theirs) for theirs, _ in SPELLINGS))  # one pass finds most words need nothing


def mesh_spelling(text: str) -> str:
    """``text`` with each of :data:`SPELLINGS` replaced (case as written: callers pass lowercase)."""
    if not _ANY.search(text):
        return text
    for theirs, mesh in SPELLINGS:
        text = text.replace(theirs, mesh)
    return text
