"""The agreements a server answers about: a folder of agreement folders, loaded once.

``--agreements DIR`` may name a folder of agreement folders (``agreements/``) or one agreement's
folder (``agreements/openai-microsoft``). Every history is loaded and validated at start-up; an
upload validates the new version together with the versions already there, then writes it.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..api import parse
from ..api import History, agreement_files, check_chain, load_history
from ..api import Version
from ..api import Problem, TermsheetError, known_hint
from ..api import IndexCache
from .answers import AnswerCache
from .errors import HttpProblem


@dataclass
class Catalog:
    """Histories by agreement id, with the folder each came from."""

    root: Path
    histories: dict[str, History] = field(default_factory=dict)
    folders: dict[str, Path] = field(default_factory=dict)
    # kept with the histories, so that a reload (a new Catalog) drops them with the old ones:
    # compiled decision indexes, and AuthZEN answers already encoded (see web/authzen.py)
    indexes: IndexCache = field(default_factory=IndexCache, repr=False)
    answers: AnswerCache = field(default_factory=AnswerCache, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def load(cls, root: str | Path) -> "Catalog":
        """Every agreement under ``root``; raises TermsheetError with every problem found."""
        root = Path(root)
        if not root.is_dir():
            raise TermsheetError([Problem("E004", f"no such folder: {root}", str(root),
                                          hint="pass --agreements DIR, a folder of agreements")])
        folders = [root] if agreement_files(root) else sorted(
            p for p in root.iterdir() if p.is_dir() and agreement_files(p))
        catalog, problems = cls(root), []
        for folder in folders:
            history, found = load_history(folder)
            problems.extend(found)
            if history is not None:
                catalog.histories[history.agreement] = history
                catalog.folders[history.agreement] = folder
        if problems:
            raise TermsheetError(problems)
        return catalog

    @property
    def ids(self) -> list[str]:
        return sorted(self.histories)

    def history(self, agreement: str) -> History:
        history = self.histories.get(agreement)
        if history is None:
            raise HttpProblem(404, f"no agreement '{agreement}'", path=agreement,
                              hint=known_hint(agreement, self.histories))
        return history

    def version(self, agreement: str, version_id: str) -> Version:
        history = self.history(agreement)
        for version in history.versions:
            if version.version == version_id:
                return version
        raise HttpProblem(404, f"no version '{version_id}' in agreement '{agreement}'",
                          path=f"{agreement}@{version_id}",
                          hint=known_hint(version_id, [v.version for v in history.versions]))

    def text(self, agreement: str, version_id: str) -> str:
        """The document exactly as written on disk."""
        version = self.version(agreement, version_id)
        return Path(version.path).read_text(encoding="utf-8-sig")

    def add_version(self, text: str, filename: str | None = None) -> Version:
        """Validate a new version against its agreement's history, write it, reload.

        The new document must parse without problems and fit the amendment chain; an existing
        version id is a conflict (versions are never overwritten).
        """
        with self._lock:
            version, problems = parse(text, filename or "<upload>")
            if problems:
                raise TermsheetError(problems)
            history = self.histories.get(version.agreement)
            if history is not None and any(v.version == version.version
                                           for v in history.versions):
                raise HttpProblem(409, f"version '{version.version}' of agreement "
                                  f"'{version.agreement}' already exists",
                                  path=f"{version.agreement}@{version.version}",
                                  hint="versions are never overwritten; give the amendment "
                                       "a new version id")
            existing = list(history.versions) if history else []
            chain = check_chain([*existing, version])
            if chain:
                raise TermsheetError(chain)
            version_file = file_name("version", version.version)
            folder = self.folders.get(version.agreement) or self._new_folder(version.agreement)
            target = folder / f"{version_file}.md"
            taken = {p.name.lower() for p in folder.iterdir()} if folder.is_dir() else set()
            if target.name.lower() in taken:
                raise HttpProblem(409, f"the file {target.name} already exists for another "
                                  "document", path=f"{version.agreement}@{version.version}",
                                  hint="give the version an id no file of the folder has")
            write_new(target, text)
            reloaded, found = load_history(folder)
            if found:  # cannot happen after the checks above, unless the disk changed under us
                target.unlink()  # ours: write_new never replaces a file
                raise TermsheetError(found)
            self.histories[version.agreement] = reloaded
            self.folders[version.agreement] = folder
            # the answers worked out before are stale: a new cache, swapped in after the new
            # history (a request takes the cache first, then the histories, so an answer it
            # works out from the old history lands in the old cache)
            self.answers = AnswerCache(self.answers.size)
            return reloaded.get(version.version)

    def _new_folder(self, agreement: str) -> Path:
        if agreement_files(self.root):
            raise HttpProblem(422, f"this server holds one agreement; '{agreement}' is another",
                              path=agreement,
                              hint="start the server on a folder of agreement folders")
        folder = self.root / file_name("agreement", agreement)
        known = {p.name.lower() for p in self.folders.values()}
        if folder.name.lower() in known or (folder.exists() and any(folder.iterdir())):
            raise HttpProblem(409, f"the folder {folder.name} already holds other documents",
                              path=agreement, hint="give the agreement an id of its own")
        folder.mkdir(parents=True, exist_ok=True)
        return folder


FILE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


def file_name(kind: str, name: str) -> str:
    """An id that is its own file name: letters, digits, dot, dash and underscore, starting
    with a letter or a digit. Anything else is refused, never rewritten: two ids cleaned to the
    same name would share (and overwrite) one file."""
    if not FILE_ID.fullmatch(name) or name.lower() in ("readme", "con", "nul", "prn", "aux"):
        raise HttpProblem(422, f"the {kind} id '{name}' cannot be a file name", path=kind,
                          problems=[Problem(
                              "E037", f"the {kind} id '{name}' cannot be a file name", kind,
                              hint="ids are letters, digits, '.', '-' and '_', starting with a "
                                   "letter or a digit (e.g. 2026-04-27)")])
    return name


def write_new(target: Path, text: str) -> None:
    """Write a new file whole or not at all, never replacing one: a temporary file beside it,
    flushed to disk, then linked to its name (which fails if the name is taken)."""
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent,
                                         prefix=".upload-", suffix=".tmp", delete=False)
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(handle.name, target)
        except FileExistsError:
            raise HttpProblem(409, f"the file {target.name} already exists", path=target.name,
                              hint="versions are never overwritten") from None
    finally:
        os.unlink(handle.name)
