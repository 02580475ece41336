"""JSON from outside (request fields, imported files), refused cleanly when nested too deep.

Python's decoder recurses: a few thousand ``[`` raise :class:`RecursionError`, and a
structure just under that limit makes every later recursive walk (validation, copying,
serialising) risk the same. Both end here as one :class:`~trails.errors.InvalidInput`.
"""

from __future__ import annotations

import json
from typing import Any

from trails.errors import invalid

MAX_DEPTH = 64


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and objects in ``value`` nest more than ``limit`` levels (no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def load_json(text: str | bytes, field: str, *, limit: int = MAX_DEPTH) -> Any:
    """Parse JSON given by someone else, or raise ``InvalidInput`` naming ``field``."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise invalid(field, None, f"nested more than {limit} levels deep") from None
    except UnicodeDecodeError:
        raise invalid(field, None, "not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise invalid(
            field, None, f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    if too_deep(value, limit):
        raise invalid(field, None, f"nested more than {limit} levels deep")
    return value
