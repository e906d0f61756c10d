"""The error catalogue: codes unique, well formed, each raised somewhere, each rendering; the doc current."""

from __future__ import annotations

import ast
import pickle
import re
import string
from itertools import pairwise
from pathlib import Path

import pytest

import kg.errors as errors_module
from kg.errors import (
    AREAS,
    ArgumentError,
    ConfigError,
    Errors,
    MedkgError,
    Message,
    RecordError,
    area_of,
    catalogue,
    markdown,
)

ROOT = Path(__file__).resolve().parents[3]
ERRORS_PY = ROOT / "kg" / "errors.py"
SOURCES = sorted(p for d in ("kg", "flows", "ontology") for p in (ROOT / d).rglob("*.py") if p != ERRORS_PY)
CODE = re.compile(r"^E\d{3}$")
USE = re.compile(r"\bErrors\.(E\d{3})\b")
ERROR_CLASSES = {c.__name__: c for c in vars(errors_module).values()
                 if isinstance(c, type) and issubclass(c, MedkgError)}
# Keywords of a RecordError that say where the record is, not what is wrong with it.
RECORD_PLACE = {"file", "record", "doc_id"}
# Helpers that fill in fields themselves: kg.sources.pubmed._Progress.stop adds where reading stopped.
FILLED_BY_HELPER = {"stop": {"last", "count"}}


class _Any:
    """A stand-in field value that formats under any spec (``{n:,}``, ``{x!r}``, ``{s:.0f}``)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __format__(self, spec: str) -> str:
        return f"<{self.name}>"

    def __repr__(self) -> str:
        return f"<{self.name}>"


def fields_of(message: Message) -> set[str]:
    texts = (message.template, message.hint or "")
    return {name for text in texts for _, name, _, _ in string.Formatter().parse(text) if name}


def render(message: Message) -> MedkgError:
    values = {name: _Any(name) for name in fields_of(message)}
    if message.error is RecordError:
        return RecordError(message, file="f.xml", record="#1", **values)
    return message.error(message, **values)


def _calls():
    """(path, call node, code) for every call in medkg's source that passes an ``Errors.Exxx`` entry."""
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            candidates = [*node.args, *(a.body for a in node.args if isinstance(a, ast.IfExp)),
                          *(a.orelse for a in node.args if isinstance(a, ast.IfExp))]
            if isinstance(node.func, ast.Attribute):
                candidates.append(node.func.value)  # Errors.E309.reason(...)
            for arg in candidates:
                if isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name) and arg.value.id == "Errors":
                    yield path, node, arg.attr


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def test_codes_are_assigned_once_and_well_formed():
    tree = ast.parse(ERRORS_PY.read_text(encoding="utf-8"))
    body = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Errors").body
    assigned = [t.id for n in body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)]
    duplicates = {c for c in assigned if assigned.count(c) > 1}
    assert not duplicates, f"codes assigned twice (the later silently wins): {duplicates}"
    entries = catalogue()
    assert sorted(assigned) == list(entries)
    for code, message in entries.items():
        assert CODE.match(code), code
        assert message.code == code
        area = area_of(code)
        assert message.error in area.errors, f"{code} raises {message.error.__name__}, not an error of {area.name}"
        assert message.template and not message.template.endswith("."), f"{code}: no full stop, the hint follows"


def test_areas_do_not_overlap():
    blocks = sorted((a.first, a.last) for a in AREAS)
    assert all(prev[1] < nxt[0] for prev, nxt in pairwise(blocks))


@pytest.mark.parametrize("code", list(catalogue()))
def test_every_message_renders_with_its_placeholders_and_has_a_hint(code):
    message = catalogue()[code]
    exc = render(message)
    assert exc.code == code and "{" not in exc.message and exc.hint and "{" not in exc.hint
    assert str(exc).startswith(f"{code}: ") and exc.hint in str(exc)
    assert message.error is not RecordError or message.reason(**{f: _Any(f) for f in fields_of(message)})


def test_every_code_is_used_and_every_use_is_a_code():
    used = {code for path in SOURCES for code in USE.findall(path.read_text(encoding="utf-8"))}
    assert set(catalogue()) - used == set(), "codes no raise site uses: retire them in the catalogue"
    assert used - set(catalogue()) == set(), "raise sites naming codes the catalogue lacks"


def test_every_raise_site_matches_its_entry():
    """Class as catalogued, and exactly the fields the message needs: a missing one would be a KeyError
    in the middle of reporting an error, an extra one a typo."""
    problems = []
    for path, call, code in _calls():
        message = catalogue()[code]
        where = f"{path.relative_to(ROOT)}:{call.lineno} {code}"
        if any(k.arg is None for k in call.keywords):
            continue  # **fields forwarded by a helper: checked at the helper's callers
        given = {k.arg for k in call.keywords}
        func = _name(call.func)
        if func in ERROR_CLASSES:
            if ERROR_CLASSES[func] is not message.error:
                problems.append(f"{where}: raised as {func}, catalogued as {message.error.__name__}")
            if func == "RecordError":
                given -= RECORD_PLACE
        elif func == "reason" and message.error is not RecordError:
            problems.append(f"{where}: a quarantine reason needs a RecordError code")
        needed = fields_of(message) - FILLED_BY_HELPER.get(func, set())
        if given != needed:
            problems.append(f"{where}: fields {sorted(given)}, the message needs {sorted(needed)}")
    assert not problems, "\n".join(problems)


def test_medkg_errors_are_only_built_from_catalogue_entries():
    loose = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _name(node.func) in ERROR_CLASSES and isinstance(node.func, ast.Name):
                first = node.args[0] if node.args else None
                coded = (isinstance(first, ast.Attribute) and isinstance(first.value, ast.Name)
                         and first.value.id == "Errors")
                forwarded = _name(first) == "message" if first is not None else False  # a helper passing its Message on
                if not (coded or forwarded):
                    loose.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not loose, f"medkg errors without a code: {loose}"


def test_docs_list_exactly_the_catalogue():
    doc = (ROOT / "docs" / "ERRORS.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| (E\d{3}) \|", doc, flags=re.MULTILINE)
    assert listed == list(catalogue())
    assert doc == markdown(), "docs/ERRORS.md is stale: python -m kg.errors > docs/ERRORS.md"


def test_message_hint_and_reason():
    exc = ConfigError(Errors.E101, path="x.toml")
    assert (exc.code, exc.message) == ("E101", "config file x.toml does not exist")
    assert exc.hint == ConfigError.hint  # the class's default
    assert str(exc) == f"E101: config file x.toml does not exist\n  -> {ConfigError.hint}"
    assert exc.reason == "E101: config file x.toml does not exist"
    custom = ConfigError(Errors.E103, path="x.toml", names="neo4j_password", env="NEO4J_PASSWORD")
    assert custom.hint == "Secrets are read from the environment only: set NEO4J_PASSWORD."  # the entry's own


def test_record_error_names_file_and_record_and_gives_a_reason():
    exc = RecordError(Errors.E307, file="a.xml", record="#3", doc_id="PMID:x", pmid="x")
    assert exc.message == "a.xml: record #3: PMID 'x' is not a number"
    assert exc.reason == "E307: a.xml: record #3: PMID 'x' is not a number"
    assert Errors.E307.reason(pmid="x") == "E307: PMID 'x' is not a number"


def test_argument_errors_are_still_value_errors():
    with pytest.raises(ValueError, match="E010: top must be at least 1, got 0"):
        raise ArgumentError(Errors.E010, name="top", minimum=1, value=0)


def test_errors_survive_pickling():
    """Prefect and multiprocessing move exceptions between processes."""
    def unpicklable() -> None:  # a field value need not pickle: only the rendered text travels
        pass

    for exc in (ConfigError(Errors.E102, path="x.toml", error=unpicklable),
                RecordError(Errors.E309, file="a.xml", record="#1", doc_id="PMID:1")):
        back = pickle.loads(pickle.dumps(exc))
        assert type(back) is type(exc) and str(back) == str(exc) and back.code == exc.code
        assert getattr(back, "doc_id", None) == getattr(exc, "doc_id", None)
