"""Transcript proposals: plain text timed by the recording's pauses, SRT and WebVTT checked."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from media.speech import Speech
from server.transcripts import sentences, timed
from tests.support.audio import ffmpeg_make, speech_like
from tests.support.people import People
from tests.support.problems import problem

BASE = "/v1/orgs/mill"
# Three phrases of "speech" (1.0 s, 1.5 s, 0.8 s) with pauses of 0.6 s between them.
PHRASES = [1.0, 0.6, 1.5, 0.6, 0.8]
TEXT = "Le moulin tournait. La roue grinçait toute la nuit, disait mon père. Puis tout s'est tu."


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("speech") / "moulin.wav"
    return ffmpeg_make(out, *speech_like(PHRASES)).read_bytes()


@pytest.fixture
def asset(client: TestClient, people: People, wav: bytes) -> dict[str, Any]:
    made = client.post(
        f"{BASE}/assets",
        files={"file": ("moulin.wav", wav, "audio/wav")},
        headers=people["editor"],
    )
    assert made.status_code == 201, made.text
    return made.json()


def _propose(client: TestClient, who: dict[str, str], asset_id: int, **body: Any) -> Any:
    return client.post(f"{BASE}/assets/{asset_id}/transcript-proposal", json=body, headers=who)


def _cues(vtt: str) -> list[tuple[float, float, str]]:
    found = re.findall(r"(\d+):(\d+):([\d.]+) --> (\d+):(\d+):([\d.]+)\n(.+)", vtt)
    return [
        (int(h) * 3600 + int(m) * 60 + float(s), int(h2) * 3600 + int(m2) * 60 + float(s2), t)
        for h, m, s, h2, m2, s2, t in found
    ]


def test_plain_text_becomes_one_cue_per_sentence_changing_at_the_pauses(
    client: TestClient, people: People, asset: dict[str, Any]
) -> None:
    answer = _propose(client, people["editor"], asset["id"], text=TEXT, language="fr")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["source"] == "text" and body["cues"] == 3
    assert body["vtt"].startswith("WEBVTT\n\n")
    cues = _cues(body["vtt"])
    assert [c[2] for c in cues] == [
        "Le moulin tournait.",
        "La roue grinçait toute la nuit, disait mon père.",
        "Puis tout s'est tu.",
    ]
    # Each caption is on screen while its phrase is heard, changing in the pauses.
    for (start, end, _), (want_start, want_end) in zip(
        cues, [(0.0, 1.0), (1.6, 3.1), (3.7, 4.5)], strict=True
    ):
        assert start == pytest.approx(want_start, abs=0.08)
        assert end == pytest.approx(want_end, abs=0.08)


def test_a_proposal_stores_nothing(
    client: TestClient, people: People, asset: dict[str, Any]
) -> None:
    story = client.post(
        f"{BASE}/stories",
        json={"title": "Le moulin", "versions": {"fr": {"audio_asset_id": asset["id"]}}},
        headers=people["editor"],
    ).json()
    assert _propose(client, people["editor"], asset["id"], text=TEXT).status_code == 200
    again = client.get(f"{BASE}/stories/{story['id']}", headers=people["editor"]).json()
    assert again["versions"][0]["transcript_vtt"] is None
    assert again["etag"] == story["etag"]


@pytest.mark.parametrize("text", ["", "   \n\n  ", "… !? -- ;"])
def test_text_with_no_sentence_is_refused_by_the_field(
    client: TestClient, people: People, asset: dict[str, Any], text: str
) -> None:
    body = problem(_propose(client, people["editor"], asset["id"], text=text), 422)
    assert body["errors"][0]["field"].endswith("text")
    assert "no sentence" in body["errors"][0]["message"]


def test_srt_becomes_webvtt(client: TestClient, people: People, asset: dict[str, Any]) -> None:
    srt = (
        "1\n00:00:00,000 --> 00:00:01,000\nLe moulin.\n\n"
        "2\n00:00:01,600 --> 00:00:03,100\n<i>La roue.</i>\n"
    )
    answer = _propose(client, people["editor"], asset["id"], text=srt)
    assert answer.status_code == 200, answer.text
    assert answer.json()["source"] == "srt"
    assert answer.json()["vtt"] == (
        "WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.000\nLe moulin.\n\n"
        "2\n00:00:01.600 --> 00:00:03.100\n<i>La roue.</i>\n"
    )


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("1\n00:00:00,000 --> 00:00:09,000\nBien trop long.\n", "auto"),
        ("WEBVTT\n\n00:00.000 --> 00:01.000\nUn.\n\n00:02.000 --> 00:12.000\nDeux.\n", "vtt"),
    ],
)
def test_a_transcript_longer_than_the_recording_is_refused(
    client: TestClient, people: People, asset: dict[str, Any], text: str, fmt: str
) -> None:
    answer = _propose(client, people["editor"], asset["id"], text=text, format=fmt)
    body = problem(answer, 422)
    assert "the recording lasts 4.5 s" in body["errors"][0]["message"]


def test_an_srt_that_does_not_parse_is_refused_naming_its_line_in_french(
    client: TestClient, people: People, asset: dict[str, Any]
) -> None:
    srt = "1\n00:00:00,000 --> 00:00:01,000\nUn.\n\n2\n00:00:01 --> 00:00:02\nDeux.\n"
    answer = client.post(
        f"{BASE}/assets/{asset['id']}/transcript-proposal",
        json={"text": srt, "format": "srt"},
        headers={**people["editor"], "Accept-Language": "fr"},
    )
    body = problem(answer, 422)
    message = body["errors"][0]["message"]
    assert message.startswith("ligne 6 :"), message
    assert "00:00:01 --> 00:00:02" in message


def test_only_editors_ask_for_proposals(
    client: TestClient, people: People, asset: dict[str, Any]
) -> None:
    problem(_propose(client, people["contributor"], asset["id"], text=TEXT), 403)


def test_sentences_follow_the_language_and_skip_what_has_no_word() -> None:
    # "M." and "Dr." are abbreviations, not ends of sentences.
    assert sentences("M. Dupont est venu. Il n'a rien dit.", "fr") == [
        "M. Dupont est venu.",
        "Il n'a rien dit.",
    ]
    assert sentences("Herr Dr. Meier kam um 3 Uhr.\n\nEr sagte nichts.", "de") == [
        "Herr Dr. Meier kam um 3 Uhr.",
        "Er sagte nichts.",
    ]
    assert sentences("?! ... \n\n --", "nl") == []


def test_more_sentences_than_pauses_share_the_speech_by_their_length() -> None:
    speech = Speech(((0.0, 10.0),), 10.0)
    cues = timed(["a" * 10, "b" * 30], speech)
    assert [(c.start, c.end) for c in cues] == [(0.0, 2.5), (2.5, 10.0)]


def test_plain_words_are_never_read_as_cue_markup(
    client: TestClient, people: People, asset: dict[str, Any]
) -> None:
    text = "Dupont & fils vendaient du <grain>. C'était 3 < 4 sacs."
    answer = _propose(client, people["editor"], asset["id"], text=text)
    assert answer.status_code == 200, answer.text
    vtt = answer.json()["vtt"]
    assert "Dupont &amp; fils vendaient du &lt;grain&gt;." in vtt
    assert "<" not in vtt.replace("-->", "")
