from pathlib import Path

import pytest

from kg.config import Settings, load_settings
from kg.errors import ConfigError


def test_defaults_are_defined_once(monkeypatch):
    for k in list(__import__("os").environ):
        if k.startswith("MEDKG_") or k.startswith("NEO4J_"):
            monkeypatch.delenv(k)
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
