"""All context normalisers behind one call, for a linker: which one serves which mention type."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.config import SHARED_DATA
from kg.models import stable_hash
from kg.vocab import celllines, genes, species, variants
from kg.vocab.celllines import CellLineNormalizer
from kg.vocab.context import DocContext
from kg.vocab.genes import GeneNormalizer
from kg.vocab.learned import inputs_key, training_path
from kg.vocab.species import SpeciesNormalizer
from kg.vocab.variants import VariantNormalizer

TYPES = ("Gene", "Species", "Variant", "CellLine")


def version_of(shared_data: Path = SHARED_DATA) -> str:
    """What the normalisers would be built from, hashed: cheap (file digests), no build needed."""
    root = Path(shared_data)
    files = [*(root / rel for rel in genes.INPUT_FILES), root / species.MESH_DESCRIPTORS]
    return stable_hash(
        genes.FORMAT_VERSION, species.FORMAT_VERSION, variants.FORMAT_VERSION, celllines.FORMAT_VERSION,
        inputs_key(*files, training_path(root)),
    )[:12]


@dataclass
class Normalizers:
    """Genes, species, variants and cell lines; ``normalize`` dispatches on the mention type."""

    genes: GeneNormalizer
    species: SpeciesNormalizer
    variants: VariantNormalizer
    celllines: CellLineNormalizer
    version: str

    @classmethod
    def load(cls, shared_data: Path = SHARED_DATA, cache_dir: Path | None = None) -> Normalizers:
        """Each built once from ``shared_data`` and cached in ``cache_dir`` (about 15 s the first time)."""
        gene_normalizer = GeneNormalizer.load(shared_data, cache_dir)
        return cls(
            genes=gene_normalizer,
            species=gene_normalizer.species,
            variants=VariantNormalizer.load(shared_data, cache_dir),
            celllines=CellLineNormalizer.load(shared_data, cache_dir),
            version=version_of(shared_data),
        )

    def context(
        self, text: str, *, gene_texts: Sequence[str] = (), abbreviations: dict[str, str] | None = None,
        title_end: int = 0, variants: tuple | None = None, sentence_starts: tuple[int, ...] = (),
    ) -> DocContext:
        """The document's context: species scanned from its text, plus what the caller knows
        (``variants``: the variant rules' scan of the text, when the extractor made one)."""
        return DocContext.build(
            text, species=self.species, abbreviations=abbreviations, genes=tuple(gene_texts), title_end=title_end,
            variants=variants, sentence_starts=sentence_starts,
        )

    def normalize(
        self, type_: str, mentions: Sequence[tuple[str, int, int]], context: DocContext
    ) -> list[tuple[str | None, float]]:
        """``(text, start, end)`` mentions of one type in one document -> ``(CURIE or None, score)``."""
        if type_ == "Gene":
            return self.genes.normalize(mentions, context)
        if type_ == "Variant":
            return self.variants.normalize(mentions, context)
        if type_ == "CellLine":
            return self.celllines.normalize(mentions, context)
        if type_ == "Species":
            return [(curie, 1.0 if curie else 0.0) for curie, _ in map(self.species.normalize, (m[0] for m in mentions))]
        # medkg's linker asks only for TYPES: another type is a programming error, not a user's
        raise ValueError(f"no normaliser for {type_!r}; these have one: {', '.join(TYPES)}")

    def label(self, curie: str) -> str | None:
        """A display name for a normalised id where one is at hand (gene symbols)."""
        return self.genes.symbol(curie)
