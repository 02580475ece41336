"""Audience figures without tracking: a bundle download is counted once it has sent its last
byte (whole, or the end of a resumed one), per trail and UTC day, and read as JSON or CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select

from media.blobs.memory import MemoryBlobStore
from media.limits import MediaLimits
from server.accounts import get_or_create_organisation
from server.audience import count_download, today
from server.db.models import DownloadCount
from server.db.session import Database
from server.folder_media import MediaContext
from server.source_import import import_source
from tests.support.factories import trail_source
from tests.support.people import People
from tests.support.problems import problem

TRAILS = "/v1/orgs/mill/trails"


@pytest.fixture
def published(client: TestClient, people: People, db: Database) -> dict[str, Any]:
    """A published one-stop trail: its id and its bundle's address and size."""
    loaded = trail_source("walk", 50.405, 4.395)
    with db.transaction() as session:
        organisation = get_or_create_organisation(session, "mill")
        trail_id = import_source(
            session, loaded, organisation, "walk", MediaContext(MemoryBlobStore(), MediaLimits())
        ).id
    released = client.post(f"{TRAILS}/{trail_id}/releases", json={}, headers=people["editor"])
    assert released.status_code == 201, released.text
    redirect = client.get("/v1/trails/walk/bundle", follow_redirects=False)
    assert redirect.status_code == 307, redirect.text
    address = str(redirect.headers["location"])
    size = int(client.head(address).headers["content-length"])
    return {"id": trail_id, "bundle": address, "size": size}


def _figures(client: TestClient, people: People, trail_id: int, **params: str) -> dict[str, Any]:
    answer = client.get(f"{TRAILS}/{trail_id}/audience", params=params, headers=people["editor"])
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _today(client: TestClient, people: People, trail_id: int) -> int:
    day = today().isoformat()
    (only,) = _figures(client, people, trail_id, **{"from": day, "to": day})["days"]
    assert only["day"] == day
    return int(only["downloads"])


def test_a_whole_download_counts_once_and_head_or_unchanged_not_at_all(
    client: TestClient, people: People, published: dict[str, Any]
) -> None:
    url = published["bundle"]
    assert _today(client, people, published["id"]) == 0
    whole = client.get(url)
    assert whole.status_code == 200 and len(whole.content) == published["size"]
    assert _today(client, people, published["id"]) == 1
    client.head(url)
    etag = whole.headers["etag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert _today(client, people, published["id"]) == 1


def test_a_range_short_of_the_end_is_not_counted_and_the_resumed_end_counts_once(
    client: TestClient, people: People, published: dict[str, Any]
) -> None:
    url, size = published["bundle"], published["size"]
    half = size // 2
    first = client.get(url, headers={"Range": f"bytes=0-{half - 1}"})
    assert first.status_code == 206 and len(first.content) == half
    assert _today(client, people, published["id"]) == 0
    # Resumed where it stopped, with If-Range as a downloader sends it.
    rest = client.get(url, headers={"Range": f"bytes={half}-", "If-Range": first.headers["etag"]})
    assert rest.status_code == 206 and len(rest.content) == size - half
    assert first.content + rest.content == client.get(url).content
    # The resumed download counted once, the whole one just above once more.
    assert _today(client, people, published["id"]) == 2


def test_nothing_but_the_count_is_stored(db: Database) -> None:
    with db.transaction() as session:
        columns = {c["name"] for c in inspect(session.get_bind()).get_columns("download_counts")}
    assert columns == {"trail_id", "day", "count"}


def test_days_and_csv_shape(
    client: TestClient, people: People, published: dict[str, Any], db: Database
) -> None:
    trail_id = published["id"]
    end = date(2026, 11, 30)
    for day, times in ((end - timedelta(days=2), 3), (end, 1)):
        for _ in range(times):
            count_download(db, trail_id, day)
    body = _figures(client, people, trail_id, **{"from": "2026-11-27", "to": "2026-11-30"})
    assert (body["from"], body["to"], body["total"]) == ("2026-11-27", "2026-11-30", 4)
    assert [(d["day"], d["downloads"]) for d in body["days"]] == [
        ("2026-11-27", 0),
        ("2026-11-28", 3),
        ("2026-11-29", 0),
        ("2026-11-30", 1),
    ]
    with db.transaction() as session:
        assert session.scalar(select(DownloadCount.count).where(DownloadCount.day == end)) == 1

    answer = client.get(
        f"{TRAILS}/{trail_id}/audience.csv",
        params={"from": "2026-11-28", "to": "2026-11-30"},
        headers=people["owner"],
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert (
        'filename="walk-downloads-2026-11-28-2026-11-30.csv"'
        in answer.headers["content-disposition"]
    )
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows == [
        ["day", "downloads"],
        ["2026-11-28", "3"],
        ["2026-11-29", "0"],
        ["2026-11-30", "1"],
    ]
    # By default the last 30 days up to today.
    recent = _figures(client, people, trail_id)
    assert recent["to"] == today().isoformat() and len(recent["days"]) == 30


def test_only_editors_and_owners_read_them_and_bad_ranges_are_refused(
    client: TestClient, people: People, published: dict[str, Any]
) -> None:
    url = f"{TRAILS}/{published['id']}/audience"
    assert client.get(url, headers=people["owner"]).status_code == 200
    problem(client.get(url, headers=people["contributor"]), 403)
    problem(client.get(url, headers=people["anonymous"]), 401)
    problem(client.get(url, headers=people["stranger"]), 404)
    problem(client.get(f"{url}.csv", headers=people["contributor"]), 403)
    reversed_ = problem(
        client.get(
            url, params={"from": "2026-11-30", "to": "2026-11-01"}, headers=people["editor"]
        ),
        422,
    )
    assert reversed_["errors"][0]["field"] == "from"
    too_long = problem(
        client.get(
            url, params={"from": "2024-01-01", "to": "2026-11-01"}, headers=people["editor"]
        ),
        422,
    )
    assert "366" in too_long["errors"][0]["message"]
    problem(client.get(url, params={"from": "yesterday"}, headers=people["editor"]), 422)
