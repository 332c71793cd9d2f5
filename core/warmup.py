"""Fill the disk caches that a first use would otherwise fill, in a process of its own:

    python -m core.warmup

- the ONNX export of the bundled MiniLM (imports torch and transformers, 7-30 s), into the disk cache folder;
- UMAP's and pynndescent's compiled code (numba), into numba's cache.

The app starts this once per server at the lowest CPU priority. In a child process, the work (imports, the
export, numba's compiler: all of it holding the GIL) never slows a visitor's page, and torch is never
imported into the server. The server then loads the results from disk when a page first needs them
(0.2 s for the model, 1 s for UMAP). Two processes never export at once (see onnx_runtime._build_once).
"""
from __future__ import annotations

import signal
import sys


# How the app starts it: at the lowest priority before anything else (importing `core` alone takes seconds);
# the threads it starts (numba's, ONNX Runtime's) inherit that priority.
COMMAND = "import os\nif hasattr(os, 'nice'): os.nice(19)\nfrom core.warmup import main\nmain()"


def fill_disk_caches() -> None:
    import core
    from core.cache.disk import default_folder
    from core.maps.projection import warm_up_umap

    warm_up_umap()
    if default_folder() is not None:  # without a disk cache the export would be thrown away at exit
        core.get_encoder("minilm").fit(["warm"])


def main() -> None:
    # stopped with the server: unwind, so that a half-written export is removed (onnx_runtime._build_once)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    fill_disk_caches()


if __name__ == "__main__":
    main()
