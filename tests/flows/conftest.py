"""One Prefect test harness for the flow tests, with the server's background services off."""

import os

import pytest

SERVICES = ("SCHEDULER", "LATE_RUNS", "FOREMAN", "PAUSE_EXPIRATIONS", "CANCELLATION_CLEANUP",
            "REPOSSESSOR", "EVENT_PERSISTER", "TRIGGERS", "EVENT_LOGGER", "DB_VACUUM",
            "CLEANUP_RECONCILER")


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory):
    home = tmp_path_factory.mktemp("prefect-home")
    saved = dict(os.environ)
    os.environ["PREFECT_HOME"] = str(home)
    for name in SERVICES:
        os.environ[f"PREFECT_SERVER_SERVICES_{name}_ENABLED"] = "false"
    from prefect.testing.utilities import prefect_test_harness

    try:
        with prefect_test_harness():
            yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture
def cascade_env(make_app, tmp_path):
    """The flows run on an App of the test database (embedded default: .eml files under
    tmp/home/outbox), installed as a worker's would be built."""
    from flows.cascade_flows import use_app

    with use_app(make_app(mailer=None)):
        yield tmp_path
