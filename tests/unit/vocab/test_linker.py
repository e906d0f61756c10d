"""The TF-IDF linker hands genes, species, variants and cell lines to the context normalisers."""

from __future__ import annotations

from kg.config import Settings
from kg.link.conceptstore import ConceptStore, build_concept_store
from kg.link.tfidf import TfidfLinker
from kg.models import Document, DocumentMentions, Mention

from .conftest import FIXTURES


def test_linker_normalises_with_document_context(normalizers, shared, tmp_path):
    settings = Settings(data_dir=tmp_path, shared_data=shared)
    build_concept_store(settings, ontology_dir=FIXTURES)
    linker = TfidfLinker(ConceptStore.open(settings), normalizers=normalizers)
    assert linker.version.endswith(f"+vocab-{normalizers.version}")
    text = "TP53 loss in mice: the Arg215Trp change in MCF7 cells, and metformin."
    spans = [("TP53", "Gene"), ("mice", "Species"), ("Arg215Trp", "Variant"), ("MCF7", "CellLine"),
             ("metformin", "Chemical")]
    mentions = tuple(
        Mention(doc_id="PMID:1", start=text.index(t), end=text.index(t) + len(t), text=t, label=label,
                extractor="t", extractor_version="1")
        for t, label in spans
    )
    (out,) = linker.link([DocumentMentions(document=Document(id="PMID:1", source="text", text=text),
                                           mentions=mentions)])
    assert [m.concept_id for m in out.mentions] == [
        "NCBIGene:22059", "NCBITaxon:10090", "tmVar:p|SUB|R|215|W", "Cellosaurus:CVCL_0031", "MESH:D008687",
    ]
    assert out.mentions[0].candidates[0].name == "Trp53"
    variant = linker.concepts(["tmVar:p|SUB|R|215|W"])[0]
    assert variant.type == "Variant" and variant.name == "p|SUB|R|215|W"
