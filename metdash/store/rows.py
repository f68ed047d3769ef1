"""Writing rows in bulk, and frames read as views by the statements of a write.

Moved out of :mod:`metdash.store.db` (its size) with :func:`registered`: a view's removal
after a failed statement raised DuckDB's "Current transaction is aborted" in place of the
failure itself (an out-of-memory error in the demo's transaction read so).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa


@contextlib.contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, frame: Any) -> Iterator[None]:
    """``frame`` (a DataFrame or an Arrow table) readable as the view ``name`` for the block.
    A failure inside the block aborts the transaction, which then refuses the view's
    removal: the failure is raised, not that refusal."""
    con.register(name, frame)
    try:
        yield
    finally:
        with contextlib.suppress(duckdb.TransactionException):
            con.unregister(name)


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: Any) -> int:
    """Bulk-insert a DataFrame or an Arrow table by column name (never row by row)."""
    columns = list(frame.column_names if hasattr(frame, "column_names") else frame.columns)
    rows = frame.num_rows if hasattr(frame, "num_rows") else len(frame)
    if rows == 0:
        return 0
    name = f"_frame_{table}"
    with registered(con, name, frame):
        cols = ", ".join(f'"{c}"' for c in columns)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {name}")
    return rows


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str],
                rows: Sequence[Sequence[Any]]) -> int:
    """Bulk-insert rows given as tuples in ``columns`` order (through Arrow, not pandas).

    Building a DataFrame from tuples converts every value twice; an Arrow table built column
    by column costs a fraction. DuckDB casts the values to the table's column types (see
    ``_ARROW_TYPES``), and a column of only None is inserted as NULL.
    """
    if not rows:
        return 0
    by_column = list(zip(*rows, strict=True))
    if len(by_column) != len(columns):
        raise ValueError(f"{table}: {len(columns)} columns named, rows have {len(by_column)}")
    return insert_frame(con, table, pa.table({c: _arrow_array(v) for c, v in
                                              zip(columns, by_column, strict=True)}))


# Arrow's own type inference is slow on text (about 4 µs a value); the first value that is not
# None names the type instead (a column's values are all of one Python type). Decimals go in
# as decimal128(18, 6), which DuckDB casts to the column's DECIMAL as it would cast text (a
# value with more places or digits falls back to Arrow's inference); str() of a Decimal costs
# ~2 µs, twenty times Arrow's conversion.
_ARROW_TYPES: list[tuple[type, pa.DataType]] = [
    (bool, pa.bool_()), (int, pa.int64()), (float, pa.float64()), (str, pa.string()),
    (dt.datetime, pa.timestamp("us")), (dt.date, pa.date32()), (Decimal, pa.decimal128(18, 6)),
]


def _arrow_array(values: Sequence[Any]) -> pa.Array:
    try:
        return pa.array(values, type=_arrow_type(values))
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return pa.array(values)  # mixed Python types: Arrow infers one that holds them all


def _arrow_type(values: Sequence[Any]) -> pa.DataType | None:
    first = next((v for v in values if v is not None), None)
    if first is None:
        return pa.null()
    for kind, arrow in _ARROW_TYPES:  # bool before int, datetime before date (subclasses)
        if isinstance(first, kind):
            return arrow
    return None  # lists and anything else: let Arrow infer


def insert_row(con: duckdb.DuckDBPyConnection, table: str, values: Mapping[str, Any]) -> None:
    """Insert one row given as {column: value}, every value bound as a parameter."""
    cols = list(values)
    con.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES "
                f"({', '.join('?' for _ in cols)})", [values[c] for c in cols])
