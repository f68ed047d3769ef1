"""The seeded practice of tests/entry_seed.py, built once for the entry tests; each test
writes to its own copy."""

import shutil

import pytest

from metdash.store import Database
from tests.entry_seed import seed


@pytest.fixture(scope="package")
def seeded(tmp_path_factory):
    path = tmp_path_factory.mktemp("seed") / "seed.duckdb"
    seed(path)
    return path


@pytest.fixture
def db(seeded, tmp_path):
    target = tmp_path / "t.duckdb"
    shutil.copy(seeded, target)
    return Database(target)
