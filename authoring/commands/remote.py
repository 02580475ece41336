"""``baladeur push``, ``pull``, ``publish`` and ``login``: work with a server over HTTP."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from authoring.client import (
    CHUNK_BYTES,
    DEFAULT_SERVER,
    Remote,
    ServerProblem,
    UploadState,
    save_token,
    saved_token,
)
from authoring.commands.trail_io import ForceOption, FormatOption, report_dropped, write_trail
from authoring.language import say
from authoring.output import emit_json, err_console, show, warn
from trails.errors import DomainError, NotFound, invalid
from trails.interchange.model import ImportOptions
from trails.interchange.transfer import (
    TrailData,
    choose_destination,
    load_trail_source,
    text_chunks,
)
from trails.messages import msg
from trails.source import LoadedSource, TrailSource, parse_source
from trails.vocabulary import AudioRole

Server = Annotated[
    str, typer.Option("--server", envvar="BALADEUR_SERVER", help="Address of the server.")
]
Token = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="BALADEUR_TOKEN",
        help="Bearer token; by default the one `baladeur login --save` kept for this server.",
        show_default=False,
    ),
]
Org = Annotated[
    str | None,
    typer.Option(
        "--org",
        envvar="BALADEUR_ORG",
        help="Organisation slug; by default your only organisation.",
        show_default=False,
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def connect(server: str, token: str | None, org: str | None) -> Remote:
    """A client of the server, signed in with the given or saved token."""
    token = token or saved_token(server)
    if not token:
        raise DomainError(
            msg(
                "not signed in to {server}: run `baladeur login --save`, or give --token "
                "(or set BALADEUR_TOKEN)",
                server=server,
            )
        )
    return Remote(server, token, org)


# push


def _roles(trail: TrailSource) -> dict[str, str]:
    roles: dict[str, str] = {}
    for stop in trail.stops:
        if stop.story is None:
            continue
        for version in stop.story.versions.values():
            roles.setdefault(version.audio, stop.story.role)
    for layer in trail.ambience:
        roles.setdefault(layer.audio, AudioRole.immersive.value)
    return roles


def _transcripts(loaded: LoadedSource) -> dict[str, str]:
    texts = {}
    for relative in loaded.trail.transcript_paths():
        try:
            texts[relative] = loaded.media_file(relative).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise invalid("media", relative, msg("{path}: not UTF-8 text", path=relative)) from None
    return texts


def _progress(quiet: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=quiet,
    )


def upload_missing(
    remote: Remote,
    loaded: LoadedSource,
    hashes: dict[str, str],
    missing: list[str],
    *,
    quiet: bool,
    state: UploadState | None = None,
    chunk_bytes: int = CHUNK_BYTES,
) -> list[dict[str, Any]]:
    """Upload, with tus and a progress bar each, the files whose sha256 the server lacks."""
    state = state or UploadState()
    roles = _roles(loaded.trail)
    first_path: dict[str, str] = {}
    for path, sha in hashes.items():
        first_path.setdefault(sha, path)
    sent: list[dict[str, Any]] = []
    with _progress(quiet) as progress:
        for sha in missing:
            relative = first_path[sha]
            file = loaded.media_file(relative)
            task = progress.add_task(relative, total=file.stat().st_size)
            advance: Callable[[int], None] = partial(_advance, progress, task)
            try:
                done = remote.upload(
                    file,
                    sha,
                    role=roles[relative],
                    state=state,
                    on_bytes=advance,
                    chunk_bytes=chunk_bytes,
                )
            except ServerProblem as exc:
                raise DomainError(
                    msg("{path}: {detail}", path=relative, detail=exc.detail)
                ) from None
            sent.append(
                {
                    "path": relative,
                    "sha256": sha,
                    "asset_id": done.asset_id,
                    "bytes_sent": done.sent,
                    "resumed_from": done.resumed_from,
                }
            )
    return sent


def _advance(progress: Progress, task: Any, count: int) -> None:
    progress.advance(task, count)


def _wait_ready(
    remote: Remote, hashes: list[str], timeout_s: float, quiet: bool
) -> dict[str, list[str]]:
    """Poll until no file is still being encoded (or the time is up); statuses by name."""
    deadline = time.monotonic() + timeout_s
    waiting = (
        nullcontext() if quiet else err_console.status(say(msg("encoding audio on the server")))
    )
    with waiting:
        while True:
            found = remote.lookup(hashes)["found"]
            pending = [e for e in found.values() if e["status"] == "pending"]
            if not pending or time.monotonic() >= deadline:
                break
            time.sleep(0.5)
    by_status: dict[str, list[str]] = {"ready": [], "pending": [], "failed": []}
    for entry in found.values():
        by_status.setdefault(entry["status"], []).append(entry["sha256"])
    failed = [e for e in found.values() if e["status"] == "failed"]
    if failed:
        reasons = "; ".join(f"{e['filename']}: {e['failure_reason']}" for e in failed)
        raise DomainError(
            msg(
                "the trail was pushed, but some audio failed on the server: {reasons}",
                reasons=reasons,
            )
        )
    return by_status


def push_trail(
    remote: Remote,
    loaded: LoadedSource,
    *,
    quiet: bool,
    wait: bool = True,
    timeout_s: float = 600,
    state: UploadState | None = None,
) -> dict[str, Any]:
    """Upload what the server lacks, then create or replace the draft; returns a report."""
    trail = loaded.trail
    remote.choose_org()
    hashes = {relative: loaded.sha256(relative) for relative in trail.audio_paths()}
    transcripts = _transcripts(loaded)
    unique = list(dict.fromkeys(hashes.values()))
    # Asked first: a bad token or a missing role stops here, before anything is sent.
    lookup = remote.lookup(unique)
    current = remote.source(trail.slug)
    sent = upload_missing(remote, loaded, hashes, lookup["missing"], quiet=quiet, state=state)
    body = {
        "trail": trail.model_dump(mode="json"),
        "media": {relative: {"sha256": sha} for relative, sha in hashes.items()},
        "transcripts": transcripts,
    }
    done = remote.put_source(trail.slug, body, current["etag"] if current else None)
    report: dict[str, Any] = {
        "server": remote.server,
        "org": remote.org,
        "slug": trail.slug,
        "trail_id": done["trail_id"],
        "created": done["created"],
        "changed": done["changed"],
        "media": len(unique),
        "reused": len(unique) - len(lookup["missing"]),
        "uploaded": sent,
        "bytes_sent": sum(item["bytes_sent"] for item in sent),
    }
    if wait and unique:
        statuses = _wait_ready(remote, unique, timeout_s, quiet)
        report["assets"] = {status: len(items) for status, items in statuses.items()}
    return report


def push(
    folder: Annotated[
        Path,
        typer.Argument(
            help="A trail folder holding trail.yaml, a zip of one, or a GPX/GeoJSON/KML file."
        ),
    ],
    server: Server = DEFAULT_SERVER,
    token: Token = None,
    org: Org = None,
    wait: Annotated[
        bool,
        typer.Option("--wait/--no-wait", help="Wait until the server has encoded the audio."),
    ] = True,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Longest wait for encoding, in seconds.")
    ] = 600,
    json_out: Json = False,
) -> None:
    """Create or update a trail on a server from a folder, uploading only the new media.

    Media whose sha256 the organisation already holds are not sent again; the others go
    through resumable uploads (an interrupted push resumes where it stopped when run again).
    The draft is then replaced in one step: nothing changes on the server if anything is
    refused. Publish it with `baladeur publish`.
    Exit codes: 0 done, 1 refused or the server could not be reached (the reason is printed
    as one line), 2 usage error.
    """
    with tempfile.TemporaryDirectory(prefix="baladeur-push-") as workdir:
        loaded, dropped = load_trail_source(folder, ImportOptions(), Path(workdir))
        if loaded.trail.cover:
            dropped.append(
                msg(
                    "cover {path}: the server keeps no cover from a folder",
                    path=loaded.trail.cover,
                )
            )
        report_dropped(dropped, json_out)
        with connect(server, token, org) as remote:
            report = push_trail(remote, loaded, quiet=json_out, wait=wait, timeout_s=timeout)
    report["dropped"] = dropped
    if json_out:
        emit_json(report)
        return
    facts = {
        "slug": report["slug"],
        "server": report["server"],
        "org": report["org"],
        "uploaded": len(report["uploaded"]),
        "bytes": report["bytes_sent"],
        "reused": report["reused"],
    }
    if report["created"]:
        done = msg(
            "trail {slug}: created on {server} ({org}); {uploaded} media uploaded"
            " ({bytes} bytes), {reused} already there",
            **facts,
        )
    elif report["changed"]:
        done = msg(
            "trail {slug}: updated on {server} ({org}); {uploaded} media uploaded"
            " ({bytes} bytes), {reused} already there",
            **facts,
        )
    else:
        done = msg(
            "trail {slug}: unchanged on {server} ({org}); {uploaded} media uploaded"
            " ({bytes} bytes), {reused} already there",
            **facts,
        )
    show(done)
    pending = report.get("assets", {}).get("pending")
    if pending:
        show(msg("  {count} media still encoding on the server", count=pending))


# pull


def pull(
    slug: Annotated[str, typer.Argument(help="Slug of the trail on the server.")],
    dest: Annotated[
        Path | None,
        typer.Argument(help="Where to write; by default <slug> or <slug>.zip…"),
    ] = None,
    fmt: FormatOption = None,
    force: ForceOption = False,
    server: Server = DEFAULT_SERVER,
    token: Token = None,
    org: Org = None,
    json_out: Json = False,
) -> None:
    """Download a trail's draft from a server into a folder or a zip, with its original media.

    The folder is what `baladeur export` writes for the same trail: trail.yaml and every
    media file as uploaded, named by content (each checked against its sha256). It is
    written whole or not at all.
    Exit codes: 0 done, 1 refused or the server could not be reached (the reason is printed
    as one line), 2 usage error.
    """
    chosen, target = choose_destination(slug, dest, fmt)
    with connect(server, token, org) as remote:
        remote.choose_org()
        document = remote.source(slug)
        if document is None:
            raise NotFound(
                msg(
                    "no trail '{slug}' in the organisation '{org}' on {server}",
                    slug=slug,
                    org=remote.org,
                    server=server,
                )
            )
        trail = parse_source(document["trail"])
        media: dict[str, Any] = {
            name: partial(remote.download, entry["asset_id"], entry["sha256"])
            for name, entry in document["media"].items()
        }
        for name, text in document["transcripts"].items():
            media[name] = partial(text_chunks, text)
        dropped = write_trail(TrailData(trail, media), target, chosen, force=force, quiet=json_out)
    report_dropped(dropped, json_out)
    if json_out:
        emit_json(
            {
                "slug": slug,
                "format": chosen,
                "path": str(target),
                "media": len(document["media"]) + len(document["transcripts"]),
                "etag": document["etag"],
                "dropped": dropped,
            }
        )
    else:
        show(
            msg("trail {slug}: written to {path} ({format})", slug=slug, path=target, format=chosen)
        )


# publish


def _aware(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise invalid("--at", value, msg("not an ISO 8601 date and time")) from None
    if moment.tzinfo is None:
        raise invalid("--at", value, msg("give a UTC offset, e.g. 2026-06-12T08:00:00+02:00"))
    return moment.isoformat()


def publish(
    slug: Annotated[str, typer.Argument(help="Slug of the trail on the server.")],
    notes: Annotated[
        str | None, typer.Option("--notes", help="What changed, for the team.")
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", help="Go live at this ISO 8601 time (with offset) instead of now."),
    ] = None,
    server: Server = DEFAULT_SERVER,
    token: Token = None,
    org: Org = None,
    json_out: Json = False,
) -> None:
    """Publish a trail's draft on a server as a new release (signed bundles per profile).

    A trail with audio still being encoded, or that failed, is refused with the list.
    Exit codes: 0 done, 1 refused or the server could not be reached (the reason is printed
    as one line), 2 usage error.
    """
    publish_at = _aware(at)
    with connect(server, token, org) as remote:
        remote.choose_org()
        release = remote.publish(remote.trail_id(slug), notes, publish_at)
    if json_out:
        emit_json({"slug": slug, **release})
        return
    show(
        msg(
            "trail {slug}: release {number} ({state})",
            slug=slug,
            number=release["number"],
            state=release["state"],
        )
    )
    size = release.get("size") or {}
    for profile, entry in (size.get("profiles") or {}).items():
        megabytes = round(entry["bytes"] / 1e6, 1)
        show(msg("  {profile} bundle: {megabytes} MB", profile=profile, megabytes=megabytes))
    for warning in size.get("warnings") or []:
        warn(warning)


# login


def login(
    email: Annotated[
        str,
        typer.Option(
            "--email", envvar="BALADEUR_EMAIL", prompt=say(msg("Email")), help="Your email."
        ),
    ],
    password: Annotated[
        str,
        typer.Option(
            "--password",
            envvar="BALADEUR_PASSWORD",
            # Asked in the language of the environment the command starts in.
            prompt=say(msg("Password")),
            hide_input=True,
            help="Your password (asked for when not given).",
            show_default=False,
        ),
    ],
    server: Server = DEFAULT_SERVER,
    save: Annotated[
        bool,
        typer.Option(
            "--save",
            help="Keep the token in ~/.config/baladeur/credentials.json (mode 0600) for "
            "later commands, instead of printing it.",
        ),
    ] = False,
    json_out: Json = False,
) -> None:
    """Sign in to a server: print a token for BALADEUR_TOKEN, or keep it with --save.

    Exit codes: 0 done, 1 refused or the server could not be reached (the reason is printed
    as one line), 2 usage error.
    """
    with Remote(server, None, None) as remote:
        answer = remote.sign_in(email, password)
    saved = str(save_token(server, answer["token"])) if save else None
    if json_out:
        body = {"server": server, "expires_at": answer["expires_at"], "saved": saved}
        emit_json(body if saved else {**body, "token": answer["token"]})
    elif saved:
        show(
            msg(
                "signed in to {server}; token kept in {path} until {expires}",
                server=server,
                path=saved,
                expires=answer["expires_at"],
            )
        )
    else:
        # Alone on standard output, for `export BALADEUR_TOKEN=$(baladeur login ...)`.
        print(answer["token"])
