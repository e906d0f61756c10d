"""`medkg ask`, `report` and `viz` end to end: the real NER and linker chain on a small demo graph."""

import json

import pytest

from kg.config import load_settings
from kg.graph.backends import open_store
from kg.reason.ask import AskAnswer

from clirun import medkg

pytestmark = pytest.mark.slow

# The most mentioned disease with a claimed relation (a question about it must find it by NER + linker).
DISEASE = (
    "MATCH (c:Disease)-[t]-(:Concept) WHERE t.evidence_count IS NOT NULL AND type(t) <> 'CO_OCCURS_WITH' "
    "RETURN c.id AS id, c.name AS name, c.doc_count AS docs ORDER BY docs DESC, id LIMIT 1"
)


def test_ask_report_and_viz_on_a_demo_graph(medkg_env, tmp_path):
    medkg("demo", "--limit", "120", "--no-notes")
    with open_store(load_settings()) as store:
        [disease] = store.query(DISEASE)
    name = disease["name"].lower()

    answer = AskAnswer.model_validate_json(medkg("ask", f"WHAT IS {name.upper()} ASSOCIATED WITH??", "--json"))
    assert answer.status == "answered" and answer.reading.intent == "associated"
    assert answer.reading.concepts[0].id == disease["id"] and answer.reading.concepts[0].found_by == "linker"
    assert all(i.citations for i in answer.items())

    questions = tmp_path / "questions.txt"
    questions.write_text(f"# a comment\nTell me about {name}\nwhat causes dragon pox\n", encoding="utf-8")
    lines = medkg("ask", "--file", str(questions), "--json", code=2).splitlines()
    assert [json.loads(x)["status"] for x in lines] == ["answered", "no_concept"]
    assert "I found no concept of the graph" in medkg("ask", "what causes dragon pox", code=2)

    md = medkg("report", name)
    assert md.index("## Claimed relations") < md.index("## Co-mentions")
    page = tmp_path / "report.html"
    medkg("report", disease["id"], "--out", str(page))
    assert '<section id="relations">' in page.read_text(encoding="utf-8")
    medkg("viz", name, "--out", str(tmp_path / "viz.html"))
    assert 'id="legend"' in (tmp_path / "viz.html").read_text(encoding="utf-8")

    chemicals = [r["name"] for r in store_rows(
        "MATCH (c:Chemical) WHERE c.doc_count > 0 RETURN c.name AS name ORDER BY c.doc_count DESC, c.id LIMIT 2")]
    out = medkg("ddi", chemicals[0], chemicals[1], chemicals[0].upper())  # the same drug twice is one drug
    assert out.count(" + ") == 1 and out.count("**Q:**") == 1
    assert f"**Q:** do {chemicals[0]} and {chemicals[1]} interact" in out


def store_rows(cypher: str) -> list[dict]:
    with open_store(load_settings()) as store:
        return store.query(cypher)
