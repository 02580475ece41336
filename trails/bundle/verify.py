"""Verify a bundle: names, schema, hashes, stored entries, signature; every problem listed."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import jsonschema
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from trails.bundle import FORMAT_MINOR, FORMAT_VERSION
from trails.bundle.canonical import canonical_json
from trails.bundle.model import MANIFEST_NAME, SIGNATURE_NAME
from trails.bundle.reader import (
    DEFAULT_MAX_TOTAL_BYTES,
    MAX_MANIFEST_BYTES,
    EntryError,
    Problem,
    entry_problems,
    read_small,
    stored_chunks,
)
from trails.bundle.schema import lenient, manifest_schema
from trails.bundle.signing import ALGORITHM, verify_signature
from trails.errors import FieldError, InvalidInput
from trails.jsontext import too_deep
from trails.messages import Message, joined, msg, nmsg
from trails.storage_names import MEDIA_NAME_RE

_MAX_SIGNATURE_BYTES = 4096
# Enough schema errors to act on; a thoroughly wrong file would otherwise list thousands.
_MAX_SCHEMA_PROBLEMS = 50


@dataclass
class VerifyReport:
    """The outcome of verifying a bundle: every problem found, and what could be read."""

    path: str
    problems: list[Problem] = field(default_factory=list)
    manifest: dict[str, Any] | None = None
    manifest_bytes: bytes | None = None
    key_id: str | None = None
    signature_checked: bool = False
    entries: int = 0
    bytes: int = 0

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    @property
    def codes(self) -> set[str]:
        """The problem codes, for quick checks."""
        return {p.code for p in self.problems}

    def add(self, code: str, message: str, entry: str | None = None) -> None:
        """Record a problem."""
        self.problems.append(Problem(code, message, entry))

    def as_dict(self) -> dict[str, Any]:
        """JSON form (what ``baladeur verify --json`` prints)."""
        trail = (self.manifest or {}).get("trail") or {}
        return {
            "bundle": self.path,
            "ok": self.ok,
            "trail": trail.get("slug") if isinstance(trail, dict) else None,
            "release": trail.get("release") if isinstance(trail, dict) else None,
            "profile": (self.manifest or {}).get("profile"),
            "key_id": self.key_id,
            "signature_checked": self.signature_checked,
            "entries": self.entries,
            "bytes": self.bytes,
            "problems": [p.as_dict() for p in self.problems],
        }


@lru_cache(maxsize=2)
def _validator(newer_minor: bool = False) -> jsonschema.Draft202012Validator:
    schema = manifest_schema()
    return jsonschema.Draft202012Validator(lenient(schema) if newer_minor else schema)


def _newer(value: Any, known: int) -> bool:
    """Whether a version number (an integer, not a bool) is above the one this code knows."""
    return isinstance(value, int) and not isinstance(value, bool) and value > known


def verify_bundle(
    path: str | Path,
    keys: Mapping[str, Ed25519PublicKey] | None,
    *,
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
) -> VerifyReport:
    """Check a bundle file completely; ``keys`` by id (None: the signature is not checked)."""
    target = Path(path)
    report = VerifyReport(path=str(target))
    if not target.is_file():
        report.add("not-a-file", msg("no such bundle file"))
        return report
    report.bytes = target.stat().st_size
    try:
        zf = zipfile.ZipFile(target)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        report.add("not-a-zip", msg("not a readable zip archive: {reason}", reason=exc))
        return report
    with zf, target.open("rb") as fh:
        infos = zf.infolist()
        report.entries = len(infos)
        report.problems.extend(entry_problems(infos, max_total_bytes))
        if report.codes & {"too-large", "too-many-entries"}:
            return report  # reading on would be the very thing the limit prevents
        by_name = _first_by_name(infos)
        _check_manifest(report, fh, zf, by_name.get(MANIFEST_NAME))
        _check_signature(report, fh, zf, by_name.get(SIGNATURE_NAME), keys)
        if report.manifest is not None:
            _check_media(report, fh, by_name)
    return report


def read_bundle(
    path: str | Path, keys: Mapping[str, Ed25519PublicKey] | None = None
) -> VerifyReport:
    """A verified bundle's report (manifest included); raises InvalidInput listing every problem."""
    report = verify_bundle(path, keys)
    if not report.ok:
        raise InvalidInput(
            [FieldError(p.entry or "bundle", p.code, p.message) for p in report.problems],
            detail=_summary(path, report.problems),
        )
    return report


def _summary(path: str | Path, problems: list[Problem]) -> Message:
    """One sentence naming the first few problems of a bundle, each one translatable."""
    shown = [
        msg("{problem} ({entry})", problem=p.message, entry=p.entry) if p.entry else p.message
        for p in problems[:5]
    ]
    summary = joined(shown)
    if len(problems) > 5:
        summary = nmsg(
            "{problems}; and {count} more",
            "{problems}; and {count} more",
            len(problems) - 5,
            problems=summary,
        )
    return msg("{path} is not a valid bundle: {problems}", path=path, problems=summary)


def _first_by_name(infos: list[zipfile.ZipInfo]) -> dict[str, zipfile.ZipInfo]:
    out: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        out.setdefault(info.filename, info)
    return out


def _check_manifest(
    report: VerifyReport, fh: IO[bytes], zf: zipfile.ZipFile, info: zipfile.ZipInfo | None
) -> None:
    if info is None:
        report.add("missing-manifest", msg("no {name} entry", name=MANIFEST_NAME))
        return
    try:
        data = read_small(fh, zf, info, MAX_MANIFEST_BYTES)
    except EntryError as exc:
        report.add("manifest-unreadable", exc.reason, MANIFEST_NAME)
        # A corrupt manifest is still worth signature-checking: keep its bytes when stored.
        if info.compress_type == zipfile.ZIP_STORED and info.file_size <= MAX_MANIFEST_BYTES:
            try:
                report.manifest_bytes = b"".join(stored_chunks(fh, info))
            except EntryError:
                return
        return
    report.manifest_bytes = data
    try:
        manifest = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicate_keys)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        report.add("manifest-not-json", msg("not UTF-8 JSON: {reason}", reason=exc), MANIFEST_NAME)
        return
    if too_deep(manifest):
        report.add("manifest-not-json", msg("the manifest is nested too deeply"), MANIFEST_NAME)
        return
    if not isinstance(manifest, dict):
        report.add("manifest-not-json", msg("the manifest is not a JSON object"), MANIFEST_NAME)
        return
    try:
        canonical = canonical_json(manifest)
    except InvalidInput:
        canonical = b""
    if canonical != data:
        report.add(
            "manifest-not-canonical", msg("the manifest is not canonical JSON"), MANIFEST_NAME
        )
    major, minor = manifest.get("format"), manifest.get("format_minor", 0)
    if _newer(major, FORMAT_VERSION):
        report.add(
            "unsupported-format",
            msg(
                "bundle format {found} is newer than this verifier reads ({known})",
                found=major,
                known=FORMAT_VERSION,
            ),
            MANIFEST_NAME,
        )
        return
    errors = sorted(
        _validator(_newer(minor, FORMAT_MINOR)).iter_errors(manifest),
        key=lambda e: list(e.absolute_path),
    )
    for error in errors[:_MAX_SCHEMA_PROBLEMS]:
        where = ".".join(str(p) for p in error.absolute_path) or "(root)"
        report.add("schema", f"{where}: {error.message}", MANIFEST_NAME)
    if errors:
        return
    report.manifest = manifest
    _check_references(report, manifest)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _references(manifest: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if manifest["trail"]["cover"]:
        yield "trail.cover", manifest["trail"]["cover"]
    for stop in manifest["stops"]:
        for language, cue in stop["cues"].items():
            yield f"stops.{stop['key']}.cues.{language}.audio", cue["audio"]
            if cue["transcript"]:
                yield f"stops.{stop['key']}.cues.{language}.transcript", cue["transcript"]
    for layer in manifest["ambience"]:
        yield f"ambience.{layer['key']}.audio", layer["audio"]
    for obj in manifest.get("objects", []):
        yield f"objects.{obj['key']}.audio", obj["audio"]


def _check_references(report: VerifyReport, manifest: dict[str, Any]) -> None:
    items = [*manifest["stops"], *manifest["ambience"], *manifest.get("objects", [])]
    keys = [item["key"] for item in items]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        # Events and requirements name stops, layers and objects by key: one key, one thing.
        named = msg("key '{key}' names more than one stop, layer or object", key=key)
        report.add("duplicate-key", named, key)
    paths = [row["path"] for row in manifest["media"]]
    if paths != sorted(paths):
        report.add("media-not-sorted", msg("the media table is not sorted by path"), MANIFEST_NAME)
    seen: set[str] = set()
    for path in paths:
        if path in seen:
            report.add("duplicate-media-row", msg("listed twice in the media table"), path)
        seen.add(path)
    for row in manifest["media"]:
        match = MEDIA_NAME_RE.match(row["path"])
        if match is None or match.group(1) != row["sha256"]:
            report.add(
                "bad-media-name", msg("a media path must be media/<its sha256>.<ext>"), row["path"]
            )
    used = set()
    for where, path in _references(manifest):
        used.add(path)
        if path not in seen:
            unknown = msg("{field} names media not in the table", field=where)
            report.add("unknown-media-reference", unknown, path)
    for path in sorted(seen - used):
        report.add("unused-media-row", msg("listed in the media table but used nowhere"), path)


def _check_signature(
    report: VerifyReport,
    fh: IO[bytes],
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo | None,
    keys: Mapping[str, Ed25519PublicKey] | None,
) -> None:
    if info is None:
        report.add("signature-missing", msg("no {name} entry", name=SIGNATURE_NAME))
        return
    try:
        # UTF-8 only, as the manifest: json.loads would also guess UTF-16 and UTF-32.
        document = json.loads(read_small(fh, zf, info, _MAX_SIGNATURE_BYTES).decode("utf-8"))
        algorithm, key, encoded = document["algorithm"], document["key_id"], document["signature"]
        signature = base64.b64decode(encoded, validate=True)
    except (EntryError, ValueError, KeyError, TypeError, RecursionError, binascii.Error) as exc:
        unreadable = msg("unreadable signature file: {reason}", reason=exc)
        report.add("signature-malformed", unreadable, SIGNATURE_NAME)
        return
    if algorithm != ALGORITHM or not isinstance(key, str) or len(signature) != 64:
        report.add(
            "signature-malformed", msg("expected an Ed25519 signature of 64 bytes"), SIGNATURE_NAME
        )
        return
    report.key_id = key
    if report.manifest is not None and report.manifest.get("key_id") != key:
        report.add("key-mismatch", msg("the manifest names another signing key"), SIGNATURE_NAME)
    if keys is None or report.manifest_bytes is None:
        return
    public = keys.get(key)
    if public is None:
        report.add(
            "unknown-key", msg("signed by key {key}, which is not among the keys given", key=key)
        )
        return
    report.signature_checked = True
    if not verify_signature(public, signature, report.manifest_bytes):
        report.add(
            "signature-invalid", msg("the signature does not match the manifest"), MANIFEST_NAME
        )


def _check_media(report: VerifyReport, fh: IO[bytes], by_name: dict[str, zipfile.ZipInfo]) -> None:
    manifest = report.manifest or {}
    listed = {row["path"]: row for row in manifest["media"]}
    for name in sorted(set(by_name) - set(listed) - {MANIFEST_NAME, SIGNATURE_NAME}):
        report.add("unlisted-entry", msg("entry not listed in the manifest's media table"), name)
    unsafe = {p.entry for p in report.problems if p.code in ("unsafe-name", "symlink")}
    for path, row in sorted(listed.items()):
        info = by_name.get(path)
        if info is None:
            report.add(
                "missing-media", msg("listed in the manifest but absent from the bundle"), path
            )
            continue
        if path in unsafe or info.compress_type != zipfile.ZIP_STORED:
            continue  # already reported; not read
        if info.file_size != row["bytes"]:
            sizes = msg(
                "{found} bytes, the manifest says {listed}",
                found=info.file_size,
                listed=row["bytes"],
            )
            report.add("size-mismatch", sizes, path)
            continue
        digest = hashlib.sha256()
        crc = 0
        try:
            for chunk in stored_chunks(fh, info):
                digest.update(chunk)
                crc = zlib.crc32(chunk, crc)
        except EntryError as exc:
            report.add("entry-unreadable", exc.reason, path)
            continue
        if digest.hexdigest() != row["sha256"]:
            report.add("hash-mismatch", msg("content does not match its sha256"), path)
        elif crc != info.CRC:
            report.add("crc-mismatch", msg("the zip's CRC-32 does not match the content"), path)
