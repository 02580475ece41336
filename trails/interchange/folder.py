"""Writing a trail source folder: ``trail.yaml`` in a stable layout, then its media."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from trails.errors import Conflict, invalid
from trails.messages import msg
from trails.source import SOURCE_FILE, TrailSource

# A media file to write: a path to copy, or a function giving its bytes in chunks.
MediaSource = Path | Callable[[], Iterable[bytes]]


class _Dumper(yaml.SafeDumper):
    """Block style for structure, flow style for positions, for readable diffs."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    scalars = all(isinstance(v, int | float | str) and "\n" not in str(v) for v in data)
    flow = bool(data) and scalars and sum(len(str(v)) + 2 for v in data) <= 60
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(str, _represent_str)


def source_yaml(trail: TrailSource) -> str:
    """``trail.yaml`` for a trail: defaults left out, keys in the model's order."""
    data = trail.model_dump(mode="json", exclude_defaults=True)
    data = {"format": trail.format, **data}
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def write_media(target: Path, source: MediaSource) -> None:
    """Write one media file from a path or a chunk iterator."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(source, Path):
        shutil.copyfile(source, target)
        return
    with target.open("wb") as out:
        for chunk in source():
            out.write(chunk)


def check_destination(dest: Path) -> None:
    """Refuse to write over anything: the destination must not exist, or be an empty folder."""
    if dest.exists() and not (dest.is_dir() and not any(dest.iterdir())):
        raise Conflict(
            msg("{dest} already exists; choose a new folder or remove it first", dest=dest)
        )


def write_folder(
    trail: TrailSource,
    media: Mapping[str, MediaSource],
    dest: Path,
    on_file: Callable[[str], None] | None = None,
) -> Path:
    """Write a trail folder at ``dest``, all or nothing: built aside, then moved into place."""
    check_destination(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        (staging / SOURCE_FILE).write_text(source_yaml(trail), encoding="utf-8")
        for relative in trail.media_paths():
            if relative not in media:
                raise invalid(
                    "media", relative, msg("{relative}: no content to write", relative=relative)
                )
            write_media(staging / relative, media[relative])
            if on_file:
                on_file(relative)
        staging.chmod(0o755)  # mkdtemp makes it private
        if dest.exists():
            dest.rmdir()  # empty, checked above
        os.replace(staging, dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return dest
