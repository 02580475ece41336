"""The server's catalogues: complete, in step with the code, loaded as written, negotiated."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from server.i18n import negotiate
from tests.support.catalogues import MARK, extracted_ids, problems, read
from trails.i18n import (
    INTERFACE_LANGUAGES,
    SOURCE_LANGUAGE,
    TEMPLATE,
    catalogue_path,
    render,
    translations,
)
from trails.messages import Message, msg, nmsg

TRANSLATED = [lang for lang in INTERFACE_LANGUAGES if lang != SOURCE_LANGUAGE]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_marked_message_is_translated_with_the_same_placeholders(language: str) -> None:
    assert problems(read(TEMPLATE), read(catalogue_path(language))) == []


def test_the_template_holds_exactly_the_messages_marked_in_the_code() -> None:
    marked = extracted_ids()
    in_template = {m.id for m in read(TEMPLATE) if m.id}
    assert marked - in_template == set(), "new messages: run `make messages` and translate them"
    assert in_template - marked == set(), "stale messages: run `make messages`"


@pytest.mark.parametrize("language", TRANSLATED)
def test_entries_marked_for_review_are_loaded_not_dropped(language: str) -> None:
    catalogue = read(catalogue_path(language))
    loaded = translations(language)
    marked = [m for m in catalogue if m.id and MARK in m.user_comments]
    assert marked, "the machine translations carry the review comment"
    for message in marked:
        if message.pluralizable:
            singular, plural = message.id
            assert loaded.ngettext(singular, plural, 1) == message.string[0]
        else:
            assert loaded.gettext(message.id) == message.string


def test_a_message_without_translation_falls_back_to_english_never_to_a_key() -> None:
    text = msg("a sentence nobody translated, about {thing}", thing="the mill")
    for language in INTERFACE_LANGUAGES:
        assert render(text, language) == "a sentence nobody translated, about the mill"
    counted = nmsg("{count} stop nobody translated", "{count} stops nobody translated", 3)
    assert render(counted, "de") == "3 stops nobody translated"


def test_plain_text_is_shown_as_it_is() -> None:
    assert render("no such trail in this organisation", "nl") == (
        "no such trail in this organisation"
    )


def test_messages_render_in_each_language_with_numbers_written_for_it() -> None:
    text = msg(
        "radius must be between {min} m and {max} m, got {value} m", min=5.0, max=5.0e3, value=2.5
    )
    assert render(text, "en") == "radius must be between 5 m and 5000 m, got 2.5 m"
    assert render(text, "nl") == "de straal moet tussen 5 m en 5.000 m liggen, ontvangen: 2,5 m"
    assert render(text, "de").startswith("der Radius muss zwischen 5 m und 5.000 m")
    assert "2,5 m" in render(text, "fr")


def test_plural_forms_follow_the_language() -> None:
    one, many = (nmsg("and {count} more", "and {count} more", n) for n in (1, 4))
    assert (render(one, "fr"), render(many, "fr")) == ("et 1 autre", "et 4 autres")
    assert (render(one, "de"), render(many, "de")) == ("und 1 weiterer", "und 4 weitere")


def test_a_message_is_its_english_text_and_survives_pickling() -> None:
    text = msg("no trail '{slug}'", slug="moulin")
    assert text == "no trail 'moulin'" and isinstance(text, str)
    back = pickle.loads(pickle.dumps(ValueError(text))).args[0]
    assert isinstance(back, Message) and render(back, "nl") == "geen wandeling 'moulin'"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("nl-BE,nl;q=0.9,en;q=0.8", "nl"),
        ("de;q=0.2, fr;q=0.7", "fr"),
        ("es, it;q=0.9, de;q=0.1", "de"),
        ("fr-CH", "fr"),
        ("en;q=0, nl", "nl"),
        ("DE", "de"),
    ],
)
def test_accept_language_is_negotiated_by_q_value(header: str, language: str) -> None:
    assert negotiate(header) == language


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "*",
        "es, it, ja",
        "nl;q=abc, fr;q=2",
        ";;;,,q=,=,\x00",
        "x" * 10_000,
        "es;q=0.9, " * 2_000 + "nl",
    ],
)
def test_missing_malformed_huge_or_unknown_headers_give_english(header: str | None) -> None:
    assert negotiate(header) == "en"


def _write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    header = (
        'msgid ""\nmsgstr ""\n"Language: nl\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
        '"Content-Type: text/plain; charset=utf-8\\n"\n\n'
    )
    path.write_text(header + body, encoding="utf-8")
    return path


TEMPLATE_BODY = """
msgid "no trail '{slug}'"
msgstr ""

msgid "Field required"
msgstr ""

msgid "{count} stop"
msgid_plural "{count} stops"
msgstr[0] ""
msgstr[1] ""
"""


def test_the_checker_finds_what_a_translator_missed(tmp_path: Path) -> None:
    template = read(_write(tmp_path, "t.pot", TEMPLATE_BODY))
    good = read(
        _write(
            tmp_path,
            "good.po",
            """
msgid "no trail '{slug}'"
msgstr "geen wandeling '{slug}'"

msgid "Field required"
msgstr "Verplicht veld"

msgid "{count} stop"
msgid_plural "{count} stops"
msgstr[0] "één halte"
msgstr[1] "{count} haltes"
""",
        )
    )
    assert problems(template, good) == []
    bad = read(
        _write(
            tmp_path,
            "bad.po",
            """
msgid "no trail '{slug}'"
msgstr "geen wandeling '{naam}'"

#, fuzzy
msgid "{count} stop"
msgid_plural "{count} stops"
msgstr[0] "{count} halte"
msgstr[1] "{aantal} haltes"

msgid "an old message"
msgstr "een oud bericht"
""",
        )
    )
    found = problems(template, bad)
    assert any(p.startswith("missing:") and "Field required" in p for p in found)
    assert any(p.startswith("stale") and "an old message" in p for p in found)
    assert any("placeholders ['naam']" in p for p in found)
    assert any("placeholders ['aantal']" in p for p in found)
    assert any(p.startswith("fuzzy") for p in found)


def test_the_checker_refuses_an_empty_translation(tmp_path: Path) -> None:
    template = read(_write(tmp_path, "t.pot", 'msgid "Field required"\nmsgstr ""\n'))
    empty = read(_write(tmp_path, "e.po", 'msgid "Field required"\nmsgstr ""\n'))
    assert problems(template, empty) == ["empty translation: 'Field required'"]
