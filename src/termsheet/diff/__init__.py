"""diff: what changed between versions, in words (English and Chinese), on a timeline, and what it
changes in decisions, settlements and simulations (``impact``, loaded on use: it runs the engines).
"""

from .changes import Diff, diff
from .narrate import narrate
from .timeline import timeline

__all__ = ["Diff", "diff", "narrate", "timeline"]
