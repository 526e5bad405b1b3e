"""Deciding: the outcome of an action under the version in force, from the compiled index."""

from __future__ import annotations

import datetime as dt
from typing import Mapping

from ..agreement.history import History
from ..agreement.model import Version
from .actions import Action, Decision, finish
from .index import IndexCache, index_for


def decide(history: History | Version, action: Action,
           events: Mapping[str, dt.date] | None = None, *, version: str | None = None,
           indexes: IndexCache | None = None) -> Decision:
    """Whether ``action`` is allowed, under the version in force on its date (or ``version``).

    ``events`` gives the dates of the events that happened; an event not given has not happened.
    Raises :class:`~termsheet.problems.TermsheetError` for an unknown name or a date before the
    first version. ``indexes`` is where compiled indexes are kept (a server passes the one kept
    with its loaded agreements); by default, the process's own.
    """
    index = index_for(history, events, indexes)
    outcome, pinned_late = index.outcome_of(action, version)
    return finish(outcome, action, pinned_late)
