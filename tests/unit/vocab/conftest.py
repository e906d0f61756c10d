"""A tiny shared-data folder: the gene and MeSH fixtures under their real names, and a training corpus
(:func:`fixture_store.fixture_shared`); and one that knows more organisms and training abstracts."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixture_store import fixture_shared

# Organisms beyond the fixture's three, with MeSH 2024's tree numbers and taxa: animals that are not
# human, mouse or rat, a group that holds them, a virus, and descriptors that list several taxa or
# another than the corpora use.
MORE_DESCRIPTORS = """\
D015027\tZebrafish\tDanio rerio|Zebrafishes\tB01.050.150.900.493.200.244.828\t7955
D004331\tDrosophila melanogaster\tD. melanogaster\tB01.050.500.131.617.720.500.500.750.310.250.500\t7227
D008322\tMammals\tMammalia\tB01.050.150.900.649\t40674
D015497\tHIV-1\tHuman immunodeficiency virus 1\tB04.820.650.589.650.350.400\t11676
D002417\tCattle\tCow|Cows\tB01.050.150.900.649.313.500.380.271\t30521|9913|9915
D008253\tMacaca mulatta\tRhesus Monkey|Rhesus Monkeys\tB01.050.150.900.649.313.988.400.112.199.120.510.550\t1449913
"""
# Training abstracts as BioRED annotates them: bovine and rhesus monkeys, and changes whose rsIDs
# their texts do not give, each in its gene.
MORE_TRAINING = """\
21|t|Bovine and rhesus monkeys.
21|a|KRAS G12D was found.
21\t0\t6\tBovine\tOrganismTaxon\t9913
21\t11\t25\trhesus monkeys\tOrganismTaxon\t9544
21\t27\t31\tKRAS\tGeneOrGeneProduct\t3845
21\t32\t36\tG12D\tSequenceVariant\trs121913529

22|t|POLG in Alpers syndrome.
22|a|The POLG Ala467Thr change.
22\t0\t4\tPOLG\tGeneOrGeneProduct\t5428
22\t29\t33\tPOLG\tGeneOrGeneProduct\t5428
22\t34\t43\tAla467Thr\tSequenceVariant\trs113994095

"""


@pytest.fixture(scope="session")
def shared(tmp_path_factory) -> Path:
    return fixture_shared(tmp_path_factory.mktemp("shared"))


@pytest.fixture(scope="session")
def normalizers(shared, tmp_path_factory):
    from kg.vocab.normalizers import Normalizers

    return Normalizers.load(shared, tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def more_shared(tmp_path_factory) -> Path:
    """:func:`shared` with :data:`MORE_DESCRIPTORS` and :data:`MORE_TRAINING` added."""
    root = fixture_shared(tmp_path_factory.mktemp("more"))
    with (root / "ontology/mesh/mesh2024_descriptor_terms.tsv.gz").open("a") as fh:
        fh.write(MORE_DESCRIPTORS)
    with (root / "corpora/biored/Train.PubTator").open("a") as fh:
        fh.write(MORE_TRAINING)
    return root
