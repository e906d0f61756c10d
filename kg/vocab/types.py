"""Entity types: the corpora's type names and model labels mapped onto medkg's types."""

from __future__ import annotations

from kg.models import ENTITY_TYPES

# Corpus type names -> medkg's EntityType (kg.models.ENTITY_TYPES).
ENTITY_TYPE_MAP: dict[str, str] = {
    "Chemical": "Chemical",
    "ChemicalEntity": "Chemical",
    "Disease": "Disease",
    "SpecificDisease": "Disease",
    "DiseaseClass": "Disease",
    "Modifier": "Disease",
    "CompositeMention": "Disease",
    "DiseaseOrPhenotypicFeature": "Disease",
    "Gene": "Gene",
    "GeneOrGeneProduct": "Gene",
    "Species": "Species",
    "OrganismTaxon": "Species",
    "Variant": "Variant",
    "SequenceVariant": "Variant",
    "DNAMutation": "Variant",
    "ProteinMutation": "Variant",
    "SNP": "Variant",
    "CellLine": "CellLine",
}
_BIO_PREFIXES = ("B-", "I-", "E-", "S-", "L-", "U-")


def entity_type(corpus_type: str) -> str | None:
    """medkg's entity type for a corpus type name (``SpecificDisease`` -> ``Disease``), or None."""
    return ENTITY_TYPE_MAP.get(corpus_type)


def medkg_type(label: str) -> str | None:
    """medkg's type for a model label: "B-Chemical", "ChemicalEntity" and "chemical" all -> Chemical."""
    bare = label.split("-", 1)[1] if label[:2] in _BIO_PREFIXES else label
    if bare in ENTITY_TYPES:
        return bare
    if mapped := entity_type(bare):
        return mapped
    return {t.lower(): t for t in ENTITY_TYPES}.get(bare.lower())
