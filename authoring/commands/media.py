"""``baladeur media``: probe and encode audio files with the same code as the server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from authoring.output import emit_json, labelled, show
from media.loudness import measure
from media.probe import probe
from media.renditions import RenditionSpec, Tags, encode
from trails.errors import invalid
from trails.messages import msg
from trails.vocabulary import (
    AUDIO_PROFILES,
    AUDIO_ROLES,
    DEFAULT_PROFILE,
    DEFAULT_TARGET_LUFS,
    AudioRole,
)

# Also run on its own by the launcher (see authoring/launcher.py), hence its own settings.
app = typer.Typer(
    help="Probe and encode audio files.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _existing_file(path: Path) -> Path:
    if not path.exists():
        raise invalid("file", str(path), msg("no such file"))
    if not path.is_file():
        raise invalid("file", str(path), msg("not a file"))
    return path


@app.command("probe")
def probe_command(
    file: Annotated[Path, typer.Argument(help="Audio file to examine.")],
    as_json: JsonOption = False,
) -> None:
    """Identify an audio file from its content and check it against the upload limits."""
    found = probe(_existing_file(file))
    if as_json:
        emit_json(found.as_dict())
        return
    facts = {
        "format": found.format,
        "codec": found.codec,
        "seconds": round(found.duration_s, 2),
        "channels": found.channels,
        "rate": found.sample_rate,
    }
    if found.bit_depth:
        line = msg(
            "{format} / {codec}: {seconds} s, {channels} ch, {rate} Hz, {bits}-bit",
            bits=found.bit_depth,
            **facts,
        )
    else:
        line = msg("{format} / {codec}: {seconds} s, {channels} ch, {rate} Hz", **facts)
    show(line)
    for key, value in sorted(found.tags.items()):
        show(f"  {key}: {value}")
    for note in found.notes:
        labelled(msg("note:"), note, "", err=False)


@app.command("encode")
def encode_command(
    file: Annotated[Path, typer.Argument(help="Audio file to encode.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Rendition file to write.")],
    role: Annotated[
        str, typer.Option(help=f"One of: {', '.join(AUDIO_ROLES)}.")
    ] = AudioRole.voice.value,
    profile: Annotated[
        str, typer.Option(help=f"One of: {', '.join(AUDIO_PROFILES)}.")
    ] = DEFAULT_PROFILE,
    target_lufs: Annotated[
        float, typer.Option(help="Loudness target (LUFS).")
    ] = DEFAULT_TARGET_LUFS,
    title: Annotated[str | None, typer.Option(help="Title tag.")] = None,
    artist: Annotated[str | None, typer.Option(help="Credits, written as artist.")] = None,
    licence: Annotated[str | None, typer.Option(help="Licence, written as copyright.")] = None,
    language: Annotated[str | None, typer.Option(help="BCP 47 language tag.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Encode a rendition at the target loudness with a -1 dBTP true-peak ceiling."""
    spec = RenditionSpec(profile=profile, role=role, target_lufs=target_lufs)
    src = _existing_file(file)
    found = probe(src)
    level = measure(src, found)
    done = encode(
        src,
        output,
        spec,
        probe_result=found,
        loudness=level,
        tags=Tags(title=title, artist=artist, copyright=licence, language=language),
    )
    if as_json:
        emit_json({**done.as_dict(), "source": found.as_dict(), "loudness": level.as_dict()})
        return
    facts = {
        "path": done.path,
        "bytes": done.bytes,
        "seconds": round(done.duration_s, 2),
        "channels": done.channels,
        "gain": f"{done.gain_db:+.1f}",
    }
    if level.integrated_lufs is None:
        line = msg(
            "wrote {path} ({bytes} bytes, {seconds} s, {channels} ch); "
            "source silence, gain {gain} dB",
            **facts,
        )
    else:
        line = msg(
            "wrote {path} ({bytes} bytes, {seconds} s, {channels} ch); "
            "source {lufs} LUFS, gain {gain} dB",
            lufs=round(level.integrated_lufs, 1),
            **facts,
        )
    show(line)
    for note in [*found.notes, *done.notes]:
        labelled(msg("note:"), note, "", err=False)
