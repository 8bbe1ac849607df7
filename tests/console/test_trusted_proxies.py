"""The per-address login throttle counts the real client: X-Forwarded-For is believed only from
an address named in CASCADE_TRUSTED_PROXIES, through the options `cascade serve` gives uvicorn."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from cascade.cli.serve import proxy_options
from config.settings import SettingsError, load_settings
from models.console_tables import LoginAttempt
from models.db import unit_of_work
from services.setup import initialise
from tests.console.conftest import csrf_of
from tests.web.conftest import uvicorn_server


def _fail_logins(app, count):
    """`count` wrong logins, each for another e-mail and claiming another forwarded address."""
    from web.app import create_app

    with uvicorn_server(create_app(app), **proxy_options(app.settings)) as url, \
            httpx.Client(base_url=url, timeout=10) as client:
        codes = []
        for i in range(count):
            page = client.get("/login")
            codes.append(client.post(
                "/login", headers={"X-Forwarded-For": f"203.0.113.{i + 1}"},
                data={"email": f"khach{i}@example.org", "password": "sai-mat-khau",
                      "csrf_token": csrf_of(page.text), "next": "/"}).status_code)
    with unit_of_work(app.engine, write=False) as session:
        addresses = set(session.scalars(sa.select(LoginAttempt.address)))
    return codes, addresses


@pytest.fixture
def make_site(make_app, clock):
    def make(**env):
        app = make_app(clock=clock, **env)
        initialise(engine=app.engine, registry=app.registry, contacts=app.contacts, at=clock())
        return app

    return make


@pytest.mark.slow
def test_a_spoofed_forwarded_address_from_an_untrusted_client_is_throttled(make_site):
    """By default no proxy is trusted: 25 failures claiming 25 addresses all count for the one
    real address, and after the 20th the login is throttled."""
    codes, addresses = _fail_logins(make_site(), 25)
    assert codes == [401] * 20 + [429] * 5
    assert addresses == {"127.0.0.1"}


@pytest.mark.slow
def test_a_trusted_proxys_forwarded_address_is_used(make_site):
    """With the proxy's address trusted, each failure counts for the address it forwards."""
    codes, addresses = _fail_logins(make_site(CASCADE_TRUSTED_PROXIES="10.0.0.0/8, 127.0.0.1"), 25)
    assert codes == [401] * 25
    assert addresses == {f"203.0.113.{i}" for i in range(1, 26)}


def test_a_malformed_trusted_proxy_is_refused():
    """A typo in CASCADE_TRUSTED_PROXIES stops the start and names the variable and the value."""
    with pytest.raises(SettingsError, match="CASCADE_TRUSTED_PROXIES.*'10.0.0.300'"):
        load_settings({"CASCADE_TRUSTED_PROXIES": "10.0.0.1,10.0.0.300"})
    assert load_settings({}).trusted_proxies == ()
