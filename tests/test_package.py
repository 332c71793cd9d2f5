"""Murmuration is an installed package (issue 18 part 7): tests and benchmarks import core, ui and testkit from
anywhere without editing sys.path, and tests share helpers through testkit, never through bench/."""
import re
import subprocess
import sys

import numpy as np

import core
from core.analyses import drift as drift_module
from test_streamlit_public_api import project_python_files

SYS_PATH_EDIT = re.compile(r"sys\.path\.(insert|append|extend)|sys\.path\s*[+]?=")


def test_the_project_imports_from_any_folder(tmp_path):
    """An empty folder as the working directory: only the editable install (requirements.txt's `-e .`) can make
    these importable, and each must come from this checkout's folders, not a stale copy."""
    probe = "import core, ui, testkit.live_server; print(core.__file__); print(testkit.live_server.__file__)"
    run = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, "Install the project: pip install -r requirements.txt (it runs pip install -e .)\n" \
        + run.stderr
    core_file, testkit_file = run.stdout.split()
    assert core_file.endswith("core/__init__.py") and testkit_file.endswith("testkit/live_server.py")


def test_no_file_edits_sys_path_and_no_test_imports_bench(root):
    files = project_python_files(root)
    assert any(path.parts[-2:] == ("bench", "run.py") for path in files)
    edits = [f"{path.relative_to(root)}:{number}" for path in files
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if SYS_PATH_EDIT.search(line) and path.name != "test_package.py"]
    assert not edits, "Import the installed package instead of editing sys.path: " + ", ".join(edits)
    bench_modules = {path.stem for path in (root / "bench").glob("*.py")}
    from_bench = [f"{path.relative_to(root)}: {module}" for path in (root / "tests").rglob("*.py")
                  for module in re.findall(r"^\s*(?:from|import) (\w+)", path.read_text(encoding="utf-8"), re.M)
                  if module in bench_modules or module == "bench"]
    assert not from_bench, "Tests import from bench/ (move shared helpers to testkit/): " + ", ".join(from_bench)


def test_no_file_under_core_mentions_plotly(root):
    """Core computes and ui draws (issue 18): figures live in ui/plots.py, so no core module imports plotly (read
    as text, which also catches an import inside a function and a figure method called on an argument)."""
    found = [f"{path.relative_to(root)}:{number}" for path in sorted((root / "core").rglob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "plotly" in line]
    assert not found, "Draw figures in ui/plots.py, not in core: " + ", ".join(found)


def test_core_drift_is_the_drift_test_not_a_module():
    """`core.drift(reference, current, ...)` is callable, as the drift issue asked; its module no longer shadows it."""
    rng = np.random.default_rng(0)
    reference, current = rng.normal(size=(40, 8)), rng.normal(0.3, 1.0, size=(50, 8))
    assert callable(core.drift) and core.drift is drift_module.drift
    assert core.drift(reference, current, seed=0) == drift_module.drift(reference, current, seed=0)
    assert core.drift(reference, current, seed=0, method="mmd") == drift_module.drift(reference, current, seed=0,
                                                                                        method="mmd")
