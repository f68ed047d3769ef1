"""A table's download copy (visible columns, headed as on screen) is built once per frame
object and presentation mode, and is not kept once the frame is gone."""

import gc

import pandas as pd

from metdash.ui import widgets


def test_download_copy_built_once_per_frame():
    frame = pd.DataFrame({"claim_id": ["K1", "K2"], "total_charge": [1, 2]})
    labels = {"claim_id": "Claim", "total_charge": "Charge"}
    first = widgets._for_download(frame, labels, False, True)
    assert list(first.columns) == ["Claim", "Charge"]
    assert widgets._for_download(frame, labels, False, True) is first
    # another mode or heading: built for it
    assert widgets._for_download(frame, labels, True, True) is not first
    assert widgets._for_download(frame, {}, False, True) is not first


def test_download_copy_dropped_with_its_frame():
    frame = pd.DataFrame({"claim_id": ["K1"]})
    widgets._for_download(frame, {"claim_id": "Claim"}, False, True)
    key = (id(frame), (("claim_id", "Claim"),), False, True)
    assert key in widgets._DOWNLOADS
    del frame
    gc.collect()
    widgets._for_download(pd.DataFrame({"x": [1]}), {}, False, True)  # an insert sweeps
    assert key not in widgets._DOWNLOADS
