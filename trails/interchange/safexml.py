"""Parse XML from outside without entities, DTDs or network access."""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_tree
from defusedxml import DefusedXmlException

from trails.errors import invalid
from trails.messages import msg


def parse_xml(data: bytes, what: str) -> Element:
    """The root element of an XML document; DTDs and entities are refused outright.

    A document that declares a DTD or entities is refused rather than parsed, so nothing
    is ever fetched or expanded (no external entities, no "billion laughs").
    """
    try:
        root: Element = safe_tree.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException:
        raise invalid(
            what, None, msg("the XML declares a DTD or entities, which are refused for safety")
        ) from None
    except LookupError as exc:
        raise invalid(
            what, None, msg("the XML declares an encoding Python cannot read: {exc}", exc=exc)
        ) from None
    except ParseError as exc:
        line, column = exc.position
        raise invalid(
            what,
            None,
            msg(
                "not well-formed XML at line {line}, column {column}", line=line, column=column + 1
            ),
        ) from None
    return root


def local_name(element: Element) -> str:
    """An element's tag without its namespace."""
    return element.tag.rsplit("}", 1)[-1]


def children(element: Element, name: str) -> list[Element]:
    """Direct children with this local name, whatever their namespace."""
    return [child for child in element if local_name(child) == name]


def child(element: Element, name: str) -> Element | None:
    """The first direct child with this local name, or None."""
    found = children(element, name)
    return found[0] if found else None


def child_text(element: Element, name: str) -> str | None:
    """The stripped text of the first child with this local name, or None when empty."""
    found = child(element, name)
    text = (found.text or "").strip() if found is not None else ""
    return text or None


def descendants(element: Element, name: str) -> list[Element]:
    """Every descendant with this local name, in document order."""
    return [e for e in element.iter() if e is not element and local_name(e) == name]
