"""Pseudonyms, key loading and identifier scrubbing."""

from __future__ import annotations

import logging
import re

import pytest

from kg import privacy
from kg.config import Settings, load_settings
from kg.errors import ConfigError
from kg.privacy import load_key, pseudonymize

KEY = b"test-key-0123456789abcdef"


def test_pseudonym_is_stable_keyed_and_kind_prefixed() -> None:
    p = pseudonymize("90210431", KEY, "pt")
    assert re.fullmatch(r"pt_[0-9a-f]{16}", p)
    assert p == pseudonymize("90210431", KEY, "pt")
    assert p != pseudonymize("90210432", KEY, "pt")
    assert p != pseudonymize("90210431", b"other-key-0123456789", "pt")
    # the same digits as another kind of id must not be joinable
    assert pseudonymize("90210431", KEY, "enc")[4:] != p[3:]


def test_empty_key_is_refused() -> None:
    with pytest.raises(ValueError):
        pseudonymize("1", b"", "pt")


def test_load_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDKG_PSEUDONYM_KEY", "a-long-enough-secret-key")
    assert load_key(load_settings()) == b"a-long-enough-secret-key"


def test_missing_key_raises_config_error_naming_the_variable() -> None:
    with pytest.raises(ConfigError, match="MEDKG_PSEUDONYM_KEY") as err:
        load_key(Settings())
    assert "token_hex" in str(err.value)


def test_short_key_is_refused() -> None:
    with pytest.raises(ConfigError, match="at least 16"):
        load_key(Settings(pseudonym_key="short"))


def test_ephemeral_key_warns_and_is_stable_within_the_process(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(privacy, "_ephemeral_key", None)
    with caplog.at_level(logging.WARNING, logger="kg.privacy"):
        first = load_key(Settings(), allow_ephemeral=True)
    assert "not be stable across runs" in caplog.text.lower()
    assert len(first) == 32
    assert load_key(Settings(), allow_ephemeral=True) == first


def test_configured_key_wins_over_ephemeral() -> None:
    assert load_key(Settings(pseudonym_key="0123456789abcdef0123"), allow_ephemeral=True) == b"0123456789abcdef0123"


@pytest.mark.parametrize(("key", "what"), [(" " * 20, "blank"), ("\t \n" * 8, "blank"),
                                           ("x" * 20, "one character repeated")])
def test_a_long_enough_key_that_anyone_could_guess_is_refused(key: str, what: str) -> None:
    with pytest.raises(ConfigError, match=f"E122: MEDKG_PSEUDONYM_KEY is {what}") as err:
        load_key(Settings(pseudonym_key=key), allow_ephemeral=True)
    assert "token_hex" in err.value.hint and "x" * 20 not in str(err.value)
