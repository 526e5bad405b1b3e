"""settle: revenue shares from FOCUS billing exports and revenue tables.

``settle(history, data)`` reads the data through DuckDB, runs the engine's Ibis expressions (DuckDB
or Spark) and returns a :class:`Settlement`: statement lines traced to their clause and input
rows, a reconciliation per currency and the quarantined rows.
"""

from .run import Quarantined, Settlement, settle
from .statements import Line, Reconciliation, Statement

__all__ = ["Line", "Quarantined", "Reconciliation", "Settlement", "Statement", "settle"]
