"""Test-wide settings: Prefect stays local and silent, and nothing writes to ~/.prefect."""

import os
import tempfile

os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="medkg-prefect-"))
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# The flows' tests start Prefect's temporary server, which gets 20 s by default: not enough on a loaded
# machine (the full suite beside other work failed three of them with "Timed out while attempting to
# connect to ephemeral Prefect API server").
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def prefect_harness():
    """One ephemeral Prefect API for the whole session (each harness costs seconds to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():
        yield
