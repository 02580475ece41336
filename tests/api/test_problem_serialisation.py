"""A validation error is always written as a problem, whatever the invalid input held.

A fuzzer found a 500 where a 422 was due: the error's ``input`` was raw bytes, which the
handler could not write as JSON. These tests drive the one error map (``server.problems``)
directly with every kind of input a request can produce, then through the API.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient

from server import problems
from tests.support.problems import problem

HUGE = "x" * 1_000_000


def _nested(depth: int) -> Any:
    value: Any = b"\xff"
    for _ in range(depth):
        value = {"a": [value]}
    return value


INPUTS = {
    "bytes": b'{"email": "a@b.c"}',
    "non-utf8-bytes": b"\xff\xfe\x00\xc3(",
    "huge-text": HUGE,
    "huge-list": ["x"] * 100_000,
    "huge-object": {str(i): i for i in range(100_000)},
    "nested-bytes": {"a": [1, {"b": b"\x00\xff", "c": bytearray(b"x")}]},
    "deep": _nested(500),
    "nan": float("nan"),
    "infinity": {"a": [float("inf"), -float("inf")]},
    "huge-int": 10**400,
    "lone-surrogate": "\ud800 and \udfff",
    "object": object(),
    "set": {1, 2},
}


def _answer(error_input: Any, loc: tuple[Any, ...] = ("body", "email")) -> Any:
    app = FastAPI()
    problems.install(app)

    @app.get("/v")
    def fails() -> None:
        raise RequestValidationError(
            [
                {
                    "type": "string_type",
                    "loc": loc,
                    "msg": "Input should be a string",
                    "input": error_input,
                }
            ]
        )

    with TestClient(app) as client:
        return client.get("/v")


@pytest.mark.parametrize("error_input", INPUTS.values(), ids=INPUTS.keys())
def test_any_input_is_written_as_a_small_problem(error_input: Any) -> None:
    answer = _answer(error_input)
    body = problem(answer, 422)
    assert body["errors"][0]["field"] == "body.email"
    assert len(answer.content) < 20_000
    json.dumps(body, allow_nan=False)  # strict JSON: no NaN or Infinity got through


def test_what_is_echoed_is_recognisable_and_short() -> None:
    echoed = problems.echoable
    assert echoed(b"bytes") is None
    assert echoed(float("nan")) is None
    assert echoed(HUGE) == "x" * problems.ECHO_TEXT + "…"
    assert echoed(list(range(1000))) == list(range(problems.ECHO_ITEMS))
    assert echoed({"a": b"x", "b": [1.5, "ok"]}) == {"a": None, "b": [1.5, "ok"]}
    assert echoed("\ud800") == "\ufffd"
    assert echoed(("t", 1)) == ["t", 1]
    depth = 0
    value = echoed(_nested(50))
    while isinstance(value, dict):
        value, depth = value["a"][0], depth + 2
    assert value is None and depth <= problems.ECHO_DEPTH


def test_a_huge_field_name_is_cut_in_the_field_and_the_detail() -> None:
    body = problem(_answer("x", loc=("body", HUGE)), 422)
    assert len(body["errors"][0]["field"]) < 300
    assert len(body["detail"]) < 1000


def test_many_errors_are_listed_up_to_a_limit_and_counted() -> None:
    app = FastAPI()
    problems.install(app)
    count = problems.LISTED_ERRORS + 30

    @app.get("/v")
    def fails() -> None:
        raise RequestValidationError(
            [
                {"type": "string_type", "loc": ("body", i), "msg": "bad", "input": i}
                for i in range(count)
            ]
        )

    with TestClient(app) as client:
        body = problem(client.get("/v"), 422)
    assert len(body["errors"]) == problems.LISTED_ERRORS
    assert body["detail"].endswith("; and 30 more")


@pytest.mark.parametrize(
    "raw",
    [
        b'{"email": NaN, "password": "x"}',
        b'{"email": {"a": [Infinity]}, "password": "x"}',
        b'{"email": "\\ud800", "password": "x"}',
        b'{"email": "a@b.c", "password": "x", "' + b"k" * 500_000 + b'": 1}',
    ],
    ids=["nan", "infinity", "lone-surrogate", "huge-key"],
)
def test_strange_json_through_the_api_is_a_422(client: TestClient, raw: bytes) -> None:
    # Python's JSON reader takes NaN and lone surrogates, which JSON writers refuse.
    answer = client.post(
        "/v1/auth/tokens", content=raw, headers={"Content-Type": "application/json"}
    )
    problem(answer, 422)
    assert len(answer.content) < 20_000
