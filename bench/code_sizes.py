"""Module and function sizes of the project's code at a git revision (core/, ui/, app_pages/, murmuration_map/),
against the aim of issue 18: modules of about 200 lines and functions of about 40, none over 300 and 60.

    python bench/code_sizes.py [REV ...]      (default: HEAD)
"""
import ast
import subprocess
import sys

FOLDERS = ("core", "ui", "app_pages", "murmuration_map")


def sizes(rev: str) -> tuple[list, list]:
    names = subprocess.run(["git", "ls-tree", "-r", "--name-only", rev], capture_output=True, text=True,
                           check=True).stdout.split()
    modules, functions = [], []
    for name in names:
        if not name.endswith(".py") or name.split("/")[0] not in FOLDERS or "/frontend/" in name:
            continue
        source = subprocess.run(["git", "show", f"{rev}:{name}"], capture_output=True, text=True, check=True).stdout
        modules.append((source.count("\n"), name))
        functions += [(node.end_lineno - node.lineno + 1, f"{name}:{node.name}") for node in ast.walk(ast.parse(source))
                      if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return sorted(modules, reverse=True), sorted(functions, reverse=True)


def report(rev: str) -> None:
    modules, functions = sizes(rev)
    print(f"{rev}: {len(modules)} modules, {sum(n > 300 for n, _ in modules)} over 300 lines; largest: "
          + ", ".join(f"{name} {n}" for n, name in modules[:5]))
    print(f"  functions over 60 lines: {sum(n > 60 for n, _ in functions)}, over 40: "
          f"{sum(n > 40 for n, _ in functions)}; largest: " + ", ".join(f"{name} {n}" for n, name in functions[:4]))


if __name__ == "__main__":
    for revision in sys.argv[1:] or ["HEAD"]:
        report(revision)
