"""Many agreements at once: shared names, conflicts between agreements, the obligations calendar.

:func:`load_portfolio` reads a folder of agreement folders; :mod:`.conflicts` finds every date range
on which one agreement grants or requires what another forbids; :mod:`.calendar` lists every dated
duty and deadline.
"""

from .load import Names, Portfolio, is_portfolio, load, load_portfolio, names_of

__all__ = ["Names", "Portfolio", "is_portfolio", "load", "load_portfolio", "names_of"]
