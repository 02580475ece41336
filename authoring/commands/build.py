"""``baladeur build``: encode, sign and package a trail source folder as a bundle, locally."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from authoring.language import say
from authoring.output import emit_json, err_console, labelled, show, warn
from media.loudness import measure
from media.probe import probe
from media.renditions import EncodedRendition, encode_file
from trails.bundle.manifest import build_manifest
from trails.bundle.model import BundleMedia
from trails.bundle.package import package_bundle
from trails.bundle.signing import Keyring, SigningKey, load_private_key
from trails.bundle.size import DEFAULT_WARN_BYTES, size_report
from trails.bundle.writer import file_chunks
from trails.errors import invalid
from trails.files import file_sha256
from trails.messages import msg
from trails.source import LoadedSource, load_source
from trails.vocabulary import AUDIO_PROFILES, DEFAULT_PROFILE, AudioRole

# Extension and MIME type of the files that go into a bundle as they are.
_AS_IS = {
    ".vtt": ("vtt", "text/vtt", "transcript"),
    ".jpg": ("jpg", "image/jpeg", "image"),
    ".jpeg": ("jpg", "image/jpeg", "image"),
    ".png": ("png", "image/png", "image"),
}


def default_key_dir() -> Path:
    """Where local builds keep their signing key: ``$BALADEUR_DATA_DIR/keys`` or XDG data."""
    data_dir = os.environ.get("BALADEUR_DATA_DIR")
    if data_dir:
        return Path(data_dir) / "keys"
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "baladeur" / "keys"


def _built_at() -> datetime:
    # SOURCE_DATE_EPOCH (reproducible-builds.org) pins the time, and so the bundle's bytes.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except ValueError:
            raise invalid("SOURCE_DATE_EPOCH", epoch, msg("must be whole seconds")) from None
    return datetime.now(UTC).replace(microsecond=0)


def _audio_jobs(loaded: LoadedSource) -> dict[str, tuple[str, float]]:
    """Each audio path with its role and loudness target."""
    settings = loaded.trail.settings
    jobs: dict[str, tuple[str, float]] = {}
    for stop in loaded.trail.stops:
        if stop.story is None:
            continue
        for version in stop.story.versions.values():
            jobs.setdefault(version.audio, (stop.story.role, settings.loudness_lufs))
    ambience_target = settings.loudness_lufs + settings.ambience_offset_db
    for layer in loaded.trail.ambience:
        jobs.setdefault(layer.audio, (AudioRole.immersive.value, ambience_target))
    # Sound objects are sounds of the place, like ambience: stereo kept, the same target.
    for obj in loaded.trail.objects:
        jobs.setdefault(obj.audio, (AudioRole.immersive.value, ambience_target))
    return jobs


def _default_publisher(loaded: LoadedSource) -> str:
    """Who a local build names as publisher when not told: a manifest needs a name there."""
    credits = loaded.trail.credits
    return credits[0].name if credits else loaded.trail.slug


def _as_is(loaded: LoadedSource, relative: str) -> tuple[BundleMedia, Path]:
    path = loaded.media_file(relative)
    known = _AS_IS.get(path.suffix.lower())
    if known is None:
        reason = (
            msg("cannot bundle a {extension} file", extension=path.suffix)
            if path.suffix
            else msg("cannot bundle a file without an extension")
        )
        raise invalid("media", relative, reason)
    extension, mime, kind = known
    media = BundleMedia(file_sha256(path), path.stat().st_size, mime, extension, kind)  # type: ignore[arg-type]
    return media, path


def encode_audio(
    loaded: LoadedSource, profile: str, work: Path, *, show_progress: bool
) -> tuple[dict[str, tuple[BundleMedia, Path]], list[str]]:
    """Encode every audio file of the trail in ``profile``; a progress bar on stderr."""
    jobs = _audio_jobs(loaded)
    out: dict[str, tuple[BundleMedia, Path]] = {}
    notes: list[str] = []

    def run(item: tuple[int, str]) -> tuple[str, BundleMedia, Path, list[str]]:
        index, relative = item
        role, target = jobs[relative]
        dst = work / f"{index}.{profile}"
        done: EncodedRendition = encode_file(
            loaded.media_file(relative), dst, role=role, profile=profile, target_lufs=target
        )
        level = measure(done.path, probe(done.path)).integrated_lufs
        media = BundleMedia(
            sha256=done.sha256,
            bytes=done.bytes,
            mime_type=done.mime_type,
            extension=done.extension.lstrip("."),
            kind="audio",
            duration_s=done.duration_s,
            loudness_lufs=level,
        )
        return relative, media, done.path, [f"{relative}: {n}" for n in done.notes]

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=not show_progress,
        transient=True,
    )
    with progress, ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        task = progress.add_task(say(msg("encoding {profile}", profile=profile)), total=len(jobs))
        for relative, media, path, item_notes in pool.map(run, enumerate(sorted(jobs))):
            out[relative] = (media, path)
            notes.extend(item_notes)
            progress.advance(task)
    return out, notes


def _signing_key(key: Path | None) -> SigningKey:
    if key is not None:
        return SigningKey(load_private_key(key))
    return Keyring(default_key_dir()).current()


def build(
    src: Annotated[Path, typer.Argument(help="Trail source folder.")],
    out: Annotated[Path, typer.Option("-o", "--output", help="Bundle file to write (.zip).")],
    profile: Annotated[
        str, typer.Option("--profile", help=f"Audio profile: {' or '.join(AUDIO_PROFILES)}.")
    ] = DEFAULT_PROFILE,
    key: Annotated[
        Path | None,
        typer.Option("--key", help="Private signing key (PEM or base64 seed); default: local."),
    ] = None,
    release: Annotated[int, typer.Option("--release", help="Release number.")] = 1,
    trail_id: Annotated[
        str | None, typer.Option("--trail-id", help="Trail id (default: the slug).")
    ] = None,
    publisher: Annotated[
        str | None,
        typer.Option(
            "--publisher", help="Publisher's name (default: the trail's first credit, or slug)."
        ),
    ] = None,
    warn_mb: Annotated[
        float, typer.Option("--warn-mb", help="Warn when the bundle is larger (MB).")
    ] = DEFAULT_WARN_BYTES / 1_000_000,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Build a signed bundle from a trail folder, encoding its audio, and report its size.

    Without --key, signs with a key kept in $BALADEUR_DATA_DIR/keys (default
    ~/.local/share/baladeur/keys), created on first use. SOURCE_DATE_EPOCH pins the build
    time, for byte-identical rebuilds.
    """
    if profile not in AUDIO_PROFILES:
        raise invalid(
            "--profile",
            profile,
            msg("profile must be one of {profiles}", profiles=", ".join(AUDIO_PROFILES)),
        )
    loaded = load_source(src)
    signing_key = _signing_key(key)
    with tempfile.TemporaryDirectory(prefix="baladeur-build-") as work:
        audio, notes = encode_audio(loaded, profile, Path(work), show_progress=not as_json)
        files: dict[str, Path] = {}

        def media(relative: str) -> BundleMedia:
            item, path = audio[relative] if relative in audio else _as_is(loaded, relative)
            files[item.path] = path
            return item

        manifest = build_manifest(
            loaded.trail,
            trail_id=trail_id or loaded.trail.slug,
            release=release,
            profile=profile,
            media=media,
            publisher=publisher or _default_publisher(loaded),
            key_id=signing_key.id,
            built_at=_built_at(),
        )
        chunks: Callable[[BundleMedia], Any] = lambda m: file_chunks(files[m.path])  # noqa: E731
        built = package_bundle(out, manifest, signing_key, chunks)
    sizes = size_report(
        {profile: manifest}, {profile: built.written.bytes}, warn_bytes=int(warn_mb * 1_000_000)
    )
    result = {
        "bundle": str(out),
        "trail": loaded.trail.slug,
        "release": release,
        "profile": profile,
        "bytes": built.written.bytes,
        "sha256": built.written.sha256,
        "key_id": signing_key.id,
        "size": sizes,
        "notes": notes,
    }
    if as_json:
        emit_json(result)
        return
    entry = sizes["profiles"][profile]
    per_minute = entry["bytes_per_audio_minute"] or 0
    show(
        msg(
            "wrote {path}: {megabytes} MB, {media} media, {minutes} min of audio"
            " ({kilobytes} kB/min), signed by {key}",
            path=out,
            megabytes=round(built.written.bytes / 1e6, 2),
            media=len(manifest["media"]),
            minutes=round(entry["audio_s"] / 60, 1),
            kilobytes=round(per_minute / 1e3),
            key=signing_key.id,
        )
    )
    for line in notes:
        labelled(msg("note:"), line, "", err=False)
    for warning in sizes["warnings"]:
        warn(warning)
