"""IS_VARIANT_OF: a linked variant tied to the linked gene its sentence names with it."""

from kg.assemble import IS_VARIANT_OF, Assembler
from kg.models import Candidate, Concept, Mention

from fakes import analyse

IDS = {"BRAF": "NCBIGene:673", "KRAS": "NCBIGene:3845", "V600E": "tmVar:p|SUB|V|600|E",
       "G12D": "tmVar:p|SUB|G|12|D", "R215W": "tmVar:p|SUB|R|215|W"}


def annotated(text: str, labels: dict[str, str]):
    doc = analyse(text)
    mentions = []
    for word, label in labels.items():
        start = text.index(word)
        s, e = doc.sentence_of(start, start + len(word))
        mentions.append(Mention(doc_id=doc.id, start=start, end=start + len(word), text=word, label=label,
                                extractor="t", extractor_version="1", sentence_start=s, sentence_end=e,
                                candidates=(Candidate(concept_id=IDS[word], score=0.9),)))
    doc.mentions = tuple(sorted(mentions, key=lambda m: m.start))
    doc.concepts = {m.concept_id: Concept(id=m.concept_id, name=m.text, type=m.label) for m in mentions}
    return doc


def ties(doc):
    batch = Assembler(cooccurrence=False).assemble([doc])
    return [(e.triple.subject, e.triple.object, e.subject_span, e.object_span, e.sentence)
            for e in batch.evidence if e.triple.predicate == IS_VARIANT_OF]


def test_a_variant_is_tied_to_the_gene_its_sentence_names_before_it_or_as_in_the_x_gene_after_it():
    text = "BRAF V600E was found in most tumours. We found G12D in the KRAS gene rarely."
    doc = annotated(text, {"BRAF": "Gene", "V600E": "Variant", "G12D": "Variant", "KRAS": "Gene"})
    assert ties(doc) == [
        ("tmVar:p|SUB|V|600|E", "NCBIGene:673", (5, 10), (0, 4), "BRAF V600E was found in most tumours."),
        ("tmVar:p|SUB|G|12|D", "NCBIGene:3845", (text.index("G12D"), text.index("G12D") + 4),
         (text.index("KRAS"), text.index("KRAS") + 4), "We found G12D in the KRAS gene rarely."),
    ]


def test_no_tie_across_sentences_or_to_a_gene_merely_nearby():
    text = "BRAF was sequenced. R215W was found, and KRAS was normal."
    assert ties(annotated(text, {"BRAF": "Gene", "R215W": "Variant", "KRAS": "Gene"})) == []
