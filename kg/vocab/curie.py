"""CURIEs and the ids the corpora write: ``D003924`` <-> ``MESH:D003924``, ``7157`` <-> ``NCBIGene:7157``.

The graph speaks CURIEs (``PREFIX:LOCAL``, validated by :func:`kg.models.validate_curie`);
the annotated corpora write bare MeSH, NCBI Gene and Taxonomy ids and tmVar variant strings.
Both directions live here so that learning (lexicons, relation priors) and scoring agree, as
does the case ids are spelled in (:func:`canonical_curie`: ``mesh:d014196`` is ``MESH:D014196``).
"""

from __future__ import annotations

from kg.models import validate_curie
from kg.sources.pubtator import NIL_ID, NIL_IDS  # what the corpora write for a mention with no concept

# Prefixes the corpora leave out (BioRED writes cell lines as bare CVCL ids); others (OMIM:) stay.
_PREFIXES_DROPPED = ("MESH:", "NCBIGene:", "NCBITaxon:", "dbSNP:", "tmVar:", "Cellosaurus:")
# The prefixes of the graph's concept ids, spelled as the concept store spells them: the corpora's, and the
# ontologies' cross-references (kg.vocab.conceptstore.XREF_PREFIXES, which imports this module).
_CANONICAL_PREFIXES = {p.lower(): p for p in (*(x.rstrip(":") for x in _PREFIXES_DROPPED), "OMIM", "MONDO", "DOID",
                                               "ICD10CM", "HP", "UMLS", "SNOMEDCT_US")}


def to_curie(raw_id: str, type_: str) -> str | None:
    """Corpus id -> CURIE: MeSH for chemicals/diseases, NCBIGene, NCBITaxon, dbSNP/tmVar, Cellosaurus."""
    raw_id = raw_id.strip()
    if not raw_id or raw_id in NIL_IDS:
        return None
    if type_ in ("Chemical", "Disease"):
        curie = raw_id if ":" in raw_id else f"MESH:{raw_id}"
    elif type_ == "Gene":
        curie = f"NCBIGene:{raw_id}"
    elif type_ == "Species":
        curie = f"NCBITaxon:{raw_id}"
    elif type_ == "Variant":
        curie = f"dbSNP:{raw_id}" if raw_id.startswith("rs") else f"tmVar:{raw_id}"
    elif type_ == "CellLine":
        curie = raw_id if ":" in raw_id else f"Cellosaurus:{raw_id}"
    else:
        return None
    return curie if validate_curie(curie) else None


def corpus_id(concept_id: str | None) -> str:
    """A CURIE as the corpora write it: MeSH/NCBI ids bare, OMIM and others as they are; NIL is "-1"."""
    if not concept_id:
        return NIL_ID
    for prefix in _PREFIXES_DROPPED:
        if concept_id.startswith(prefix):
            return concept_id[len(prefix) :]
    return concept_id


def canonical_curie(curie: str) -> str:
    """``curie`` spelled as the graph spells it: a known prefix in its case (``ncbigene:7157`` ->
    ``NCBIGene:7157``) and a MeSH id upper case (``mesh:d014196`` -> ``MESH:D014196``).

    Ids are compared as strings, so an id typed in another case names nothing. Other local ids are
    left as typed (``dbSNP:rs12345`` and tmVar's variant strings are case-sensitive), as are
    unknown prefixes and what is not a CURIE.

    >>> canonical_curie("mesh:d014196"), canonical_curie("hp:0001945"), canonical_curie("ABC:x")
    ('MESH:D014196', 'HP:0001945', 'ABC:x')
    """
    prefix, colon, local = curie.partition(":")
    known = _CANONICAL_PREFIXES.get(prefix.lower()) if colon else None
    if known is None:
        return curie
    return f"{known}:{local.upper() if known == 'MESH' else local}"
