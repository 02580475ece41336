"""Canonical JSON: one byte sequence per value, so that a signature covers meaning, not layout.

The rules are those of RFC 8785 (JSON Canonicalization Scheme), restated in
``docs/bundle-format.md``:

- objects: members sorted by key, comparing keys as sequences of UTF-16 code units;
  duplicate keys cannot occur (a Python dict has none);
- no whitespace outside strings; ``,`` and ``:`` as separators;
- strings: UTF-8, escaping only ``"``, ``\\`` and control characters below U+0020
  (``\\b \\t \\n \\f \\r`` in short form, the others as ``\\u00xx`` in lowercase hex);
- numbers: the shortest decimal that reads back as the same IEEE 754 double, written as
  ECMAScript's ``Number.prototype.toString`` writes it (``30`` not ``30.0``, ``0.000001``,
  ``1e-7``, ``1e+21``); ``-0`` is written ``0``; NaN and infinities are refused, and so are
  integers beyond +/-2**53 (they would not survive a double);
- ``true``, ``false``, ``null`` as such.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from trails.errors import invalid
from trails.messages import msg

_MAX_SAFE_INTEGER = 2**53
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f"}
_SHORT_ESCAPES["\r"] = "\\r"


def canonical_json(value: Any) -> bytes:
    """The canonical UTF-8 bytes of a JSON value (dict, list, str, number, bool, None)."""
    parts: list[str] = []
    _write(value, parts, "$")
    try:
        return "".join(parts).encode("utf-8")
    except UnicodeEncodeError:
        raise invalid(
            "json", None, msg("a string holds a lone surrogate, not valid UTF-8")
        ) from None


def format_number(value: int | float) -> str:
    """A number as canonical JSON writes it (ECMAScript shortest round-trip form)."""
    if isinstance(value, int):
        if abs(value) > _MAX_SAFE_INTEGER:
            raise invalid("json", value, msg("integers beyond 2**53 do not survive a double"))
        return str(value)
    if not math.isfinite(value):
        raise invalid("json", value, msg("NaN and infinities are not JSON numbers"))
    if value == 0:
        return "0"
    # repr gives the shortest digits that read back as the same double, like ECMAScript.
    _sign, digit_tuple, exponent = Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    exponent = int(exponent) + (len(digit_tuple) - len(digits))
    k = len(digits)
    n = exponent + k  # the value is 0.digits x 10**n
    prefix = "-" if value < 0 else ""
    if k <= n <= 21:
        return prefix + digits + "0" * (n - k)
    if 0 < n <= 21:
        return prefix + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return prefix + "0." + "0" * -n + digits
    e = n - 1
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{prefix}{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"


def _string(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _utf16_key(key: str) -> bytes:
    # Big-endian UTF-16 bytes compare in the same order as UTF-16 code units.
    return key.encode("utf-16-be", "surrogatepass")


def _write(value: Any, parts: list[str], where: str) -> None:
    if value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, int | float):
        parts.append(format_number(value))
    elif isinstance(value, str):
        parts.append(_string(value))
    elif isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise invalid(where, key, msg("object keys must be strings"))
        parts.append("{")
        for i, key in enumerate(sorted(value, key=_utf16_key)):
            if i:
                parts.append(",")
            parts.append(_string(key))
            parts.append(":")
            _write(value[key], parts, f"{where}.{key}")
        parts.append("}")
    elif isinstance(value, list | tuple):
        parts.append("[")
        for i, item in enumerate(value):
            if i:
                parts.append(",")
            _write(item, parts, f"{where}[{i}]")
        parts.append("]")
    else:
        raise invalid(
            where, repr(value), msg("{type} is not a JSON value", type=type(value).__name__)
        )
