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


def test_missing_pubmed_file(monkeypatch, capsys, tmp_path):
    # The reader is lazy: it opens the file when the run pulls the first record. Pull it without a graph store.
    monkeypatch.setattr(cli, "_run_ingest", lambda items, **_: list(items))
    missing = tmp_path / "nope.xml.gz"
    err = run_main(monkeypatch, capsys, tmp_path, "ingest", "pubmed", str(missing))
    assert err.startswith(f"error E201: cannot open PubMed file {missing}: No such file or directory\n")
    assert "  -> Check that the path exists" in err


def test_markup_in_a_message_is_printed_as_written(monkeypatch, capsys, tmp_path):
    config = tmp_path / "hf.toml"
    config.write_text("[training]\nlerning_rate = 1e-4\n")
    err = run_main(monkeypatch, capsys, tmp_path, "train", "ner", "--config", str(config), "--output", str(tmp_path))
    assert err.startswith(f"error E142: {config}: unknown [training] keys ['lerning_rate']")
