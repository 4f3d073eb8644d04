"""Draw the Zendesk app's logos (logo.png 320 px, logo-small.png 128 px) from code, so anyone
can rebuild the same pixels: `python -m deploy.make_logos` (needs Pillow, in the dev extra).
"""

from __future__ import annotations

from pathlib import Path

ASSETS = Path(__file__).parent / "zendesk-app" / "assets"
SIZES = {"logo.png": 320, "logo-small.png": 128}
BLUE, LIGHT, WHITE = (11, 92, 173, 255), (159, 211, 255, 255), (255, 255, 255, 255)


def draw_logo(size: int):
    """A blue disc with two waves (a breath in, a breath out), drawn at 4x and scaled down."""
    from PIL import Image, ImageDraw

    scale = 4
    side = size * scale
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    margin = side // 32
    draw.ellipse((margin, margin, side - margin, side - margin), fill=BLUE)
    width = side // 14
    for offset, colour in ((-side // 8, LIGHT), (side // 10, WHITE)):
        _wave(draw, side, side // 2 + offset, colour, width)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def _wave(draw, side: int, y: int, colour, width: int) -> None:
    import math

    left, right = side * 0.22, side * 0.78
    points = [(left + (right - left) * i / 60,
               y - math.sin(i / 60 * 2 * math.pi) * side * 0.07) for i in range(61)]
    draw.line(points, fill=colour, width=width, joint="curve")
    for x, y_end in (points[0], points[-1]):
        r = width / 2
        draw.ellipse((x - r, y_end - r, x + r, y_end + r), fill=colour)


def main() -> None:
    ASSETS.mkdir(parents=True, exist_ok=True)
    for name, size in SIZES.items():
        draw_logo(size).save(ASSETS / name, format="PNG", optimize=True)
        print(ASSETS / name)


if __name__ == "__main__":
    main()
