"""Blob keys and media paths are stored data: each builder gives exactly the known string."""

from __future__ import annotations

import hashlib

from trails import storage_names as names

SHA = "ab" * 32


def test_media_paths() -> None:
    assert names.media_name(SHA, ".opus") == f"media/{SHA}.opus"
    assert names.audio_name(SHA, "Roue.WAV") == f"media/{SHA}.wav"
    assert names.audio_name(SHA, "no-extension") == f"media/{SHA}"
    text = "WEBVTT\n\n00:00.000 --> 00:01.000\nÉté\n"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert (
        names.transcript_name(text)
        == names.transcript_name(text.encode())
        == (f"media/{digest}.vtt")
    )
    assert names.transcript_path(SHA) == f"media/{SHA}.vtt"
    assert names.cover_path(SHA) == f"media/{SHA}.jpg"
    assert names.source_media_path("2-roue.mp3") == "media/2-roue.mp3"
    assert names.media_sha256(f"media/{SHA}.m4a") == SHA
    assert names.MEDIA_NAME_RE.match(f"media/{SHA}.opus")
    assert not names.MEDIA_NAME_RE.match(f"media/{SHA}.OPUS")


def test_blob_keys() -> None:
    assert names.original_key(SHA) == f"originals/{SHA}"
    assert names.cover_key(SHA) == f"originals/{SHA}"
    assert names.waveform_key(SHA) == f"waveforms/{SHA}.json"
    assert names.rendition_key(SHA, ".m4a") == f"media/{SHA}.m4a"
    assert names.published_media_key(f"media/{SHA}.vtt") == f"media/{SHA}.vtt"
    assert names.bundle_key(SHA) == f"bundles/{SHA}.zip"
    assert names.bundle_sha256(names.bundle_key(SHA)) == SHA
    assert names.photo_key(SHA) == f"photos/{SHA}"
    assert names.consent_form_key(SHA) == f"consent-forms/{SHA}"
    assert names.render_key("0f" * 16, ".opus") == f"renders/{'0f' * 16}.opus"
    assert names.render_id_of(names.render_key("0f" * 16, ".wav")) == "0f" * 16
    assert names.original_copies(SHA) == (f"originals/{SHA}", f"waveforms/{SHA}.json")
