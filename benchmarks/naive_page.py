"""The naive dashboard page (benchmark only): every rerun loads whole tables into pandas and
groups there, then shows the same ten tiles and per-payer table as overview + revenue."""

import datetime as dt
import os
import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
import naive  # noqa: E402

qp = st.query_params
date_to = dt.date.fromisoformat(qp.get("to", "2026-06-30"))
date_from = dt.date.fromisoformat(qp.get("from", str(date_to - dt.timedelta(days=364))))
res = naive.overview(os.environ["METDASH_DB"], date_from, date_to)
st.title("Overview (naive)")
names = [k for k in res["now"] if k != "payer_paid"]
for row in (names[:5], names[5:]):
    for col, name in zip(st.columns(5), row, strict=True):
        col.metric(name, f"{res['now'][name] or 0:,.2f}")
st.dataframe(res["revenue"], hide_index=True)
