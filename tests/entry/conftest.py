"""The entry tests write to a copy of the seeded practice of tests/entry_seed.py
(tests/conftest.py builds it once a session)."""

import pytest


@pytest.fixture
def db(seeded_db):
    return seeded_db
