"""Peak memory of the app's server-side code after every page, bundled corpus and encoder.

    python bench/memory.py

Runs every page with AppTest in this one process (as a Streamlit server would, sharing caches)
and prints the peak resident set size.
"""
import os
import resource
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("MURMURATION_CACHE_DIR", "off")

from streamlit.testing.v1 import AppTest

import core
from core.view import ViewState

pages = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "app_pages").glob("*.py"))
for corpus in core.BUNDLED:
    for encoder in core.ENCODERS:
        for page in pages:
            at = AppTest.from_file(str(ROOT / page), default_timeout=600)
            at.session_state["view"] = ViewState(corpus=corpus, encoder=encoder)
            at.run()
            assert not at.exception, (page, corpus, encoder)
        print(f"{corpus} x {encoder}: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB", flush=True)
print(f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
