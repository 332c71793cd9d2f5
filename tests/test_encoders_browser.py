"""The Encoders page in a real browser (Debian's chromium, Playwright, a live server): every encoder's map is
drawn. With ten WebGL scatters on one page, chromium dropped the oldest WebGL contexts and the first maps
stayed blank."""
import io

import numpy as np
import pytest

from conftest import require_chromium
from core.encoders import ENCODERS

require_chromium()


def coloured_pixels(png: bytes) -> int:
    """Pixels in colour (the points), not white, grey or black (background, axes, text)."""
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
    return int(((rgb.max(axis=2) - rgb.min(axis=2)) > 60).sum())


def test_every_encoders_map_shows_its_points(page, server):
    warnings = []
    page.on("console", lambda message: warnings.append(message.text))
    page.goto(f"{server}/Encoders")
    page.wait_for_selector("h1", timeout=60_000)
    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot').length >= {len(ENCODERS)}",
                           timeout=300_000)
    page.wait_for_function("!document.querySelector('[data-testid=stSpinner]')", timeout=120_000)
    page.wait_for_timeout(2000)
    maps = page.locator(".js-plotly-plot")
    assert maps.count() == len(ENCODERS)
    drawn = [coloured_pixels(maps.nth(number).screenshot()) for number in range(maps.count())]
    assert min(drawn) > 50, drawn   # a blank map has none
    assert not [text for text in warnings if "Too many active WebGL contexts" in text]
