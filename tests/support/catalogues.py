"""Checks of gettext catalogues against their template: what a translator may have missed."""

from __future__ import annotations

import string
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
MARK = "machine translation, needs review"

MessageId = str | tuple[str, ...]


def read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh)


def placeholders(text: str) -> set[str]:
    """The named ``{placeholders}`` of a message (``{{`` is a literal brace)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _strings(message: Message) -> list[str]:
    value = message.string
    return list(value) if isinstance(value, tuple | list) else [value or ""]


def _ids(message: Message) -> list[str]:
    value = message.id
    return list(value) if isinstance(value, tuple | list) else [value]


def problems(template: Catalog, catalogue: Catalog) -> list[str]:
    """Every way ``catalogue`` falls short of ``template``, one sentence each."""
    found: list[str] = []
    wanted = {m.id for m in template if m.id}
    have = {m.id: m for m in catalogue if m.id}
    for msgid in sorted(wanted - set(have), key=str):
        found.append(f"missing: {msgid!r}")
    for msgid in sorted(set(have) - wanted, key=str):
        found.append(f"stale (not in the template): {msgid!r}")
    for msgid, message in sorted(have.items(), key=lambda kv: str(kv[0])):
        if msgid not in wanted:
            continue
        if message.fuzzy:
            # gettext drops fuzzy entries silently: the catalogue marks review needs with a
            # translator comment instead (docs/translating.md).
            found.append(f"fuzzy (gettext would ignore it): {msgid!r}")
        expected = set().union(*(placeholders(i) for i in _ids(message)))
        strings = _strings(message)
        if message.pluralizable and len(strings) != catalogue.num_plurals:
            found.append(f"{len(strings)} plural forms, not {catalogue.num_plurals}: {msgid!r}")
        for text in strings:
            if not text.strip():
                found.append(f"empty translation: {msgid!r}")
                continue
            try:
                names = placeholders(text)
            except ValueError:
                found.append(f"unbalanced braces in {text!r}")
                continue
            # A plural form may leave out {count} ("one more" for 1), never add a name.
            allowed = expected if not message.pluralizable else expected | {"count"}
            must = expected - {"count"} if message.pluralizable else expected
            if not must <= names <= allowed:
                found.append(
                    f"placeholders {sorted(names)} differ from {sorted(expected)} in {text!r}"
                )
    return found


def extracted_ids(root: Path = ROOT) -> set[MessageId]:
    """The message ids marked in the code now, extracted as ``make messages`` does."""
    with (root / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    return {message for _, _, message, _, _ in extract_from_dir(root, method_map, options_map)}
