"""Words for people that can be translated later: a message id with its parameters.

A :class:`Message` is a ``str`` (its English text), so code that prints, joins or compares it
keeps working; the server renders it again in the request's language (``server/i18n.py``),
from the gettext catalogues in ``trails/locales/``. ``msg`` and ``nmsg`` are the markers
``pybabel extract`` looks for (``babel.cfg``), so their first arguments must be literals.

Placeholders are named, in ``str.format`` style without format specs (``{radius}``, never
``{radius:g}``): a parameter is formatted for the language when the message is rendered.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any


class Message(str):
    """English text that remembers its message id and parameters, to be rendered elsewhere."""

    msgid: str
    plural: str | None
    n: int | None
    params: Mapping[str, Any]

    def __new__(
        cls,
        msgid: str,
        params: Mapping[str, Any] | None = None,
        plural: str | None = None,
        count: int | None = None,
    ) -> Message:
        """The message with its English text filled in (plural form chosen by ``count``)."""
        params = dict(params or {})
        # English has two forms: one, and everything else.
        template = plural if plural is not None and count != 1 else msgid
        self = super().__new__(cls, fill(template, params))
        self.msgid, self.plural, self.n, self.params = msgid, plural, count, params
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # Jobs pickle errors; a Message must come back as itself, not as str(text).
        return (Message, (self.msgid, dict(self.params), self.plural, self.n))


def plain(value: Any) -> str:
    """A parameter as English text: whole floats without ".0", others to 3 significant places."""
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:g}"
    return str(value)


def fill(template: str, params: Mapping[str, Any], fmt: Any = plain) -> str:
    """The template with its named placeholders replaced by ``fmt(parameter)``."""
    return template.format_map({k: fmt(v) for k, v in params.items()})


def joined(parts: Sequence[str], separator: str = "; ") -> Message:
    """Several texts as one, each part rendered in the reader's language (no words of its own)."""
    names = {f"part{i}": part for i, part in enumerate(parts)}
    # Not marked for extraction: the template is only placeholders, with nothing to translate.
    template = separator.replace("{", "{{").replace("}", "}}").join(f"{{{n}}}" for n in names)
    return Message(template, names)


def msg(msgid: str, **params: Any) -> Message:
    """A translatable message; ``msgid`` is its English text with ``{name}`` placeholders."""
    return Message(msgid, params)


def nmsg(singular: str, plural: str, count: int, **params: Any) -> Message:
    """A translatable message whose wording depends on ``count`` (also a ``{count}`` parameter)."""
    return Message(singular, {"count": count, **params}, plural, count)


def _plural_ending(ctx: Mapping[str, Any], name: str) -> int:
    value = ctx.get(name)
    return value if isinstance(value, int) else 2


def pydantic_message(error: Mapping[str, Any]) -> str:
    """A pydantic error's message, translatable when its type is one people meet.

    Chosen by the error's ``type`` and ``ctx`` rather than its English text, so that a
    pydantic upgrade that rewords a message cannot silently untranslate it.
    """
    kind = error.get("type", "")
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    english: str = str(error.get("msg", "")).removeprefix("Value error, ")
    if kind == "value_error":
        cause = ctx.get("error")
        if isinstance(cause, ValueError) and cause.args and isinstance(cause.args[0], Message):
            return cause.args[0]
        return english
    if kind == "missing":
        return msg("Field required")
    if kind == "extra_forbidden":
        return msg("Extra inputs are not permitted")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        limit = next(iter(ctx.values()), None)
        if limit is None:
            return english
        if kind == "greater_than":
            return msg("Input should be greater than {limit}", limit=limit)
        if kind == "greater_than_equal":
            return msg("Input should be greater than or equal to {limit}", limit=limit)
        if kind == "less_than":
            return msg("Input should be less than {limit}", limit=limit)
        return msg("Input should be less than or equal to {limit}", limit=limit)
    if kind == "string_too_short":
        n = _plural_ending(ctx, "min_length")
        return nmsg(
            "String should have at least {count} character",
            "String should have at least {count} characters",
            n,
        )
    if kind == "string_too_long":
        n = _plural_ending(ctx, "max_length")
        return nmsg(
            "String should have at most {count} character",
            "String should have at most {count} characters",
            n,
        )
    if kind == "too_short" and "min_length" in ctx:
        return nmsg(
            "List should have at least {count} item after validation, not {actual}",
            "List should have at least {count} items after validation, not {actual}",
            _plural_ending(ctx, "min_length"),
            actual=ctx.get("actual_length"),
        )
    if kind == "too_long" and "max_length" in ctx:
        return nmsg(
            "List should have at most {count} item after validation, not {actual}",
            "List should have at most {count} items after validation, not {actual}",
            _plural_ending(ctx, "max_length"),
            actual=ctx.get("actual_length"),
        )
    if kind in ("string_type", "string_unicode"):
        return msg("Input should be a valid string")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return msg("Input should be a valid integer")
    if kind in ("float_type", "float_parsing"):
        return msg("Input should be a valid number")
    if kind in ("bool_type", "bool_parsing"):
        return msg("Input should be a valid boolean")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return msg("Input should be a valid dictionary or object")
    if kind == "list_type":
        return msg("Input should be a valid list")
    if kind in ("literal_error", "enum") and "expected" in ctx:
        return msg("Input should be {expected}", expected=ctx["expected"])
    if kind in ("datetime_type", "datetime_parsing", "datetime_from_date_parsing"):
        return msg("Input should be a valid datetime")
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing"):
        return msg("Input should be a valid date")
    if kind == "uuid_parsing" or kind == "uuid_type":
        return msg("Input should be a valid UUID")
    if kind == "string_pattern_mismatch" and "pattern" in ctx:
        return msg("String should match pattern '{pattern}'", pattern=ctx["pattern"])
    if kind == "timezone_aware":
        return msg("Input should have timezone info")
    return english
