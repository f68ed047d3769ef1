"""metdash: the revenue-cycle dashboard for Medical Exercise Professionals.

Public entry points live in their modules: ``metdash.store`` (the store),
``metdash.figures`` (every figure on screen), ``metdash.coding`` (billing rules),
``metdash.x12`` (835 import, 837P export), ``metdash.demo`` (the synthetic practice).
"""

__version__ = "0.1.0"
