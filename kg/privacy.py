"""Patient pseudonymisation for clinical notes.

Raw patient, admission and note identifiers must never reach the graph: once written they
are copied into exports, logs and answers. They are replaced by a keyed HMAC, so the same
patient maps to the same pseudonym in every run (notes of one patient stay linked) while
nobody without the key can recover, or even confirm, the original identifier by hashing
candidate values. A plain hash would not do: MIMIC SUBJECT_IDs are small integers and an
unkeyed hash of each one is a lookup table away.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets

from kg.config import Settings
from kg.errors import ConfigError, Errors

log = logging.getLogger(__name__)

PSEUDONYM_HEX_CHARS = 16
MIN_KEY_CHARS = 16

_ephemeral_key: bytes | None = None


def pseudonymize(value: str, key: bytes, kind: str) -> str:
    """A stable pseudonym such as ``pt_3f9a0c...`` for ``value``.

    ``kind`` is both the visible prefix and part of the MAC input, so a patient id and an
    admission id with the same digits get unrelated pseudonyms and cannot be joined.
    """
    if not key:
        # Internal: medkg passes load_key()'s result, which is never empty; a caller that gets here is a bug.
        raise ValueError("pseudonymize needs a non-empty key; get one from kg.privacy.load_key")
    digest = hmac.new(key, f"{kind}\x1f{value}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}_{digest[:PSEUDONYM_HEX_CHARS]}"


def key_fingerprint(key: bytes) -> str:
    """What a ledger remembers of the key its notes were written with: a keyed hash of a constant,
    which tells two keys apart and reveals nothing of either."""
    return pseudonymize("medkg pseudonym key check", key, "key")


def load_key(settings: Settings, *, allow_ephemeral: bool = False) -> bytes:
    """The pseudonymisation key from ``MEDKG_PSEUDONYM_KEY``.

    Refuses to run without one, because a random key would silently give every patient a
    new pseudonym on the next run and split their notes across unrelated nodes. Callers that
    truly want throwaway ids (a demo, a one-off test) say so with ``allow_ephemeral=True``.

    Raises
    ------
    ConfigError
        The key is missing (and ephemeral keys are not allowed), too short to be secret, blank, or
        one character repeated.
    """
    global _ephemeral_key
    secret = settings.pseudonym_key.get_secret_value() if settings.pseudonym_key else ""
    if secret:
        if len(secret) < MIN_KEY_CHARS:
            raise ConfigError(Errors.E121, length=len(secret), minimum=MIN_KEY_CHARS)
        if not secret.strip() or len(set(secret)) == 1:
            # long enough but no secret at all; the message names neither the key nor its character
            raise ConfigError(Errors.E122, what="blank" if not secret.strip() else "one character repeated")
        return secret.encode("utf-8")
    if not allow_ephemeral:
        raise ConfigError(Errors.E120)
    if _ephemeral_key is None:
        _ephemeral_key = secrets.token_bytes(32)
        log.warning(
            "MEDKG_PSEUDONYM_KEY is not set: using a random key for this process; patient and "
            "note pseudonyms will NOT be stable across runs"
        )
    return _ephemeral_key
