"""Stores for the command tests: the tiny X12 practice (two claims ready to export), made once
and copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from metdash.store import Database
from tests.x12.conftest import seed


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The X12 tests' practice on disk, complete in its file (tests copy it)."""
    db = seed(Database(tmp_path_factory.mktemp("cli_template") / "practice.duckdb"))
    db.release()
    return db.path


@pytest.fixture
def seeded(tmp_path: Path, seeded_template: Path) -> Database:
    """A copy of the practice: claims C000101 and C000102 ready, C000103 draft."""
    target = tmp_path / "practice.duckdb"
    shutil.copy(seeded_template, target)
    return Database(target)
