"""The only metdash package that imports streamlit: what every page uses, in one place.

Every page starts with ``db = ui.page_start("Title", permission="...")``, wraps what a
button does in ``with ui.action("Nothing was saved."):`` and, after any write, calls
``ui.after_write()`` so cached figures are recomputed.

- :mod:`metdash.ui.cache`    the store handle and the caches in front of it
- :mod:`metdash.ui.frame`    the page frame and :func:`action` (errors as messages)
- :mod:`metdash.ui.session`  sign-in, idle timeout, roles, presentation mode, PHI hiding
- :mod:`metdash.ui.widgets`  tables, tiles, charts, downloads, validation problems
- :mod:`metdash.ui.later`    a page just opened draws its charts after the rest is painted
- :mod:`metdash.ui.filters`  sidebar filters, URL parameters, pick lists
- :mod:`metdash.ui.forms`    entry forms that start afresh after a save
- :mod:`metdash.ui.text`     :func:`literal`: typed text made safe inside a Markdown body
"""

from metdash.metrics import tile_money
from metdash.ui.ahead import first_reads
from metdash.ui.cache import (
    after_write,
    cached,
    cached_shared,
    columns,
    database,
    derived,
    file_stamp,
    is_demo,
    prefetch,
)
from metdash.ui.filters import (
    choices,
    claim_picker,
    client_picker,
    default_range,
    metric_help,
    open_with,
    preselect,
    sidebar_filters,
    today,
)
from metdash.ui.forms import defaults_of, entry_fields, entry_form, renew, renewed_key, set_afresh
from metdash.ui.frame import action, last_resort, page_start, saved_then_fresh
from metdash.ui.later import draw as after_paint
from metdash.ui.refreshing import pending, refreshing
from metdash.ui.session import (
    allowed,
    current_user,
    present_mode,
    present_toggle,
    require,
    session_minutes,
)
from metdash.ui.text import literal, words
from metdash.ui.widgets import (
    MISSING,
    UNITS_RULES,
    chart,
    chart_row,
    column_label,
    downloads,
    empty_note,
    keyed_by,
    line_columns,
    metric_tile,
    plot,
    present_figure,
    selected_row,
    setup_checklist,
    show_problems,
    table,
    table_labels,
)

__all__ = [
    "MISSING",
    "UNITS_RULES",
    "action",
    "after_paint",
    "after_write",
    "allowed",
    "cached",
    "cached_shared",
    "chart",
    "chart_row",
    "choices",
    "claim_picker",
    "client_picker",
    "current_user",
    "database",
    "default_range",
    "defaults_of",
    "entry_fields",
    "entry_form",
    "renew",
    "renewed_key",
    "set_afresh",
    "columns",
    "derived",
    "downloads",
    "empty_note",
    "first_reads",
    "file_stamp",
    "is_demo",
    "keyed_by",
    "last_resort",
    "line_columns",
    "literal",
    "column_label",
    "table_labels",
    "metric_help",
    "open_with",
    "preselect",
    "metric_tile",
    "tile_money",
    "setup_checklist",
    "page_start",
    "saved_then_fresh",
    "plot",
    "pending",
    "prefetch",
    "refreshing",
    "present_figure",
    "present_mode",
    "present_toggle",
    "require",
    "selected_row",
    "session_minutes",
    "show_problems",
    "sidebar_filters",
    "table",
    "today",
    "words",
]
