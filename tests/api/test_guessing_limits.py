"""Guessing secrets: sign-in and access codes share one atomic limiter stored in the database.

Findings 4 and 7 of issue 16: concurrent guesses slipped past an in-process limiter, an
attacker could lock an owner out from everywhere, a spoofed ``X-Forwarded-For`` rotated the
address key, and an access code for an unknown trail cost an argon2 hash (64 MiB, 0.5 s).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import NullPool, create_engine, func, select, text, update

from authoring.cli import main
from media.blobs.memory import MemoryBlobStore
from server.app import create_app
from server.auth import passwords
from server.auth.codes import AccessCodes
from server.auth.ratelimit import AttemptCounters, Limiter, Policy
from server.db.models import AttemptCounter, Trail, Visibility
from server.db.session import Database
from server.errors import TooManyRequests
from server.scheduler import tick
from server.settings import Settings
from tests.api.test_visibility import CODE, published
from tests.conftest import backend_unavailable
from tests.support.live import live_server
from tests.support.people import PASSWORD, People, add_user
from tests.support.problems import problem
from tests.support.redis import RedisMissing, redis_server
from trails.bundle.signing import Keyring

WRONG = "not-the-password-1"


@pytest.fixture
def keys(tmp_path: Path) -> Keyring:
    return Keyring(tmp_path / "keys")


@pytest.fixture
def codes(settings: Settings) -> AccessCodes:
    return AccessCodes(settings.resolved_secret_key())


def _from(client: TestClient, address: str) -> TestClient:
    """The same application, called from another client address."""
    return TestClient(client.app, client=(address, 40000))


def _sign_in(client: TestClient, email: str, password: str) -> Any:
    return client.post("/v1/auth/tokens", json={"email": email, "password": password})


def _at_once(count: int, call: Callable[[], Any]) -> list[Any]:
    """Run ``call`` from ``count`` threads released together; their results or exceptions."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


# --- the limiter itself ---------------------------------------------------------------------


def test_concurrent_attempts_never_pass_the_limit(db: Database) -> None:
    limiter = Limiter(AttemptCounters(db.engine, "secret"), Policy("sign-in", 10, 900))
    results = _at_once(60, lambda: limiter.attempt("account:a@example.org", "192.0.2.1"))
    allowed = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, TooManyRequests)]
    assert len(allowed) == 10 and len(refused) == 50, Counter(type(r).__name__ for r in results)


def test_counters_are_shared_by_replicas_and_hold_no_address(db: Database) -> None:
    # Two limiters on one database are two API replicas: together they allow the limit once.
    replicas = [
        Limiter(AttemptCounters(db.engine, "secret"), Policy("sign-in", 4, 900)) for _ in range(2)
    ]
    allowed = 0
    for i in range(8):
        try:
            replicas[i % 2].attempt("account:a@example.org", "192.0.2.1")
            allowed += 1
        except TooManyRequests:
            pass
    assert allowed == 4
    with db.transaction() as session:
        stored = session.scalars(select(AttemptCounter.key)).all()
    assert stored and not any("192.0.2.1" in k or "example.org" in k for k in stored)


def test_ended_windows_are_purged_by_the_scheduler(db: Database) -> None:
    counters = AttemptCounters(db.engine, "secret")
    counters.take("old", window_s=60, now=time.time() - 3600)
    counters.take("new", window_s=900)
    tick(db, None)
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(AttemptCounter)) == 1


# --- sign-in ---------------------------------------------------------------------------------


def test_concurrent_wrong_passwords_are_checked_at_most_the_limit(
    client: TestClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user(db, "target@example.org")
    checked = Counter[str]()
    real_verify = passwords.verify_password

    def counting(stored: str | None, password: str) -> bool:
        checked["n"] += 1
        return real_verify(stored, password)

    monkeypatch.setattr("server.routes.auth.verify_password", counting)
    results = _at_once(30, lambda: _sign_in(client, "target@example.org", WRONG))
    statuses = Counter(r.status_code for r in results)
    assert statuses == {401: 5, 429: 25}, statuses  # the fixture's limit is 5
    assert checked["n"] == 5


@pytest.fixture
def two_replicas(db: Database, tmp_path: Path) -> Iterator[list[TestClient]]:
    """Two applications (two API replicas) on one database, each with its own blob store."""
    settings = Settings(
        data_dir=tmp_path / "shared",
        inprocess_worker=False,
        scheduler_interval_s=0,
        sign_in_attempts=5,
    )
    apps = [create_app(settings, database=db, blobs=MemoryBlobStore()) for _ in range(2)]
    with TestClient(apps[0]) as first, TestClient(apps[1]) as second:
        yield [first, second]


def test_the_limit_holds_across_replicas_whichever_gets_the_next_attempt(
    db: Database, two_replicas: list[TestClient]
) -> None:
    add_user(db, "owner@example.org")
    # Round-robin: five wrong passwords from one address, alternately to each replica.
    for i in range(5):
        problem(_sign_in(_from(two_replicas[i % 2], "192.0.2.9"), "owner@example.org", WRONG), 401)
    for replica in two_replicas:  # the sixth is refused by either replica
        refused = _sign_in(_from(replica, "192.0.2.9"), "owner@example.org", PASSWORD)
        assert "your address" in problem(refused, 429)["detail"]
        assert int(refused.headers["retry-after"]) > 0


def test_attempts_at_once_on_two_replicas_never_pass_the_limit(
    db: Database, two_replicas: list[TestClient]
) -> None:
    add_user(db, "owner@example.org")
    turn = iter(range(1000))

    def guess() -> Any:
        replica = two_replicas[next(turn) % 2]
        return _sign_in(_from(replica, "192.0.2.10"), "owner@example.org", WRONG)

    results = _at_once(24, guess)
    assert Counter(r.status_code for r in results) == {401: 5, 429: 19}


def test_a_redis_outage_leaves_the_sign_in_limit_working(db: Database, tmp_path: Path) -> None:
    # Scale mode queues jobs on Redis, but the limiter counts in the database: Redis
    # stopping neither opens sign-in nor closes it.
    try:
        redis = redis_server()
        url = redis.__enter__()
    except RedisMissing as exc:
        backend_unavailable(str(exc))
    settings = Settings(
        data_dir=tmp_path / "var",
        redis_url=url,
        inprocess_worker=False,
        scheduler_interval_s=0,
        sign_in_attempts=3,
    )
    try:
        app = create_app(settings, database=db, blobs=MemoryBlobStore())
        add_user(db, "owner@example.org")
    finally:
        redis.__exit__(None, None, None)  # Redis stops
    with TestClient(app, client=("192.0.2.30", 40000)) as client:
        assert _sign_in(client, "owner@example.org", PASSWORD).status_code == 201
        for _ in range(3):
            problem(_sign_in(client, "owner@example.org", WRONG), 401)
        problem(_sign_in(client, "owner@example.org", PASSWORD), 429)
        assert client.get("/v1/trails").status_code == 200


@pytest.mark.parametrize("backend", ["postgis"], indirect=True)
def test_sign_in_fails_closed_when_the_counters_cannot_be_reached(
    client: TestClient, db: Database
) -> None:
    add_user(db, "owner@example.org")
    name = db.engine.url.database
    outside = create_engine(db.engine.url.set(database="postgres"), poolclass=NullPool)
    with outside.connect().execution_options(isolation_level="AUTOCOMMIT") as admin:
        # The database refuses every new connection and drops the pooled ones.
        admin.execute(text(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false"))
        admin.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
            {"name": name},
        )
        try:
            lost = _sign_in(client, "owner@example.org", PASSWORD)
        finally:
            admin.execute(text(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
    outside.dispose()
    # Refused (no password checked without its count), in the one problem shape.
    assert problem(lost, 503)["status"] == 503
    assert int(lost.headers["retry-after"]) > 0
    assert _sign_in(client, "owner@example.org", PASSWORD).status_code == 201


def test_a_locked_address_does_not_lock_the_owner_out_elsewhere(
    client: TestClient, db: Database
) -> None:
    add_user(db, "owner@example.org")
    attacker = _from(client, "198.51.100.7")
    for _ in range(5):
        problem(_sign_in(attacker, "owner@example.org", WRONG), 401)
    locked = _sign_in(attacker, "owner@example.org", PASSWORD)
    assert "your address" in problem(locked, 429)["detail"]
    assert int(locked.headers["retry-after"]) > 0

    # The owner, from their own (clean) address, gets in: after a delay, not a wall.
    owner = _from(client, "203.0.113.20")
    started = time.monotonic()
    assert _sign_in(owner, "owner@example.org", PASSWORD).status_code == 201
    assert time.monotonic() - started < 10


def test_an_account_attacked_from_many_addresses_is_slowed_not_walled(
    client: TestClient, db: Database
) -> None:
    add_user(db, "owner@example.org")
    for i in range(5):  # five addresses, one failure each: the account turns hot
        problem(_sign_in(_from(client, f"198.51.100.{i}"), "owner@example.org", WRONG), 401)
    # Past the limit, each address gets three tries at the account, each after a delay.
    bot = _from(client, "198.51.100.99")
    started = time.monotonic()
    for _ in range(3):
        problem(_sign_in(bot, "owner@example.org", WRONG), 401)
    assert time.monotonic() - started >= 0.5 + 1 + 2  # the delay grows with the attack
    assert "this account" in problem(_sign_in(bot, "owner@example.org", WRONG), 429)["detail"]
    # Other accounts from that address are not concerned; the owner still gets in.
    add_user(db, "other@example.org")
    assert _sign_in(bot, "other@example.org", PASSWORD).status_code == 201
    owner = _from(client, "203.0.113.20")
    assert _sign_in(owner, "owner@example.org", PASSWORD).status_code == 201


def test_right_answers_do_not_use_up_the_limit(client: TestClient, db: Database) -> None:
    add_user(db, "busy@example.org")
    for _ in range(12):  # more than the limit of 5, all right: a shared office address
        assert _sign_in(client, "busy@example.org", PASSWORD).status_code == 201


def _cli(*args: str) -> None:
    try:
        main(list(args))
    except SystemExit as exc:
        assert not exc.code, args


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., dict[str, Any]]:
    """What ``baladeur serve`` hands to uvicorn, for a data directory with some settings."""

    def options(**env: str) -> dict[str, Any]:
        monkeypatch.setenv("BALADEUR_DATA_DIR", str(tmp_path / "var"))
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        captured: dict[str, Any] = {}

        def fake_run(app: Any, **kwargs: Any) -> None:
            captured.update(kwargs, app=app)

        monkeypatch.setattr(uvicorn, "run", fake_run)
        _cli("db", "upgrade")
        _cli("serve", "--port", "0")
        return captured

    return options


def _running(options: dict[str, Any]) -> Any:
    """Serve on loopback with exactly the options ``baladeur serve`` chose."""
    config = {k: v for k, v in options.items() if k not in ("app", "host", "port")}
    return live_server(options["app"], **config)


def _guesses(options: dict[str, Any], forwarded: list[str]) -> list[int]:
    with _running(options) as base, httpx.Client(base_url=base, timeout=30) as http:
        return [
            http.post(
                "/v1/auth/tokens",
                json={"email": "nobody@example.org", "password": WRONG},
                headers={"X-Forwarded-For": address},
            ).status_code
            for address in forwarded
        ]


def test_a_spoofed_forwarded_for_does_not_change_the_address(
    served: Callable[..., dict[str, Any]],
) -> None:
    options = served(BALADEUR_SIGN_IN_ATTEMPTS="3")
    assert options["proxy_headers"] is False
    # From loopback (uvicorn's default trusted proxy), each guess claims another address.
    statuses = _guesses(options, [f"192.0.2.{i}" for i in range(6)])
    assert statuses == [401, 401, 401, 429, 429, 429]


def test_forwarded_for_is_believed_from_a_named_proxy(
    served: Callable[..., dict[str, Any]],
) -> None:
    options = served(BALADEUR_SIGN_IN_ATTEMPTS="3", BALADEUR_FORWARDED_ALLOW_IPS="127.0.0.1")
    assert options["proxy_headers"] is True and options["forwarded_allow_ips"] == "127.0.0.1"
    # Behind the named proxy, each client address has its own count.
    statuses = _guesses(options, ["192.0.2.1"] * 4 + ["192.0.2.2"])
    assert statuses == [401, 401, 401, 429, 401]


# --- access codes ----------------------------------------------------------------------------


def _private(
    db: Database, blobs: MemoryBlobStore, keys: Keyring, codes: AccessCodes, slug: str
) -> None:
    published(db, blobs, keys, slug, Visibility.private)
    with db.transaction() as session:
        session.execute(
            update(Trail).where(Trail.slug == slug).values(access_code_hash=codes.hash(CODE))
        )


@pytest.fixture
def secret_walk(db: Database, blobs: MemoryBlobStore, keys: Keyring, codes: AccessCodes) -> str:
    """A published private trail whose code is stored as a keyed hash."""
    _private(db, blobs, keys, codes, "secret-walk")
    return "secret-walk"


@pytest.fixture
def argon2_calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    calls = Counter[str]()
    real = passwords._hasher

    class Counting:
        def hash(self, password: str) -> str:
            return real.hash(password)

        def verify(self, stored: str, password: str) -> bool:
            calls["verify"] += 1
            return real.verify(stored, password)

    monkeypatch.setattr(passwords, "_hasher", Counting())
    return calls


def test_a_code_for_an_unknown_or_private_trail_costs_no_argon2(
    client: TestClient, secret_walk: str, argon2_calls: Counter[str]
) -> None:
    unknown = problem(client.get("/v1/trails/nope?code=wrong-code-1"), 404)
    wrong = problem(client.get("/v1/trails/secret-walk?code=wrong-code-1"), 404)
    assert unknown["detail"] == wrong["detail"].replace("secret-walk", "nope")
    assert client.get(f"/v1/trails/secret-walk?code={CODE}").status_code == 200
    assert argon2_calls["verify"] == 0


def test_codes_are_stored_as_keyed_hashes(
    client: TestClient, people: People, db: Database, codes: AccessCodes
) -> None:
    body = {"slug": "hidden", "title": {"fr": "Caché"}, "languages": ["fr"]}
    body |= {"visibility": "private", "access_code": CODE}
    created = client.post("/v1/orgs/mill/trails", json=body, headers=people["editor"])
    assert created.status_code == 201, created.text
    with db.transaction() as session:
        stored = session.scalar(select(Trail.access_code_hash).where(Trail.slug == "hidden"))
    assert stored is not None and stored.startswith("hmac-sha256$") and CODE not in stored
    assert codes.matches(stored, CODE) and not codes.matches(stored, CODE + "x")
    # Another server secret does not open it: the database alone is not enough.
    assert not AccessCodes("another secret").matches(stored, CODE)
    short = client.post(
        "/v1/orgs/mill/trails",
        json=body | {"slug": "short", "access_code": "1234"},
        headers=people["editor"],
    )
    problem(short, 422)


def test_a_code_from_before_keyed_hashes_opens_once_and_is_stored_again(
    client: TestClient, db: Database, blobs: MemoryBlobStore, keys: Keyring
) -> None:
    published(db, blobs, keys, "old-walk", Visibility.private)  # stored as argon2
    with db.transaction() as session:
        version = session.scalar(select(Trail.version).where(Trail.slug == "old-walk"))
    problem(client.get("/v1/trails/old-walk?code=wrong-code-1"), 404)
    assert client.get("/v1/trails/old-walk", headers={"X-Access-Code": CODE}).status_code == 200
    with db.transaction() as session:
        stored, after = session.execute(
            select(Trail.access_code_hash, Trail.version).where(Trail.slug == "old-walk")
        ).one()
    assert stored.startswith("hmac-sha256$") and after == version  # editors' ETags unchanged
    assert client.get(f"/v1/trails/old-walk?code={CODE}").status_code == 200


def test_code_attempts_are_limited_per_address_alike_for_unknown_trails(
    client: TestClient, secret_walk: str
) -> None:
    for slug in ("secret-walk", "nope"):
        guesser = _from(client, f"198.51.100.{len(slug)}")
        for i in range(10):  # the default limit per address
            problem(guesser.get(f"/v1/trails/{slug}", params={"code": f"guess-{i:06d}"}), 404)
        limited = guesser.get(f"/v1/trails/{slug}/manifest", headers={"X-Access-Code": CODE})
        assert "your address" in problem(limited, 429)["detail"]
        assert int(limited.headers["retry-after"]) > 0
    # Other visitors are not concerned.
    assert (
        _from(client, "203.0.113.5").get(f"/v1/trails/secret-walk?code={CODE}").status_code == 200
    )


def test_a_trail_guessed_from_many_addresses_still_opens_for_its_visitors(
    client: TestClient, secret_walk: str
) -> None:
    for i in range(10):  # ten addresses, one wrong code each: the trail's limit
        problem(_from(client, f"198.51.100.{i}").get("/v1/trails/secret-walk?code=guess-0001"), 404)
    # Past it, each address gets three tries at this trail.
    bot = _from(client, "198.51.100.99")
    for i in range(3):
        problem(bot.get(f"/v1/trails/secret-walk?code=guess-1{i:03d}"), 404)
    assert "this trail" in problem(bot.get("/v1/trails/secret-walk?code=guess-2000"), 429)["detail"]
    visitor = _from(client, "203.0.113.5")
    assert visitor.get(f"/v1/trails/secret-walk?code={CODE}").status_code == 200
