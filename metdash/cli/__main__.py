"""``python -m metdash.cli``: the ``metdash`` command."""

from metdash.cli import main

main()
