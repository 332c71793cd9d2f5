"""Finding what in this process still holds a visitor's data, for the tests that show it does not outlive its
session or reach another's."""
import gc
import weakref

import pandas as pd


def holders_of(marker: str) -> list:
    """What in this process holds `marker`: the upload's bytes (in a tuple, list or dict) or a table decoded from
    it (a DataFrame: its strings live in Arrow buffers, out of gc's sight, so each table is searched)."""
    needles = (marker, marker.encode())
    holders = []
    for held in gc.get_objects():
        if held is needles or type(held) in weakref.ProxyTypes:   # a dead proxy raises on any question
            continue
        if isinstance(held, pd.DataFrame):
            if any(held[c].astype(str).str.contains(marker, regex=False).any() for c in held.columns):
                holders.append(held)
            continue
        # dict.values, not held.values(): a dict subclass (transformers' lazy mappings) imports modules when asked
        items = dict.values(held) if isinstance(held, dict) else held if isinstance(held, (list, tuple)) else ()
        if any(isinstance(v, (str, bytes)) and needles[isinstance(v, bytes)] in v for v in items):
            holders.append(held)
    return holders
