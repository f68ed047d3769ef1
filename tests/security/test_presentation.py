"""Promise: presentation mode never puts an unmasked client on a screen or in a file: claim
files (837P) cannot be masked, so none is created in presentation mode."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from metdash import privacy
from metdash.errors import MetdashError, PresentationModeError
from metdash.store import Database

from .conftest import PAGES


def test_claim_files_are_refused_in_presentation_mode():
    with pytest.raises(PresentationModeError, match="never masked") as err:
        privacy.refuse_claim_file(present=True)
    assert isinstance(err.value, MetdashError)
    assert "leave presentation mode" in str(err.value).lower()
    privacy.refuse_claim_file(present=False)  # outside it: allowed


def test_the_remittances_page_creates_no_837p_in_presentation_mode(demo_db_path, tmp_path,
                                                                  monkeypatch):
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, path)
    monkeypatch.setenv("METDASH_DB", str(path))
    before = Database(path).scalar("SELECT count(*) FROM claims WHERE status = 'ready'")
    assert before
    at = AppTest.from_file(str(PAGES / "remittances.py"), default_timeout=90)
    at.session_state["_present"] = True
    at.session_state["x12_837p"] = "ISA*00*...a file made before presentation mode~"
    at.run()
    assert not at.exception
    assert next(b for b in at.button if b.label == "Create 837P").disabled
    assert any("never masked" in i.value for i in at.info)
    # The download of a file made earlier is not offered either.
    assert "Download 837P" not in [b.proto.label for b in at.get("download_button")]
    # A click on the button drawn before presentation mode was switched on writes nothing.
    at.session_state["_present"] = False
    at.run()
    create = next(b for b in at.button if b.label == "Create 837P")
    assert not create.disabled
    at.session_state["_present"] = True
    create.click().run()
    assert not at.exception
    assert at.session_state["x12_837p"].startswith("ISA*00*...")  # nothing new written
    after = Database(path).scalar("SELECT count(*) FROM claims WHERE status = 'ready'")
    assert after == before
