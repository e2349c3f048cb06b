"""Demo photos: real JPEGs drawn with Pillow, the same bytes for the same name."""

from __future__ import annotations

import functools
import io
import random

from PIL import Image, ImageDraw, ImageOps

from federation.demo.vocabulary import PALETTES, RANDOM_SEED


@functools.cache
def _gradient(angle: int) -> Image.Image:
    return Image.linear_gradient("L").rotate(angle).resize((1200, 800))


def photo_bytes(name: str) -> bytes:
    """A 1200×800 JPEG of gradients and shapes, the same bytes for the same name."""
    rng = random.Random(f"{RANDOM_SEED}:{name}")
    dark, light = rng.choice(PALETTES)
    image = ImageOps.colorize(_gradient(rng.choice((0, 90, 180, 270))), dark, light)
    draw = ImageDraw.Draw(image, "RGBA")
    for _ in range(rng.randint(6, 14)):
        x, y, r = rng.randint(-200, 1200), rng.randint(-200, 800), rng.randint(40, 320)
        colour = (*(rng.randint(0, 255) for _ in range(3)), rng.randint(60, 150))
        if rng.random() < 0.6:
            draw.ellipse((x, y, x + r, y + r), fill=colour)
        else:
            draw.polygon(
                [(x, y), (x + r, y + rng.randint(-r, r)), (x + rng.randint(-r, r), y + r)],
                fill=colour,
            )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()
