"""CURIEs and the ids the corpora write: ``D003924`` <-> ``MESH:D003924``, ``7157`` <-> ``NCBIGene:7157``.

The graph speaks CURIEs (``PREFIX:LOCAL``, validated by :func:`kg.models.validate_curie`);
the annotated corpora write bare MeSH, NCBI Gene and Taxonomy ids and tmVar variant strings.
Both directions live here so that learning (lexicons, relation priors) and scoring agree.
"""

from __future__ import annotations

from kg.models import validate_curie
from kg.sources.pubtator import NIL_ID, NIL_IDS  # what the corpora write for a mention with no concept

# Prefixes the corpora leave out (BioRED writes cell lines as bare CVCL ids); others (OMIM:) stay.
_PREFIXES_DROPPED = ("MESH:", "NCBIGene:", "NCBITaxon:", "dbSNP:", "tmVar:", "Cellosaurus:")


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
