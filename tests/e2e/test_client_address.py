"""The client address used by the sign-in throttles, under a real uvicorn server configured as
`lifeline serve` configures it (cli/core.proxy_options): X-Forwarded-For from a peer outside
LIFELINE_FORWARDED_ALLOW_IPS changes nothing, so a local client cannot rotate addresses
(issue 14: uvicorn trusted X-Forwarded-For from loopback by default)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from lifeline.bootstrap import Lifeline
from lifeline.cli.core import proxy_options
from lifeline.web.app import create_app
from support import uvicorn_serving

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@contextmanager
def serving(app: Lifeline, forwarded_allow_ips: str) -> Iterator[str]:
    with uvicorn_serving(
        create_app(app, embedded_worker=False),
        log_level="warning",
        lifespan="off",
        **proxy_options(forwarded_allow_ips),
    ) as url:
        yield url


def _addresses(app: Lifeline, url: str, forwarded: list[str]) -> set[str]:
    """Fail one sign-in per X-Forwarded-For value; the addresses the audit recorded."""
    for n, value in enumerate(forwarded):
        response = httpx.post(
            url + "/api/v1/auth/token",
            json={"username": f"nobody{n}", "password": "wrong", "totp": "000000"},
            headers={"X-Forwarded-For": value},
        )
        assert response.status_code == 401
    with app.ctx.uow(readonly=True) as uow:
        return {
            r.details["address"] for r in uow.audit.records() if r.action == "user.sign_in_failed"
        }


def test_x_forwarded_for_from_an_untrusted_peer_does_not_change_the_address(
    lifeline: Lifeline,
) -> None:
    assert proxy_options("") == {"proxy_headers": False, "forwarded_allow_ips": []}
    with serving(lifeline, "") as url:
        seen = _addresses(lifeline, url, ["198.51.100.1", "198.51.100.2", "198.51.100.3"])
    assert seen == {lifeline.address_key("127.0.0.1")}


def test_a_trusted_proxys_x_forwarded_for_is_believed(lifeline: Lifeline) -> None:
    with serving(lifeline, "127.0.0.1") as url:
        seen = _addresses(lifeline, url, ["198.51.100.1", "198.51.100.2"])
    assert seen == {lifeline.address_key("198.51.100.1"), lifeline.address_key("198.51.100.2")}
