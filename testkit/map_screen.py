"""Where the map's points are on screen, and a click on one as a person makes it (for tests and bench/)."""
from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

MAP = "[data-testid=murmuration-map]"


def screen_positions(page, xy):
    """Where the points of `xy` are on screen, before any pan or zoom: centre of the bounding box, one scale
    with 5 % padding, the canvas aspect ratio kept (regl-scatterplot's default camera). Also the canvas's box."""
    xy = np.asarray(xy, dtype=np.float64)
    box = page.locator(f"{MAP} canvas").bounding_box()
    low, high = xy.min(axis=0), xy.max(axis=0)
    placed = (xy - (low + high) / 2) / ((high - low).max() / 2 * 1.05)
    width, height = box["width"], box["height"]
    return np.c_[box["x"] + width * (placed[:, 0] * height / width + 1) / 2,
                 box["y"] + height * (0.5 - placed[:, 1] / 2)], box


def isolated_point(screen, exclude=()) -> int:
    """The point farthest from any other on screen (so a click surely hits it), rows in `exclude` aside."""
    gaps, _ = cKDTree(screen).query(screen, k=2)
    gaps = gaps[:, 1].copy()
    gaps[list(exclude)] = -1
    return int(np.argmax(gaps))


def click_point(page, position) -> None:
    """Rest on the point until its tooltip shows (the library picks the point under the last pointer move it
    processed), then click, as a person does."""
    page.mouse.move(*position)
    page.locator(".mm-tooltip").wait_for(state="visible")
    page.mouse.click(*position)
