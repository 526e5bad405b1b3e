"""Answers already worked out, kept with the loaded agreements: a bounded LRU cache.

A decision is a pure function of the agreements loaded (every version of every history) and of
what is asked (who asks, the subject, action, resource with its properties, and the context: the
date, facts, events, availability, version). So the server keeps each AuthZEN answer, encoded as
the bytes it sends, under two keys:

- the exact bytes of the question as it arrived (with the batch's defaults, for an item of a
  batch): a question asked again in the same words costs one dictionary lookup, with nothing
  parsed, decided or encoded;
- the question as understood: the merged evaluation as canonical JSON (keys sorted), so that the
  same question written another way (key order, spaces, defaults moved into the item) is answered
  from the cache too.

Both keys start with what the asker may see (role and party), since a party sees only its own
agreements. At most ``size`` entries; the least recently used are dropped first. The cache lives
in the :class:`~termsheet.web.catalog.Catalog`: a reload builds a new catalog (and so an empty
cache), and :meth:`Catalog.add_version` empties it when a version is uploaded.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Hashable

ANSWERS_KEPT = 50_000   # encoded answers (about 0.5-1 KB each) per set of loaded agreements


class AnswerCache:
    """A bounded LRU of ``key -> (allowed, encoded answer)``.

    Safe under threads without a lock: each operation is one call into ``OrderedDict``'s C code,
    and the races between them (an entry dropped between a lookup and its move to the end) are
    caught.
    """

    def __init__(self, size: int = ANSWERS_KEPT):
        self.size = size
        self._items: OrderedDict[Hashable, tuple[bool, bytes]] = OrderedDict()
        # the encoded answer of an outcome of a compiled index that every action reaching it
        # shares (see authzen.evaluate_encoded): id(outcome) -> (outcome, (allowed, bytes))
        self.by_outcome: dict[int, tuple[object, tuple[bool, bytes]]] = {}

    def keep_outcome(self, outcome: object, answer: tuple[bool, bytes]) -> None:
        if len(self.by_outcome) < self.size:   # outcomes are few; bounded all the same
            self.by_outcome[id(outcome)] = (outcome, answer)

    def get(self, key: Hashable) -> tuple[bool, bytes] | None:
        hit = self._items.get(key)
        if hit is None:
            return None
        try:
            self._items.move_to_end(key)
        except KeyError:   # dropped by another thread meanwhile: still a right answer
            pass
        return hit

    def put(self, key: Hashable, answer: tuple[bool, bytes]) -> None:
        items = self._items
        items[key] = answer
        while len(items) > self.size:
            try:
                items.popitem(last=False)
            except KeyError:
                break

    def clear(self) -> None:
        self._items.clear()
        self.by_outcome.clear()

    def forget_answers(self) -> None:
        """Drop the answers kept by question, keeping those of outcomes (for measuring)."""
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items
