"""The project uses Streamlit's public API only: a private symbol can change in any release, and code that hides
it behind `except Exception` fails silently after an upgrade (issue 18)."""
import re
from pathlib import Path

# Streamlit's runtime internals, the legacy pages-directory switch, the components v2 manager and manifest scanner
PRIVATE = ["streamlit.runtime", "PagesManager", "uses_pages_directory", "get_bidi_component_manager",
           "BidiComponentManager", "ComponentManifest", "register_from_manifest", "manifest_scanner"]


def project_python_files(root: Path) -> list[Path]:
    """Every .py file of the project, not of its virtual environments, node packages, build output or caches."""
    skipped = {"node_modules", "build", "__pycache__"}
    files = []
    for path in sorted(root.rglob("*.py")):
        folders = path.relative_to(root).parts[:-1]
        if any(part in skipped or part.startswith(".") for part in folders):
            continue
        if any((root.joinpath(*folders[:depth]) / "pyvenv.cfg").exists() for depth in range(1, len(folders) + 1)):
            continue
        files.append(path)
    return files


def test_no_python_file_of_the_project_names_a_private_streamlit_symbol(root):
    here = Path(__file__).resolve()   # this file names them, to look for them
    pattern = re.compile("|".join(re.escape(name) for name in PRIVATE))
    files = [path for path in project_python_files(root) if path.resolve() != here]
    assert any(path.parts[-2:] == ("ui", "views.py") for path in files) and len(files) > 100
    found = [f"{path.relative_to(root)}:{number}: {line.strip()}"
             for path in files
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if pattern.search(line)]
    assert not found, "Private Streamlit symbols (use the public API):\n" + "\n".join(found)


def test_no_folder_named_pages_sits_beside_app_py(root):
    """With a pages/ folder beside the entry point, a share link that is a fresh server's first request runs its
    page on its own, in Streamlit's legacy multipage mode, until some session has run app.py's st.navigation; the
    pages live in app_pages/ instead (no public setting turns that mode off)."""
    assert not (root / "pages").exists(), "Move pages/ to app_pages/ (see app.py's docstring)."
    assert (root / "app_pages" / "home.py").exists()
