"""Canonical JSON follows RFC 8785: number forms, key order by UTF-16 code units, escapes."""

from __future__ import annotations

import json
import math

import pytest

from trails.bundle.canonical import canonical_json, format_number
from trails.errors import InvalidInput


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (30.0, "30"),
        (-12.0, "-12"),
        (4.395, "4.395"),
        (0.1, "0.1"),
        (1e-6, "0.000001"),
        (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"),
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),
        (123456789012345680000.0, "123456789012345680000"),
        (333333333.33333329, "333333333.3333333"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (9007199254740992, "9007199254740992"),
        (-5, "-5"),
    ],
)
def test_numbers(value: float, text: str) -> None:
    assert format_number(value) == text
    assert float(json.loads(text)) == value


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 2**53 + 1])
def test_refused_numbers(value: float) -> None:
    with pytest.raises(InvalidInput):
        canonical_json({"x": value})


def test_keys_sorted_by_utf16_code_units() -> None:
    # The example of RFC 8785, section 3.2.3: the emoji sorts before U+FB33 in UTF-16.
    data = {"\u20ac": 1, "\r": 2, "\ufb33": 3, "1": 4, "\U0001f600": 5, "\u0080": 6, "\u00f6": 7}
    keys = list(json.loads(canonical_json(data)))
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_layout_and_escapes() -> None:
    value = {"b": [1, 2.5, None, True, False], "a": 'é "q" \\ \n\t\x01\u2028/'}
    assert (
        canonical_json(value)
        == ('{"a":"é \\"q\\" \\\\ \\n\\t\\u0001\u2028/","b":[1,2.5,null,true,false]}').encode()
    )


def test_round_trip_is_stable() -> None:
    value = {"z": {"y": [0.5, 1e-9, "x"]}, "a": 1}
    once = canonical_json(value)
    assert canonical_json(json.loads(once)) == once


def test_non_json_values_refused() -> None:
    with pytest.raises(InvalidInput):
        canonical_json({"when": object()})
    with pytest.raises(InvalidInput):
        canonical_json({1: "x"})
    with pytest.raises(InvalidInput):
        canonical_json({"x": "\ud800"})
