"""What a user sees when something is wrong: `error E123: message`, the hint, exit status 2, no traceback."""

from __future__ import annotations

import sys

import pytest

from kg import cli


def run_main(monkeypatch, capsys, tmp_path, *args: str) -> str:
    monkeypatch.setattr(sys, "argv", ["medkg", "--data-dir", str(tmp_path / "data"), *args])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 2
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return out.err


def test_bad_toml_config(monkeypatch, capsys, tmp_path):
    config = tmp_path / "medkg.toml"
    config.write_text("batch_size = [\n")
    err = run_main(monkeypatch, capsys, tmp_path, "--config", str(config), "stats")
    assert err.startswith(f"error E102: config file {config} is not valid TOML")
    assert "\n  -> Check the MEDKG_* environment variables" in err


def test_unknown_saved_query(monkeypatch, capsys, tmp_path):
    err = run_main(monkeypatch, capsys, tmp_path, "query", "--saved", "nope")
    assert err.startswith("error E760: no saved query named 'nope'\n")
    assert "  -> Choose one of: top_diseases, " in err


def _never(*args, **kwargs):
    raise AssertionError("work started before the arguments were checked")


def test_missing_pubmed_file(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(cli, "_run_ingest", _never)  # every file is checked before the run starts
    missing = tmp_path / "nope.xml.gz"
    err = run_main(monkeypatch, capsys, tmp_path, "ingest", "pubmed", str(missing))
    assert err.startswith(f"error E201: cannot open PubMed file {missing}: No such file or directory\n")
    assert "  -> Pass PubMed XML files (.xml or .xml.gz) that exist and can be read" in err


def test_markup_in_a_message_is_printed_as_written(monkeypatch, capsys, tmp_path):
    config = tmp_path / "hf.toml"
    config.write_text("[training]\nlerning_rate = 1e-4\n")
    err = run_main(monkeypatch, capsys, tmp_path, "train", "ner", "--config", str(config), "--output", str(tmp_path))
    assert err.startswith(f"error E142: {config}: unknown [training] keys ['lerning_rate']")


def test_an_output_that_cannot_be_written_is_refused_before_any_work(monkeypatch, capsys, tmp_path):
    import kg.evaluate.gold

    monkeypatch.setattr(kg.evaluate.gold, "annotate_file", _never)
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    err = run_main(monkeypatch, capsys, tmp_path, "annotate", "-i", str(a_file), "-o", str(a_file / "out.pub"))
    assert err.startswith(f"error E004: cannot write {a_file / 'out.pub'}: {a_file} is a file, not a folder\n")
    (tmp_path / "data" / "falkordb").mkdir(parents=True)  # a graph to export: the data dir is checked first
    err = run_main(monkeypatch, capsys, tmp_path, "export", "kgx", str(a_file / "deeper" / "kgx"))
    assert err.startswith(f"error E004: cannot write {a_file / 'deeper' / 'kgx'}: {a_file} is a file, not a folder")
    err = run_main(monkeypatch, capsys, tmp_path, "report", "asthma", "--out", str(tmp_path))
    assert err.startswith(f"error E004: cannot write {tmp_path}: it is a folder")


@pytest.mark.parametrize("kind, name", [("kgx", "edges.tsv"), ("neo4j-admin", "IMPORT.md")])
def test_an_export_file_that_cannot_be_replaced_is_refused_before_the_graph_opens(monkeypatch, capsys, tmp_path,
                                                                                 kind, name):
    monkeypatch.setattr(cli, "_graph", _never)
    (tmp_path / "data" / "falkordb").mkdir(parents=True)
    out = tmp_path / "out"
    (out / name).mkdir(parents=True)
    err = run_main(monkeypatch, capsys, tmp_path, "export", kind, str(out))
    assert err.startswith(f"error E004: cannot write {out / name}: it is a folder")
    (out / name).rmdir()
    (out / name).symlink_to("/nonexistent/x")
    err = run_main(monkeypatch, capsys, tmp_path, "export", kind, str(out))
    assert err.startswith(f"error E004: cannot write {out / name}: it is a symbolic link (to /nonexistent/x)")


@pytest.mark.parametrize("kind", ["kgx", "neo4j-admin"])
def test_export_from_a_mistyped_data_dir_is_refused_and_creates_nothing(monkeypatch, capsys, tmp_path, kind):
    """An empty export's IMPORT.md says --overwrite-destination=true: following it would wipe the database."""
    monkeypatch.setattr(cli, "_graph", _never)
    out = tmp_path / "out"
    err = run_main(monkeypatch, capsys, tmp_path, "export", kind, str(out))
    assert err.startswith(f"error E008: nothing to export from data dir {tmp_path / 'data'}: there is no such folder")
    assert not (tmp_path / "data").exists() and not out.exists()
    (tmp_path / "data").mkdir()  # a folder, but no graph in it (only a ledger, say)
    err = run_main(monkeypatch, capsys, tmp_path, "export", kind, str(out))
    assert err.startswith(f"error E008: nothing to export from data dir {tmp_path / 'data'}: it holds no graph")
    assert not (tmp_path / "data" / "falkordb").exists() and not out.exists()


@pytest.mark.parametrize("args", [["stats"], ["query", "MATCH (n) RETURN count(n)"], ["ask", "What causes asthma?"],
                                  ["ddi", "warfarin", "aspirin"], ["report", "asthma"],
                                  ["viz", "asthma", "--out", "x.png"]])
def test_a_command_that_reads_the_graph_refuses_a_mistyped_data_dir_and_creates_nothing(monkeypatch, capsys, tmp_path,
                                                                                        args):
    """Before, each created the data dir and answered from an empty graph: zeros, "not in the graph"."""
    monkeypatch.setattr("kg.graph.backends.open_store", _never)  # the check is made before the store opens
    monkeypatch.chdir(tmp_path)
    err = run_main(monkeypatch, capsys, tmp_path, *args)
    assert err.startswith(f"error E011: no graph to read in data dir {tmp_path / 'data'}: there is no such folder")
    assert not (tmp_path / "data").exists()
    (tmp_path / "data").mkdir()
    err = run_main(monkeypatch, capsys, tmp_path, *args)
    assert err.startswith(f"error E011: no graph to read in data dir {tmp_path / 'data'}: it holds no graph")
    assert not (tmp_path / "data" / "falkordb").exists()


@pytest.mark.parametrize(("args", "code"), [(["stats"], "E011: no graph to read in"),
                                             (["query", "RETURN 1"], "E011: no graph to read in"),
                                             (["export", "kgx", "out"], "E008: nothing to export from")])
def test_a_data_dir_that_is_a_file_is_said_to_be_one(monkeypatch, capsys, tmp_path, args, code):
    """QA: `--data-dir FILE` was said to be "no such folder"."""
    monkeypatch.setattr("kg.graph.backends.open_store", _never)  # the check is made before the store opens
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").write_text("")
    err = run_main(monkeypatch, capsys, tmp_path, *args)
    assert err.startswith(f"error {code} data dir {tmp_path / 'data'}: it is a file, not a folder\n")


@pytest.mark.parametrize("kind", ["kgx", "neo4j-admin"])
def test_export_of_an_empty_graph_is_refused_creates_no_folder_and_names_the_graph_the_ledger_describes(
        monkeypatch, capsys, tmp_path, kind):
    """QA: the refused export left its (empty) output folder behind, and with MEDKG_GRAPH_NAME naming another
    graph than the one ingested it said only "the graph is empty" where stats says E804."""
    from kg.ledger import Ledger

    from kg.config import Settings
    from kg.graph.backends import open_store

    with open_store(Settings(data_dir=tmp_path / "data")) as store:
        store.ensure_schema()
    err = run_main(monkeypatch, capsys, tmp_path, "export", kind, str(tmp_path / "out"))
    assert err.startswith(f"error E008: nothing to export from data dir {tmp_path / 'data'}: the graph is empty")
    assert not (tmp_path / "out").exists()
    with Ledger(tmp_path / "data" / "ledger.sqlite") as ledger:
        ledger.bind_graph({"store": "falkordb", "graph": "ingested"}, 0)
    err = run_main(monkeypatch, capsys, tmp_path, "export", kind, str(tmp_path / "out"))
    assert "the graph is empty (E804: ledger" in err and "describes falkordb graph 'ingested'" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args", [["stats"], ["query", "MATCH (n) RETURN count(n)"], ["ask", "What causes asthma?"],
                                  ["ddi", "warfarin", "aspirin"], ["report", "asthma"],
                                  ["viz", "asthma", "--out", "x.png"], ["discover", "asthma"], ["export", "kgx", "out"]])
def test_a_command_that_reads_the_graph_refuses_a_mistyped_graph_name_names_those_there_are_and_creates_none(
        monkeypatch, capsys, tmp_path, args):
    """QA: with MEDKG_GRAPH_NAME=medkgg each answered from an empty graph: zeros, "no rows", "not in the graph"."""
    from kg.config import Settings
    from kg.graph.backends import open_store

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MEDKG_CONFIG", raising=False)
    monkeypatch.setenv("MEDKG_GRAPH_NAME", "medkgg")
    with open_store(Settings(data_dir=tmp_path / "data", graph_name="medkg")) as store:  # held: one server start
        store.ensure_schema()
        err = run_main(monkeypatch, capsys, tmp_path, *args)
        code = "E008: nothing to export from" if args[0] == "export" else "E011: no graph to read in"
        assert err.startswith(f"error {code} data dir {tmp_path / 'data'}: it holds no graph named 'medkgg', only "
                              "'medkg'; did you mean 'medkg'?\n")
        assert "MEDKG_GRAPH_NAME" in err.split("\n  -> ", 1)[1]
        assert store._db.list_graphs() == ["medkg"] and not (tmp_path / "out").exists()  # a read made no graph


def test_stats_with_a_ledger_says_the_graph_name_is_not_there_and_a_write_creates_the_graph(monkeypatch, capsys,
                                                                                           tmp_path):
    from kg.config import Settings
    from kg.graph.backends import open_store
    from kg.ledger import Ledger

    monkeypatch.delenv("MEDKG_CONFIG", raising=False)
    monkeypatch.setenv("MEDKG_GRAPH_NAME", "other")
    with open_store(Settings(data_dir=tmp_path / "data", graph_name="medkg")) as store:
        store.ensure_schema()
        with Ledger(tmp_path / "data" / "ledger.sqlite") as ledger:
            ledger.bind_graph({"store": "falkordb", "graph": "medkg"}, 0)
        for args in (["stats"], ["query", "--write", "CREATE (:Document {id: 'PMID:1', source: 'pubmed'})"]):
            monkeypatch.setattr(sys, "argv", ["medkg", "--data-dir", str(tmp_path / "data"), *args])
            with pytest.raises(SystemExit) as exit_:
                cli.main()
            assert exit_.value.code == 0
            if args == ["stats"]:  # the ledger's E804 explains it: no refusal
                out = capsys.readouterr().out
                assert "none, it holds no graph named 'other', only 'medkg'" in out and "warning E804" in out
                assert store._db.list_graphs() == ["medkg"]
        assert sorted(store._db.list_graphs()) == ["medkg", "other"]  # a write still creates it


def test_a_question_file_that_is_not_utf8(monkeypatch, capsys, tmp_path):
    questions = tmp_path / "questions.txt"
    questions.write_bytes(b"What causes \xff asthma?\n")
    err = run_main(monkeypatch, capsys, tmp_path, "ask", "--file", str(questions))
    assert err.startswith(f"error E005: cannot read {questions}: 'utf-8' codec can't decode byte 0xff")


def test_a_saved_query_without_its_parameter_names_it(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(cli, "_graph", _never)
    err = run_main(monkeypatch, capsys, tmp_path, "query", "--saved", "chemicals_for_disease")
    assert err.startswith("error E761: the saved query 'chemicals_for_disease' needs the parameter(s) disease\n")
    assert "-p disease=VALUE" in err


@pytest.mark.parametrize(("value", "text", "why"), [
    ("99999999999999999999", "99999999999999999999", "outside the 64-bit integer range"),
    ("-9223372036854775809", "-9223372036854775809", "outside the 64-bit integer range"),
    ("1e400", "1e400", "not a finite number"),
    ("-1e999", "-1e999", "not a finite number"),
    ("NaN", "NaN", "not a finite number"),
    ('[1, {"a": [Infinity]}]', "Infinity", "not a finite number"),
    ("9" * 5000, "9" * 20 + "...(5000 digits)", "outside the 64-bit integer range"),
])
def test_a_number_the_graph_cannot_hold_is_refused_before_the_query_runs(monkeypatch, capsys, tmp_path, value,
                                                                          text, why):
    """QA: 99999999999999999999 was clamped to 9223372036854775807 without a word; 1e400 and NaN came
    back from FalkorDB as E752 with a hint about read-only mode."""
    monkeypatch.setattr(cli, "_graph", _never)
    err = run_main(monkeypatch, capsys, tmp_path, "query", "RETURN $y AS y", "-p", f"y={value}")
    assert err.startswith(f"error E762: parameter 'y': {text} is {why}")
    assert f"""-p y='"{text}"'""" in err  # how to send it as text instead


@pytest.mark.parametrize(("value", "parsed"), [
    ("9223372036854775807", 2**63 - 1), ("-9223372036854775808", -2**63), ("1e308", 1e308),
    ('"99999999999999999999"', "99999999999999999999"), ("99999999999999999999x", "99999999999999999999x"),
    ("[1, 2.5, {\"a\": null}]", [1, 2.5, {"a": None}]), ("NaNa", "NaNa"),
])
def test_parameters_the_graph_can_hold_are_sent_as_they_are(value, parsed):
    assert cli._parse_value(value, "y") == parsed


def test_serve_checks_what_its_deployments_need_before_serving(monkeypatch, capsys, tmp_path):
    """QA: without the pseudonym key or a Prefect server, `medkg serve` said it was serving, and no run
    ever started (each notes run would have failed with E120)."""
    import flows.deployments
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.setattr(flows.deployments, "serve", _never)
    notes = tmp_path / "notes.csv"
    notes.write_text("")
    monkeypatch.delenv("MEDKG_PSEUDONYM_KEY", raising=False)
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:4200/api"}):
        err = run_main(monkeypatch, capsys, tmp_path, "serve", "--notes", str(notes))
    assert err.startswith("error E120: clinical notes need a pseudonymisation key")
    monkeypatch.setenv("MEDKG_PSEUDONYM_KEY", "short")
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:4200/api"}):
        err = run_main(monkeypatch, capsys, tmp_path, "serve", "--notes", str(notes))
    assert err.startswith("error E121: MEDKG_PSEUDONYM_KEY is 5 characters")
    monkeypatch.setenv("MEDKG_PSEUDONYM_KEY", "0123456789abcdef0123")
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        err = run_main(monkeypatch, capsys, tmp_path, "serve", "--notes", str(notes))
    assert err.startswith("error E113: PREFECT_API_URL is not set")
    assert "prefect server start" in err and "export PREFECT_API_URL=http://127.0.0.1:4200/api" in err


def test_training_checks_its_config_first_and_reads_the_configured_shared_data(monkeypatch, capsys, tmp_path):
    out = tmp_path / "training"
    err = run_main(monkeypatch, capsys, tmp_path, "train", "ner", "--config", str(tmp_path / "x.cfg"), "--output", str(out))
    assert err.startswith(f"error E140: NER training config {tmp_path / 'x.cfg'} does not exist") and not out.exists()
    monkeypatch.setenv("MEDKG_SHARED_DATA", str(tmp_path / "elsewhere"))
    err = run_main(monkeypatch, capsys, tmp_path, "train", "re", "--output", str(out))
    assert err.startswith(f"error E230: training corpus {tmp_path / 'elsewhere'}/corpora/")


def test_version_answers_without_a_command(monkeypatch, capsys):
    from kg import __version__

    monkeypatch.setattr(sys, "argv", ["medkg", "--version"])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 0 and capsys.readouterr().out.strip() == f"medkg {__version__}"


def test_a_blank_question_is_the_usage_mistake_of_no_question(monkeypatch, capsys, tmp_path):
    import kg.reason.ask

    monkeypatch.setattr(kg.reason.ask, "answer_all", _never)  # refused before the models load
    none, empty, blank = (run_main(monkeypatch, capsys, tmp_path, "ask", *q) for q in ((), ("",), ("  ",)))
    assert "Usage: " in none and "give a QUESTION or --file FILE" in none
    assert empty == none and blank == none


@pytest.mark.parametrize("question", ["", "  \t"])
def test_a_blank_question_is_refused_before_the_answering_code_is_imported(monkeypatch, capsys, tmp_path, question):
    """QA: `medkg ask ""` took seconds to say so: kg.reason.ask, which imports spaCy and the linker, came first."""
    monkeypatch.setitem(sys.modules, "kg.reason.ask", None)  # importing it now fails
    err = run_main(monkeypatch, capsys, tmp_path, "ask", question)
    assert "Usage: " in err and "give a QUESTION or --file FILE" in err


def test_an_unreachable_eutils_fails_before_the_models_load_and_leaves_no_run(monkeypatch, capsys, tmp_path):
    import httpx

    real = httpx.Client
    refuse = httpx.MockTransport(lambda request: httpx.Response(403, content=b"Forbidden: no network here"))
    monkeypatch.setattr(httpx, "Client", lambda **kwargs: real(transport=refuse))
    monkeypatch.setattr(cli, "_run_ingest", _never)  # the store, the ledger and the models
    err = run_main(monkeypatch, capsys, tmp_path, "ingest", "pubmed", "--query", "aspirin")
    assert err.startswith("error E244: esearch.fcgi failed with HTTP 403: Forbidden: no network here\n")
    assert not (tmp_path / "data" / "ledger.sqlite").exists()


@pytest.mark.parametrize("args, says", [
    (["--query", "aspirin", "--max", "0"], "--max"),
    (["--query", "aspirin", "--max", "-5"], "--max"),
    (["a.xml", "--max", "5"], "--max limits the records of --query"),
])
def test_max_is_at_least_one_and_only_with_a_query(monkeypatch, tmp_path, args, says):
    from clirun import medkg

    monkeypatch.setattr(cli, "_run_ingest", _never)
    (tmp_path / "a.xml").write_text("<PubmedArticleSet/>")
    monkeypatch.chdir(tmp_path)
    assert says in medkg("--data-dir", str(tmp_path / "data"), "ingest", "pubmed", *args, code=2)


@pytest.mark.parametrize("args", [("report", "hypertension", "--limit", "4294967296"),
                                  ("ask", "What causes asthma?", "--limit", "4294967296"),
                                  ("ask", "What causes asthma?", "--citations", "100001"),
                                  ("viz", "asthma", "--max-nodes", "4294967296")])
def test_a_listing_limit_past_any_reading_is_refused_before_the_graph_is_read(monkeypatch, capsys, tmp_path, args):
    """QA: FalkorDB reads LIMIT 2**32 as 0, so `report X --limit 4294967296` said "No claimed relation"."""
    err = " ".join(run_main(monkeypatch, capsys, tmp_path, *args).replace("│", " ").split())  # a boxed message
    assert "less than or equal to 100000" in err and not (tmp_path / "data").exists()


@pytest.mark.parametrize("args, said", [
    (("query", "MATCH (n) RETURN n LIMIT 1", "--saved", "top_diseases"), "not both"),
    (("query", "--saved", "top_diseases", "-p", "x=1"), "takes no parameter x (it takes: none)"),
    (("query", "--saved", "documents_for_concept", "-p", "concept=MESH:D1", "-p", "concpet=2"),
     "takes no parameter concpet (it takes: concept)")])
def test_what_a_saved_query_would_ignore_is_refused(monkeypatch, capsys, tmp_path, args, said):
    """QA: a Cypher text beside --saved, and a parameter the saved query does not read, were silently ignored."""
    err = " ".join(run_main(monkeypatch, capsys, tmp_path, *args).replace("│", " ").split())
    assert said in err and not (tmp_path / "data").exists()


@pytest.mark.parametrize("args, says", [
    (("--model", "m", "--corpus", "cdr.txt"), "error E013: --corpus 'cdr.txt' is not HEAD=PUBTATOR with HEAD one of "
     "cid, biored"),
    (("--model", "m", "--corpus", "ner=cdr.txt"), "error E013: --corpus 'ner=cdr.txt'"),
    (("--model", "m", "--corpus", "cid=missing.txt"), "error E220: cannot open PubTator file missing.txt: no such file"),
    (("--model", "nomodel", "--corpus", "cid=cdr.txt"), "error E411: no relation model at nomodel/model.joblib"),
])
def test_re_calibrate_refuses_a_bad_corpus_or_model_before_building_the_pipeline(monkeypatch, capsys, tmp_path, args, says):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cdr.txt").write_text("1|t|x\n")
    monkeypatch.setattr("kg.components.build_annotator", _never)
    err = run_main(monkeypatch, capsys, tmp_path, "train", "re-calibrate", *args)
    assert err.startswith(says), err
