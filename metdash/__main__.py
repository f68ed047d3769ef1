"""``python -m metdash``: the ``metdash`` command (a new-user trial typed it first)."""

from metdash.cli import main

main()
