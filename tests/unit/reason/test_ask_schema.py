"""``medkg ask --json``: the schema file is current, documented, and every kind of answer validates."""

import json
import re
from pathlib import Path

import pytest

from kg.config import REPO_ROOT
from kg.reason.ask import AskAnswer, AskReading, answer_schema, ask, ask_command

SCHEMA = Path(REPO_ROOT) / "docs" / "ask.schema.json"
DOC = Path(REPO_ROOT) / "docs" / "ask.md"


def test_the_schema_file_is_current():
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == answer_schema(), (
        "regenerate it: python -m kg.reason.ask > docs/ask.schema.json")


def test_every_field_is_documented():
    doc = DOC.read_text(encoding="utf-8")
    for model in (AskAnswer, AskReading):
        for name in model.model_fields:
            assert f"`{name}`" in doc, f"docs/ask.md does not describe {model.__name__}.{name}"
    for name in answer_schema()["$defs"]:
        assert name in doc, f"docs/ask.md does not name {name}"


QUESTIONS = {
    "Which drugs cause lactic acidosis?": "answered",
    "How are lactic acid and type 2 diabetes connected?": "answered",  # a path through metformin
    "Does warfarin interact with aspirin?": "answered",
    "Tell me about metformin": "answered",
    "What does a low white cell count point to?": "co_mentions_only",
    "Which genes are linked to lactic acidosis?": "no_evidence",
    "Does warfarin interact with metformin?": "no_evidence",
    "what causes dragon pox": "no_concept",
}


def test_every_kind_of_answer_validates_against_the_schema(store, settings):
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    for question, status in QUESTIONS.items():
        printed = json.loads(ask(question, store).model_dump_json())
        assert printed["status"] == status, question
        validator.validate(printed)
    text, _ = ask_command(list(QUESTIONS), settings, as_json=True)  # --file --json: JSON Lines
    for line in text.splitlines():
        validator.validate(json.loads(line))
        AskAnswer.model_validate_json(line)  # and back into the model (extra="forbid")


def test_the_status_table_gives_the_exit_status_ask_command_returns(store, settings):
    """docs/ask.md's exit column, read literally, for every status, with and without a concept the graph lacks."""
    rows = re.findall(r"^\| `(\w+)` \| [^|]+ \| ([^|]+?) \|$", DOC.read_text(encoding="utf-8"), re.MULTILINE)
    table = {status: exit_column for status, exit_column in rows if status in set(QUESTIONS.values())}
    assert len(table) == 4
    questions = [*QUESTIONS, "Which drugs cause lactic acidosis in MESH:D999999?",
                 "Which diseases does a low white cell count point to in MESH:D999999?",
                 "Does warfarin interact with MESH:D999999?", "Tell me about MESH:D999999"]
    seen = set()
    for question in questions:
        text, code = ask_command(question, settings, as_json=True)
        answer = AskAnswer.model_validate_json(text)
        seen.add((answer.status, bool(answer.reading.missing)))
        exit_column = table[answer.status]
        documented = 2 if exit_column == "2" or (answer.reading.missing and exit_column.endswith(
            "or 2 when a named concept is not in the graph")) else 0
        assert code == documented, (question, answer.status, exit_column)
    assert seen == {(status, missing) for status in table for missing in (False, True)}
