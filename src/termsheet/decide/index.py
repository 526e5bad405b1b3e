"""A history compiled for deciding: nothing parsed, little allocated, and a NumPy batch path.

The index cuts each version's life into segments: the days between any two consecutive dates on
which one of its clauses starts, ends (with the events given) or changes rate. Within a segment
what the version says about an action does not change, so the answer is worked out once, by
:func:`termsheet.decide_rules.evaluate` at the segment's first day, and kept:

- a single decision is two bisections (the version in force, its segment), one integer cell
  address and one dictionary lookup; cells are evaluated the first time they are asked for;
- a batch (:meth:`DecisionIndex.batch`) fills the whole table once and then answers arrays of
  codes with ``searchsorted`` and fancy indexing, first-launch terms included.

Names are coded in one space per role across every version: parties, items (products and
``compute``) and targets (channels, parties and channel operators).
"""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_right
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from .actions import KINDS, Action, Outcome
from .rules import counterparties, date_breaks, evaluate
from ..agreement.history import History
from ..agreement.model import Version
from ..agreement.problems import Problem, TermsheetError, known_hint

NEVER = np.int32(2**30)  # an availability day that never comes
ALLOWED, FORBIDDEN, PENDING, INVALID = 1, 0, 2, -1


class DecisionIndex:
    """Every answer of one history under one set of event dates."""

    def __init__(self, history: History, events: Mapping[str, dt.date] | None = None):
        self.history = history
        self.events = dict(events or {})
        self.where = _folder_of(history)
        versions = history.versions
        self.versions = versions
        self.effective = [v.effective.toordinal() for v in versions]
        self.parties = sorted({p for v in versions for p in v.parties})
        self.items = sorted({p for v in versions for p in v.products} | {"compute"})
        self.targets = sorted({t for v in versions for t in counterparties(v)})
        self.conditions = sorted({c for v in versions for c in v.conditions})
        self.event_names = sorted({e for v in versions for e in v.events})
        self.party_code = {n: i for i, n in enumerate(self.parties)}
        self.item_code = {n: i for i, n in enumerate(self.items)}
        self.target_code = {n: i for i, n in enumerate(self.targets)}
        self.P, self.I, self.T = len(self.parties), len(self.items), len(self.targets)
        self.cells = len(KINDS) * self.P * self.I * self.T
        self._segments(versions)
        self._memo: dict[int, Outcome] = {}
        self._table: np.ndarray | None = None
        self._table_lock = threading.Lock()

    def _segments(self, versions: Sequence[Version]) -> None:
        self.seg_start: list[int] = []
        self.seg_version: list[int] = []
        self.vbreaks: list[list[int]] = []
        self.voffset: list[int] = []
        for index, version in enumerate(versions):
            breaks = sorted(d.toordinal() for d in date_breaks(version, self.events))
            self.voffset.append(len(self.seg_start))
            self.vbreaks.append(breaks)
            self.seg_start += breaks
            self.seg_version += [index] * len(breaks)
        self.gbreaks: list[int] = []
        self.gseg: list[int] = []
        for index, breaks in enumerate(self.vbreaks):
            following = self.effective[index + 1] if index + 1 < len(versions) else 2**31
            for j, start in enumerate(breaks):
                if start < following:
                    self.gbreaks.append(start)
                    self.gseg.append(self.voffset[index] + j)

    # -- single decisions ---------------------------------------------------------------------

    def cell(self, kind: int, party: int, item: int, target: int) -> int:
        return ((kind * self.P + party) * self.I + item) * self.T + target

    def outcome_of(self, action: Action, version: str | None = None
                   ) -> tuple[Outcome, str | None]:
        """The outcome of the version in force on the action's date (or of ``version``), and a
        note when a named version is applied after it was replaced."""
        kind, party, item, target = action.codes()
        p = self.party_code.get(party)
        i = self.item_code.get(item)
        t = self.target_code.get(target)
        if p is None or i is None or t is None:
            raise TermsheetError([self._unknown_name(kind, party, item, target)])
        day = action.date.toordinal()
        late = None
        if version is None:
            g = bisect_right(self.gbreaks, day) - 1
            if g < 0:
                raise TermsheetError([self._before_first(action.date)])
            seg = self.gseg[g]
        else:
            seg, late = self._pinned(version, action.date)
        if action.facts:
            self._check_facts(action.facts)
        key = seg * self.cells + ((kind * self.P + p) * self.I + i) * self.T + t
        scope = getattr(action, "scope", None)
        if scope:  # a scoped request (territory, field, channel): its own memo
            key = (key, tuple(sorted(scope.items())))
        outcome = self._memo.get(key)
        if outcome is None:
            outcome = self._memo[key] = self._evaluate(seg, kind, p, i, t, scope)
        if outcome.problem is not None:
            raise TermsheetError([outcome.problem])
        return outcome, late

    def _evaluate(self, seg: int, kind: int, p: int, i: int, t: int,
                  scope: dict[str, str] | None = None) -> Outcome:
        version = self.versions[self.seg_version[seg]]
        day = dt.date.fromordinal(self.seg_start[seg])
        return evaluate(version, kind, self.parties[p], self.items[i], self.targets[t], day,
                        self.events, scope)

    def _pinned(self, version_id: str, day: dt.date) -> tuple[int, str | None]:
        index = self.history.index(version_id) if any(
            v.version == version_id for v in self.versions) else None
        if index is None:
            self.history.get(version_id)  # raises, naming the known versions
        start = self.effective[index]
        if day.toordinal() < start:
            raise TermsheetError([Problem(
                "E040", f"version {version_id} is not in force on {day}", self.where,
                hint=f"it is effective from {self.versions[index].effective}")])
        seg = self.voffset[index] + bisect_right(self.vbreaks[index], day.toordinal()) - 1
        late = None
        if index + 1 < len(self.versions) and day.toordinal() >= self.effective[index + 1]:
            late = (f"version {version_id} applied on {day} as if still in force (it was "
                    f"replaced by {self.versions[index + 1].version} on "
                    f"{self.versions[index + 1].effective})")
        return seg, late

    def _check_facts(self, facts) -> None:
        for fact in facts:
            if fact not in self.conditions:
                raise TermsheetError([Problem("E014", f"unknown condition '{fact}'", self.where,
                                              hint=known_hint(fact, self.conditions))])

    def _unknown_name(self, kind: int, party: str, item: str, target: str) -> Problem:
        where = self.where
        if party not in self.party_code:
            return Problem("E010", f"unknown party '{party}'", where,
                           hint=known_hint(party, self.parties))
        if item not in self.item_code:
            return Problem("E012", f"unknown product '{item}'", where,
                           hint=known_hint(item, [n for n in self.items if n != "compute"]))
        channels = sorted({c for v in self.versions for c in v.channels})
        if KINDS[kind] == "distribute":
            return Problem("E011", f"unknown channel '{target}'", where,
                           hint=known_hint(target, channels))
        return Problem("E010", f"unknown party '{target}'", where,
                       hint=known_hint(target, self.targets))

    def _before_first(self, day: dt.date) -> Problem:
        first = self.versions[0]
        return Problem("E040", f"no version in force on {day}", self.where,
                       hint=f"the first version, {first.version}, is effective {first.effective}")

    # -- the batch path -----------------------------------------------------------------------

    def table(self) -> np.ndarray:
        """The outcome id of every cell of every segment (filled once, on first use)."""
        if self._table is not None:
            return self._table
        with self._table_lock:
            if self._table is None:
                self._fill()
        return self._table

    def _fill(self) -> None:
        table = np.empty((len(self.seg_start), self.cells), dtype=np.int32)
        ids: dict[Outcome, int] = {}
        for seg in range(len(self.seg_start)):
            key = seg * self.cells
            for cell in range(self.cells):
                outcome = self._memo.get(key + cell)
                if outcome is None:
                    rest, t = divmod(cell, self.T)
                    rest, i = divmod(rest, self.I)
                    kind, p = divmod(rest, self.P)
                    outcome = self._memo[key + cell] = self._evaluate(seg, kind, p, i, t)
                table[seg, cell] = ids.setdefault(outcome, len(ids))
        self.outcomes = list(ids)
        self._outcome_id = ids
        self._outcome_arrays()
        self._table = table

    def _outcome_arrays(self) -> None:
        """The outcomes as arrays, built aside and then swapped in whole: another thread may be
        reading the old ones (a scoped batch adds outcomes while others decide)."""
        n = len(self.outcomes)
        code = np.empty(n, dtype=np.int8)
        on = np.zeros(n, dtype=np.int64)
        lead = np.zeros(n, dtype=np.int32)
        since = np.zeros(n, dtype=np.int32)
        unless = np.zeros(n, dtype=np.uint64)
        for index, outcome in enumerate(self.outcomes):
            rule = outcome.first_launch
            if outcome.problem is not None:
                code[index] = INVALID
            elif rule is not None:
                code[index] = PENDING
                on[index] = self.target_code[rule.on]
                lead[index] = rule.lead_days
                since[index] = rule.since.toordinal()
                if rule.unless in self.conditions:
                    unless[index] = np.uint64(1 << self.conditions.index(rule.unless))
            else:
                code[index] = ALLOWED if outcome.allowed else FORBIDDEN
        self.o_on, self.o_lead, self.o_since, self.o_unless = on, lead, since, unless
        self.o_code = code
        self.gbreaks_array = np.asarray(self.gbreaks, dtype=np.int32)
        self.gseg_array = np.asarray(self.gseg, dtype=np.int64)

    def batch(self, kind: np.ndarray, party: np.ndarray, item: np.ndarray, target: np.ndarray,
              day: np.ndarray, available: np.ndarray | None = None,
              facts: np.ndarray | None = None, scope: np.ndarray | None = None,
              scopes: Sequence[tuple] = ()) -> np.ndarray:
        """Decide arrays of coded actions at once: 1 allowed, 0 forbidden, -1 invalid.

        ``day`` holds proleptic ordinals (``date.toordinal()``); ``available`` (n x targets)
        the first day each product was available on each channel (``NEVER`` when not);
        ``facts`` a bit mask over :attr:`conditions` per action; ``scope`` per action the
        index of its scope (territory, field, channel) in ``scopes``, -1 for none (as
        :meth:`encode` gives them). A scoped action is decided under its scope, as
        :meth:`outcome_of` decides it: the table holds the unscoped answers only.
        """
        table = self.table()
        g = np.searchsorted(self.gbreaks_array, day, side="right") - 1
        valid = g >= 0
        seg = self.gseg_array[np.maximum(g, 0)]
        cell = ((kind.astype(np.int64) * self.P + party) * self.I + item) * self.T + target
        oid = table[seg, cell]
        if scope is not None:
            for row in np.flatnonzero(scope >= 0):
                oid[row] = self._scoped_id(int(seg[row]), int(cell[row]),
                                           scopes[int(scope[row])])
        code = self.o_code[oid]
        result = np.where(code == PENDING, FORBIDDEN, code).astype(np.int8)
        pending = np.flatnonzero(code == PENDING)
        if pending.size:
            result[pending] = self._first_launch(oid[pending], pending, target, day, available,
                                                 facts)
        result[~valid] = INVALID
        return result

    def _scoped_id(self, seg: int, cell: int, scope: tuple) -> int:
        """The outcome id of a cell under a scope (its outcome memoized as a single decision's
        is; a new outcome is added to the outcome arrays)."""
        key = (seg * self.cells + cell, scope)
        outcome = self._memo.get(key)
        if outcome is None:
            rest, t = divmod(cell, self.T)
            rest, i = divmod(rest, self.I)
            kind, p = divmod(rest, self.P)
            outcome = self._memo[key] = self._evaluate(seg, kind, p, i, t, dict(scope))
        with self._table_lock:
            found = self._outcome_id.get(outcome)
            if found is None:
                found = self._outcome_id[outcome] = len(self.outcomes)
                self.outcomes.append(outcome)
                self._outcome_arrays()
        return found

    def _first_launch(self, oid, rows, target, day, available, facts) -> np.ndarray:
        day = day[rows]
        if available is None:
            first, on_day = day, np.full(rows.size, NEVER, dtype=np.int64)
        else:
            first = np.minimum(available[rows, target[rows]], day)
            on_day = available[rows, self.o_on[oid]]
        ok = on_day <= first - self.o_lead[oid]
        ok |= first < self.o_since[oid]
        if facts is not None:
            ok |= (facts[rows] & self.o_unless[oid]) != 0
        return ok.astype(np.int8)

    def encode(self, actions: Sequence[Action]) -> dict:
        """Arrays of codes for :meth:`batch` (unknown names raise, as single decisions do),
        with ``scope`` (an index into ``scopes`` per action, -1 for an unscoped one)."""
        n = len(actions)
        out = {name: np.empty(n, dtype=np.int64) for name in ("kind", "party", "item", "target")}
        out["day"] = np.empty(n, dtype=np.int32)
        out["available"] = np.full((n, self.T), NEVER, dtype=np.int32)
        out["facts"] = np.zeros(n, dtype=np.uint64)
        out["scope"] = np.full(n, -1, dtype=np.int32)
        scopes: dict[tuple, int] = {}
        for row, action in enumerate(actions):
            scope = getattr(action, "scope", None)
            if scope:   # the same key as a single decision's memo (see outcome_of)
                out["scope"][row] = scopes.setdefault(tuple(sorted(scope.items())),
                                                      len(scopes))
            kind, party, item, target = action.codes()
            if party not in self.party_code or item not in self.item_code or \
                    target not in self.target_code:
                raise TermsheetError([self._unknown_name(kind, party, item, target)])
            out["kind"][row], out["party"][row] = kind, self.party_code[party]
            out["item"][row], out["target"][row] = self.item_code[item], self.target_code[target]
            out["day"][row] = action.date.toordinal()
            for channel, first in getattr(action, "available", {}).items():
                out["available"][row, self.target_code[channel]] = first.toordinal()
            self._check_facts(action.facts)
            mask = sum(1 << self.conditions.index(f) for f in action.facts)
            out["facts"][row] = np.uint64(mask)
        out["scopes"] = list(scopes)
        return out


def _folder_of(history: History) -> str:
    """Where the history came from: its folder (or its one file), for problems."""
    paths = {v.path for v in history.versions}
    if len(paths) == 1:
        return next(iter(paths))
    return str(Path(next(iter(paths))).parent)


class IndexCache:
    """Compiled indexes, kept by whoever holds the histories (a server keeps one with the
    agreements it has loaded, so that a reload drops the old indexes with the old histories).

    Thread-safe: a server decides on several threads at once. A history is held by reference
    while its index is cached, so the key (its ``id()`` and the event dates) cannot be reused
    by another history while the entry lives. At most ``size`` indexes, the oldest dropped first.
    """

    def __init__(self, size: int = 32):
        self.size = size
        self._items: dict[tuple, tuple[object, DecisionIndex]] = {}
        self._lock = threading.Lock()

    def get(self, history: History | Version, events: Mapping[str, dt.date] | None = None
            ) -> DecisionIndex:
        """The compiled index of a history under these event dates (compiled once)."""
        key = (id(history), frozenset(events.items())) if events else (id(history),)
        with self._lock:
            hit = self._items.get(key)
        if hit is not None and hit[0] is history:
            return hit[1]
        whole = history if isinstance(history, History) else History(history.agreement,
                                                                      (history,))
        check_events(whole, events or {})
        index = DecisionIndex(whole, events)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and hit[0] is history:   # another thread compiled it first
                return hit[1]
            while len(self._items) >= self.size:
                self._items.pop(next(iter(self._items)))
            self._items[key] = (history, index)
        return index

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


# For decide() called without a cache of its own (a script, the command line).
DEFAULT_CACHE = IndexCache()


def index_for(history: History | Version, events: Mapping[str, dt.date] | None = None,
              cache: IndexCache | None = None) -> DecisionIndex:
    """The compiled index of a history under these event dates, from ``cache`` (by default
    the process's own)."""
    return (cache or DEFAULT_CACHE).get(history, events)


def check_events(history: History, events: Mapping[str, dt.date]) -> None:
    known = sorted({e for v in history.versions for e in v.events})
    problems = []
    for name, day in events.items():
        if name not in known:
            problems.append(Problem("E013", f"unknown event '{name}'", _folder_of(history),
                                    hint=known_hint(name, known)))
        elif not isinstance(day, dt.date):
            problems.append(Problem("E024", f"event '{name}' needs a date, not {day!r}",
                                    _folder_of(history), hint="write YYYY-MM-DD"))
    if problems:
        raise TermsheetError(problems)
