import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import core  # noqa: E402


@pytest.fixture(scope="session")
def flutter():
    return core.load_corpus("flutter")


@pytest.fixture(scope="session")
def root():
    return ROOT
