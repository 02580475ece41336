"""Draw the demo trail's placeholder cover (media/cover.jpg) from its route and stops.

A schematic drawing, not a photograph: the walking loop, the six stops and a simple mill
with its wheel. Run from the repository root with the project's Python (Pillow, PyYAML).
"""

from __future__ import annotations

import math
from pathlib import Path

import yaml
from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
WIDTH, HEIGHT = 1200, 675
SKY, GROUND, WATER = (236, 226, 204), (205, 214, 176), (120, 165, 190)
INK, ROUTE, STOP = (52, 46, 40), (178, 74, 38), (250, 246, 236)


def main() -> None:
    """Write media/cover.jpg (a clean baseline JPEG, no metadata)."""
    trail = yaml.safe_load((HERE / "trail.yaml").read_text(encoding="utf-8"))
    route = trail["route"]
    image = Image.new("RGB", (WIDTH, HEIGHT), SKY)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 250, WIDTH, HEIGHT), fill=GROUND)
    # The Sambre, a band along the bottom of the drawing.
    draw.polygon([(0, 600), (WIDTH, 560), (WIDTH, HEIGHT), (0, HEIGHT)], fill=WATER)

    # The loop, scaled into the right-hand part of the picture (north up).
    lons = [p[0] for p in route]
    lats = [p[1] for p in route]
    kx = math.cos(math.radians(sum(lats) / len(lats)))
    span = max((max(lons) - min(lons)) * kx, max(lats) - min(lats))
    box_x, box_y, size = 580, 280, 500

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (
            box_x + (lon - min(lons)) * kx / span * size,
            box_y + (max(lats) - lat) / span * size,
        )

    points = [xy(*p) for p in route]
    draw.line([*points, points[0]], fill=ROUTE, width=9, joint="curve")
    for number, stop in enumerate(trail["stops"], start=1):
        zone = stop["zone"]
        if zone["type"] != "circle":
            ring = zone["coordinates"][0]
            centre = (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))
        else:
            centre = tuple(zone["center"])
        x, y = xy(*centre)
        draw.ellipse((x - 20, y - 20, x + 20, y + 20), fill=STOP, outline=INK, width=4)
        draw.text((x, y), str(number), fill=INK, anchor="mm", font_size=24)

    # The mill: a gabled house with a water wheel.
    draw.rectangle((140, 300, 400, 520), fill=(214, 190, 160), outline=INK, width=5)
    draw.polygon([(120, 305), (270, 180), (420, 305)], fill=(150, 70, 50), outline=INK)
    draw.rectangle((240, 420, 300, 520), fill=(110, 80, 60), outline=INK, width=4)
    for x in (175, 330):
        draw.rectangle((x, 340, x + 45, 385), fill=(250, 240, 210), outline=INK, width=4)
    cx, cy, r = 440, 500, 85
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=INK, width=8)
    for k in range(12):
        angle = k * math.pi / 6
        draw.line((cx, cy, cx + r * math.cos(angle), cy + r * math.sin(angle)), fill=INK, width=5)
    draw.text((60, 60), "Moulin de Marchienne", fill=INK, font_size=56)
    draw.text((62, 130), "placeholder cover - demonstration trail", fill=INK, font_size=28)
    image.save(HERE / "media" / "cover.jpg", format="JPEG", quality=82, optimize=True)


if __name__ == "__main__":
    main()
