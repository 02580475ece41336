"""The studio writes numbers, sizes, durations, dates and day ranges the way its interface
language does, through Intl (web/studio/src/format.js, run under node with its i18n.js).

Node 20 has no Intl.DurationFormat: there durations take the module's NumberFormat path,
which the browsers without it take too.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.browser import tool_unavailable

STUDIO = Path(__file__).resolve().parents[2] / "web" / "studio"
RUN = Path(__file__).resolve().parents[1] / "support" / "studio_format.mjs"
# A real minus sign, and the en dash between the ends of a range.
MINUS, DASH = "\u2212", "\u2013"
CALLS: list[list[object]] = [
    ["formatBytes", 749_000],
    ["formatBytes", 1_234_567],
    ["formatNumber", 1234.5],
    ["formatDecimal", 4.1, 1],
    ["formatDb", -6.5],
    ["formatDay", "2026-06-12"],
    ["formatDayRange", "2026-11-05", "2026-12-04"],
    ["formatDuration", 45],
]
EXPECTED = {
    "fr": [
        "749 ko",
        "1,2 Mo",
        "1 234,5",
        "4,1",
        f"{MINUS}6,5 dB",
        "12 juin 2026",
        f"5 nov. {DASH} 4 déc. 2026",
    ],
    "nl": [
        "749 kB",
        "1,2 MB",
        "1.234,5",
        "4,1",
        f"{MINUS}6,5 dB",
        "12 jun 2026",
        f"5 nov {DASH} 4 dec 2026",
    ],
    "en": [
        "749 kB",
        "1.2 MB",
        "1,234.5",
        "4.1",
        f"{MINUS}6.5 dB",
        "Jun 12, 2026",
        f"Nov 5 {DASH} Dec 4, 2026",
    ],
    "de": [
        "749 kB",
        "1,2 MB",
        "1.234,5",
        "4,1",
        f"{MINUS}6,5 dB",
        "12. Juni 2026",
        f"5. Nov. {DASH} 4. Dez. 2026",
    ],
}
SECONDS = {"fr": "45 s", "nl": "45 sec", "en": "45 sec", "de": "45 Sek."}


def _formatted(lang: str) -> list[str]:
    node = shutil.which("node")
    if node is None:
        tool_unavailable("node is not installed (apt-get install nodejs)")
    done = subprocess.run(
        [str(node), str(RUN), str(STUDIO), lang, json.dumps(CALLS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    # Intl separates with no-break and thin spaces: the same as a space to a reader.
    return [re.sub(r"[\u00a0\u2009\u202f]", " ", s) for s in json.loads(done.stdout)]


@pytest.mark.parametrize("lang", ["fr", "nl", "en", "de"])
def test_numbers_sizes_dates_and_ranges_in_each_language(lang: str) -> None:
    said = _formatted(lang)
    assert said == [*EXPECTED[lang], SECONDS[lang]]
