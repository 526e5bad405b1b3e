"""Deciding: the outcome of an action under the version in force, from the compiled index."""

from __future__ import annotations

import datetime as dt
from typing import Mapping

from ..agreement.history import History
from ..agreement.model import Version
from .actions import Action, Decision, finish
from .index import index_for


def decide(history: History | Version, action: Action,
           events: Mapping[str, dt.date] | None = None, *, version: str | None = None
           ) -> Decision:
    """Whether ``action`` is allowed, under the version in force on its date (or ``version``).

    ``events`` gives the dates of the events that happened; an event not given has not happened.
    Raises :class:`~termsheet.problems.TermsheetError` for an unknown name or a date before the
    first version.
    """
    index = index_for(history, events)
    outcome, pinned_late = index.outcome_of(action, version)
    return finish(outcome, action, pinned_late)
