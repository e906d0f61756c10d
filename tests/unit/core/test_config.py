import os
from pathlib import Path

import pytest

from kg.config import Settings, load_settings
from kg.errors import ConfigError


@pytest.fixture
def clean_env(monkeypatch):
    for k in list(os.environ):
        if k.startswith(("MEDKG_", "NEO4J_")):
            monkeypatch.delenv(k)


def test_defaults_are_defined_once(clean_env):
    s = load_settings()
    assert s == Settings()
    assert s.store == "falkordb" and s.batch_size == 500 and s.data_dir == Path(".medkg")


def test_precedence_overrides_env_file(tmp_path, monkeypatch):
    cfg = tmp_path / "medkg.toml"
    cfg.write_text('[medkg]\nbatch_size = 100\ngraph_name = "fromfile"\n')
    monkeypatch.setenv("MEDKG_BATCH_SIZE", "200")
    s = load_settings(cfg)
    assert s.batch_size == 200 and s.graph_name == "fromfile"
    assert load_settings(cfg, batch_size=300).batch_size == 300


def test_secrets_only_from_env(tmp_path, monkeypatch):
    cfg = tmp_path / "medkg.toml"
    cfg.write_text('neo4j_password = "hunter2"\n')
    with pytest.raises(ConfigError, match="NEO4J_PASSWORD"):
        load_settings(cfg)
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret")
    s = load_settings()
    assert s.neo4j_password.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(s)


def test_bad_values_name_the_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("MEDKG_BATCH_SIZE", "lots")
    with pytest.raises(ConfigError, match="batch_size.*MEDKG_BATCH_SIZE"):
        load_settings()
    monkeypatch.delenv("MEDKG_BATCH_SIZE")
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("batch_size = = 3")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(bad)


@pytest.mark.parametrize(("content", "code", "text"), [
    (None, "E105", "cannot read config file {cfg}: Is a directory"),
    (b"batch_size = 5\n# caf\xe9\n", "E106", "config file {cfg} is not UTF-8: byte 0xe9 at offset 20"),
    (b"medkg = 5\n", "E107", "config file {cfg}: 'medkg' is not a table"),
])
def test_an_unreadable_config_file_is_a_coded_error(tmp_path, clean_env, content, code, text):
    cfg = tmp_path / "medkg.toml"
    if content is None:
        cfg.mkdir()
    else:
        cfg.write_bytes(content)
    with pytest.raises(ConfigError) as exc:
        load_settings(cfg)
    assert exc.value.code == code and exc.value.message == text.format(cfg=cfg)


def test_a_secret_beside_the_medkg_table_is_refused(tmp_path, clean_env):
    cfg = tmp_path / "medkg.toml"
    cfg.write_text('neo4j_password = "x"\n[medkg]\nbatch_size = 3\n')
    with pytest.raises(ConfigError, match="E103: .* sets secret.* neo4j_password"):
        load_settings(cfg)
    cfg.write_text('[medkg]\nncbi_api_key = "x"\n')
    with pytest.raises(ConfigError, match="E103: .*ncbi_api_key(.|\n)*set NCBI_API_KEY"):
        load_settings(cfg)


def test_settings_are_at_top_level_or_under_medkg_not_both(tmp_path, clean_env):
    """A key beside a [medkg] table used to be dropped without a word."""
    cfg = tmp_path / "medkg.toml"
    cfg.write_text('batch_size = 0\nworkers = 2\n[medkg]\ngraph_name = "g"\n')
    with pytest.raises(ConfigError) as exc:
        load_settings(cfg)
    assert exc.value.code == "E108"
    assert exc.value.message == f"config file {cfg} sets batch_size, workers outside its [medkg] table"
    cfg.write_text('batch_size = 7\ngraph_name = "g"\n')
    assert load_settings(cfg).batch_size == 7


@pytest.mark.parametrize("name", ["", " medkg", "my graph"])
def test_graph_name_must_be_a_usable_name(tmp_path, clean_env, name):
    cfg = tmp_path / "medkg.toml"
    cfg.write_text(f'graph_name = "{name}"\n')
    with pytest.raises(ConfigError, match=f"E104: setting 'graph_name' is invalid: .* \\(set by config file {cfg}\\)"):
        load_settings(cfg)
    assert load_settings(graph_name="medkg_test-2").graph_name == "medkg_test-2"


def test_an_invalid_setting_names_where_it_came_from(tmp_path, clean_env, monkeypatch):
    with pytest.raises(ConfigError) as exc:
        load_settings(store="mysql")
    assert exc.value.message.endswith("(set by the --store option or store argument)")
    monkeypatch.setenv("MEDKG_STORE", "mysql")
    with pytest.raises(ConfigError) as exc:
        load_settings(store=None)
    assert exc.value.message.endswith("(set by MEDKG_STORE)")


def test_the_cli_reports_a_bad_config_file_without_a_traceback(tmp_path, clean_env, monkeypatch, capsys):
    import sys

    from kg import cli

    monkeypatch.setattr(sys, "argv", ["medkg", "--data-dir", str(tmp_path / "data"), "--config", str(tmp_path), "stats"])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "Traceback" not in err
    assert err.startswith(f"error E105: cannot read config file {tmp_path}: Is a directory\n  -> Point --config")


def test_the_graph_identity_names_the_graph_and_no_secret(clean_env):
    assert Settings(graph_name="second").graph_identity == {"store": "falkordb", "graph": "second"}
    neo4j = Settings(store="neo4j", graph_name="ignored", neo4j_uri="neo4j+s://me:secret@x.databases.neo4j.io",
                     neo4j_password="pw", neo4j_database="papers")
    assert neo4j.graph_identity == {"store": "neo4j", "uri": "neo4j+s://x.databases.neo4j.io", "database": "papers"}


@pytest.mark.parametrize("key", ["ner_model", "re_model"])
@pytest.mark.parametrize("value", ["", "  "])
def test_a_blank_model_setting_is_refused_not_read_as_the_shipped_model(tmp_path, clean_env, key, value):
    cfg = tmp_path / "medkg.toml"
    cfg.write_text(f'{key} = "{value}"\n')
    with pytest.raises(ConfigError, match=f"E104: setting '{key}' is invalid"):
        load_settings(cfg)


@pytest.mark.parametrize("key", ["batch_size", "workers", "write_batch_size", "max_doc_chars"])
@pytest.mark.parametrize("value", ["true", "false"])
def test_a_boolean_is_refused_for_an_integer_setting(tmp_path, clean_env, monkeypatch, key, value):
    """QA: `batch_size = true` in a config file was taken for a batch of 1 document."""
    cfg = tmp_path / "medkg.toml"
    cfg.write_text(f"{key} = {value}\n")
    with pytest.raises(ConfigError, match=f"E104: setting '{key}' is invalid: .*not a boolean "
                                          f"\\(set by config file {cfg}\\)"):
        load_settings(cfg)
    monkeypatch.setenv(f"MEDKG_{key.upper()}", value)
    with pytest.raises(ConfigError, match=f"E104: setting '{key}' is invalid: .*\\(set by MEDKG_{key.upper()}\\)"):
        load_settings()
    with pytest.raises(ConfigError, match=f"E104: setting '{key}' is invalid"):
        load_settings(**{key: value == "true"})


@pytest.mark.parametrize("spelled, store", [("FalkorDB", "falkordb"), ("FALKORDB", "falkordb"), ("Neo4j", "neo4j")])
def test_the_store_is_named_in_any_case(tmp_path, clean_env, monkeypatch, spelled, store):
    """QA: MEDKG_STORE=FalkorDB, the product's own spelling, was refused (E104)."""
    assert load_settings(store=spelled).store == store
    cfg = tmp_path / "medkg.toml"
    cfg.write_text(f'store = "{spelled}"\n')
    assert load_settings(cfg).store == store
    monkeypatch.setenv("MEDKG_STORE", spelled)
    settings = load_settings()
    assert settings.store == store and settings.graph_identity["store"] == store
    monkeypatch.setenv("MEDKG_GRAPH_NAME", "MedKG")  # names other than the store's keep their case
    assert load_settings().graph_name == "MedKG"


@pytest.mark.parametrize(("key", "value", "words"), [
    ("graph_name", "my graph", "'my graph' has a space or other blank: a graph name is one word, such as medkg"),
    ("ner_model", " ", "' ' is blank: unset it for the shipped model"),
    ("re_model", "", "'' is blank: unset it for the shipped models/re-cpu"),
    ("eutils_base_url", "\t", "'\\t' is blank: unset it for NCBI's E-utilities"),
])
def test_a_setting_that_breaks_its_pattern_is_told_in_words_not_the_regex(tmp_path, clean_env, key, value, words):
    """QA: E104 said "String should match pattern '^\\S+$'"."""
    cfg = tmp_path / "medkg.toml"
    cfg.write_text(f'{key} = "{value}"\n'.replace("\t", "\\t"))
    with pytest.raises(ConfigError) as exc:
        load_settings(cfg)
    assert exc.value.message.startswith(f"setting {key!r} is invalid: {words}") and "pattern" not in exc.value.message
    assert exc.value.message.endswith(f"(set by config file {cfg})")
    patterned = {name for name, f in Settings.model_fields.items() for m in f.metadata if getattr(m, "pattern", None)}
    assert patterned == {"graph_name", "ner_model", "re_model", "eutils_base_url"}  # a new one needs its words


@pytest.mark.parametrize(("line", "said"), [
    ("batch_sise = 3", "medkg has no such setting; did you mean 'batch_size'?"),
    ('[medkg]\nworker = 2', "medkg has no such setting; did you mean 'workers'?"),
    ('neo4j_pasword = "x"', "did you mean 'neo4j_password'? It is a secret, read from the environment only: "
                            "set NEO4J_PASSWORD."),
    ("colour = 1", "medkg has no such setting (README 'Configuration' lists them)"),
])
def test_an_unknown_key_in_a_config_file_names_the_setting_it_is_closest_to(tmp_path, clean_env, line, said):
    cfg = tmp_path / "medkg.toml"
    cfg.write_text(line + "\n")
    with pytest.raises(ConfigError) as exc:
        load_settings(cfg)
    assert exc.value.code == "E104" and said in exc.value.message
    assert exc.value.message.endswith(f"(set by config file {cfg})")


def test_a_neo4j_store_without_a_uri_does_not_blame_the_environment(tmp_path, clean_env):
    """QA: E110 said "MEDKG_STORE=neo4j" when the store was set by the config file (or --store)."""
    from kg.graph.backends import open_store

    cfg = tmp_path / "medkg.toml"
    cfg.write_text('store = "neo4j"\n')
    with pytest.raises(ConfigError) as exc:
        open_store(load_settings(cfg, data_dir=tmp_path))
    assert exc.value.code == "E110" and "MEDKG_STORE=neo4j" not in exc.value.message
    assert "config file" in exc.value.message and "--store" in exc.value.message


def test_a_medkg_variable_of_no_setting_is_warned_about_once_with_the_closest_one(tmp_path, clean_env, monkeypatch,
                                                                                 caplog):
    """QA: MEDKG_DATADIR (for MEDKG_DATA_DIR) was ignored without a word. Variables medkg or its compose file
    read on purpose are not warned about; nothing fails."""
    import logging

    from typer.testing import CliRunner

    from kg import cli, config

    monkeypatch.setattr(config, "_warned", set())
    for name, value in {"MEDKG_DATADIR": str(tmp_path / "typo"), "MEDKG_NEO4J_PASSWORD": "x", "MEDKG_COLOUR": "1",
                        "MEDKG_PSEUDONYM_KEY": "k" * 32, "MEDKG_SHARED_DATA": str(tmp_path),
                        "MEDKG_CACHE_DIR": str(tmp_path), "MEDKG_DASK_WORKERS": "2"}.items():
        monkeypatch.setenv(name, value)
    with caplog.at_level(logging.WARNING, logger="kg.config"):
        assert load_settings().data_dir == Path(".medkg") and load_settings().shared_data == tmp_path
    said = "names no setting, so medkg does not read it"
    assert [r.getMessage().split("\n")[0] for r in caplog.records] == [
        f"E115: environment variable MEDKG_COLOUR {said}",
        f"E115: environment variable MEDKG_DATADIR {said}; did you mean MEDKG_DATA_DIR?",
        f"E115: environment variable MEDKG_NEO4J_PASSWORD {said}; did you mean NEO4J_PASSWORD?"]  # once each
    monkeypatch.setattr(config, "_warned", set())
    result = CliRunner().invoke(cli.app, ["--data-dir", str(tmp_path / "data"), "curate", "list"])
    assert result.exit_code == 0, result.output
    assert f"warning E115: environment variable MEDKG_DATADIR {said}; did you mean MEDKG_DATA_DIR?\n" in result.stderr
