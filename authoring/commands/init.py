"""``baladeur init``: a new trail folder from a template, valid as it stands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import yaml

from authoring.output import emit_json, show
from trails.errors import DomainError, invalid
from trails.interchange.folder import check_destination
from trails.interchange.model import slugify
from trails.messages import msg
from trails.source import SOURCE_FILE, parse_source
from trails.storage_names import MEDIA_DIR
from trails.validation import check_language

TEMPLATE = """\
# A new Baladeur trail. The format is described in docs/trail-source.md.
# Positions are [longitude, latitude]. Replace the placeholders below.
format: 1
slug: {slug}
languages: [{language}]
title:
  {language}: {title}
description:
  {language}: Placeholder description, shown before visitors download the trail.
stops:
  # A stop without a story is silent. To make it speak, add for example:
  #   story:
  #     versions:
  #       {language}: {{audio: media/first-stop.{language}.opus}}
  - key: first-stop
    title:
      {language}: First stop (placeholder)
    zone: {{type: circle, center: [{lon}, {lat}], radius_m: 30}}
"""

README = "# {title}\n\nA Baladeur trail: `trail.yaml` describes it, `media/` holds its audio.\n"


def init(
    folder: Annotated[Path, typer.Argument(help="The new trail folder (must not exist yet).")],
    slug: Annotated[
        str | None, typer.Option("--slug", help="The trail's slug; from the folder name.")
    ] = None,
    language: Annotated[str, typer.Option("--language", help="The trail's language.")] = "en",
    at: Annotated[
        str, typer.Option("--at", help="Position of the first stop, as LON,LAT.")
    ] = "4.395,50.4037",
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Create a new trail folder from a template: a trail.yaml with one stop, and a README.

    The folder is valid at once (`baladeur validate` passes); edit the placeholders.
    Exit codes: 0 done, 1 refused (the reason is printed), 2 usage error.
    """
    check_destination(folder)
    try:
        check_language(language)
    except ValueError as exc:
        raise invalid("language", language, str(exc)) from None
    try:
        lon, lat = (float(v) for v in at.split(","))
    except ValueError:
        raise invalid("at", at, msg("expected LON,LAT, for example 4.395,50.4037")) from None
    trail_slug = slug or slugify(folder.resolve().name, "my-trail")
    title = folder.resolve().name.replace("-", " ").strip().capitalize() or "My trail"
    text = TEMPLATE.format(slug=trail_slug, language=language, title=title, lon=lon, lat=lat)
    trail = parse_source(yaml.safe_load(text))  # the template must be valid as written
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / SOURCE_FILE).write_text(text, encoding="utf-8")
        (folder / MEDIA_DIR).mkdir(exist_ok=True)
        (folder / "README.md").write_text(README.format(title=title), encoding="utf-8")
    except OSError as exc:
        raise DomainError(
            msg("cannot create {folder}: {reason}", folder=folder, reason=exc.strerror or exc)
        ) from None
    if json_out:
        emit_json({"folder": str(folder), "slug": trail.slug})
    else:
        show(msg("created {folder}: trail {slug} with one stop", folder=folder, slug=trail.slug))
