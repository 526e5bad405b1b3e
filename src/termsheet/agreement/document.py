"""Agreement documents: Markdown with YAML front matter and fenced ``terms`` blocks -> Version.

``parse(text, path)`` never raises on bad input: it returns ``(version or None, problems)``. The
prose is read with markdown-it-py, each block's YAML with :mod:`termsheet.yamlpos`, and the terms
are validated into the records of :mod:`termsheet.model`; every problem carries its position.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from pydantic import ValidationError

from . import yamlpos
from .model import (
    CLAUSE_KINDS, LANGUAGES, ClauseBase, FrontMatter, Span, Version, _localized,
)
from .problems import Problem, known_hint

_MD = MarkdownIt("commonmark")
_FENCE_CLOSE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*$")
TERMS_INFO = "terms"


def parse_file(path: str | Path) -> tuple[Version | None, list[Problem]]:
    path = Path(path)
    if (problem := not_a_file(path, "an agreement document (*.md) or its folder")):
        return None, [problem]
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        return None, [Problem("E004", f"cannot read file: {err}", str(path))]
    return parse(text, str(path))


def not_a_file(path: Path, wanted: str) -> Problem | None:
    """E004 for a path that exists but is no regular file: a folder, or a device or a pipe,
    which may never end (/dev/zero)."""
    if path.is_dir():
        return Problem("E004", f"{path} is a folder, not a file", str(path), hint=f"give {wanted}")
    if path.exists() and not path.is_file():
        return Problem("E004", f"{path} is not a regular file", str(path), hint=f"give {wanted}")
    return None


def parse(text: str, path: str = "<text>") -> tuple[Version | None, list[Problem]]:
    """Parse one version; every problem found, at once, with its position."""
    from .checks import check_version

    problems: list[Problem] = []
    # a byte-order mark (as some editors save UTF-8) is not part of the text
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    split = _split_front_matter(text, path, problems)
    if split is None:
        return None, problems
    front_text, body, body_offset = split
    front, front_spans, raw = _parse_front(front_text, path, problems)
    preamble, clauses = _parse_body(body, body_offset, path, problems)
    extra = {"clauses": tuple(clauses), "span": Span(path, 1, 1), "term_spans": front_spans}
    if front is None:
        # Still check the clauses against whatever names the broken front matter defines, so
        # that every problem is reported at once.
        lenient = _lenient_version(raw, preamble).model_copy(update=extra)
        problems.extend(check_version(lenient, local_only=raw is None))
        return None, problems
    version = Version.model_validate({**front.model_dump(by_alias=True), "preamble": preamble,
                                      "titles": front.titles})
    version = version.model_copy(update=extra)
    problems.extend(check_version(version))
    return version, problems


def _lenient_version(raw: Any, preamble: str) -> Version:
    raw = raw if isinstance(raw, dict) else {}

    def table(name: str, model: type | None) -> dict:
        entries = raw.get(name)
        if not isinstance(entries, dict):
            return {}
        out = {}
        for key, value in entries.items():
            try:
                out[str(key)] = model.model_validate(value) if model else str(value)
            except (ValidationError, TypeError):
                out[str(key)] = model.model_construct() if model else ""
        return out

    from .model import Channel, Product
    return Version.model_construct(
        agreement=str(raw.get("agreement", "")), version=str(raw.get("version", "")),
        title=str(_localized(raw, "title", "titles").get("title", "")), effective=None, amends=None, currency="USD",
        parties=table("parties", None), channels=table("channels", Channel),
        products=table("products", Product), events=table("events", None),
        conditions=table("conditions", None), sources=table("sources", None),
        preamble=preamble, clauses=(), span=None, term_spans={})


def _split_front_matter(text: str, path: str, problems: list[Problem]):
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        problems.append(Problem("E003", "the document must open with YAML front matter "
                                "between '---' lines", path, 1, 1,
                                hint="start the file with '---', the agreement's terms, '---'"))
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            front = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1:])
            return front, body, index + 1
    problems.append(Problem("E003", "front matter is never closed", path, 1, 1,
                            hint="end the front matter with a line holding only '---'"))
    return None


def _parse_front(front_text: str, path: str, problems: list[Problem]):
    try:
        data, positions = yamlpos.load(front_text, line_offset=1)
    except yamlpos.YamlError as err:
        problems.append(Problem("E001", f"YAML syntax error in front matter: {err.message}",
                                path, err.line, err.column))
        return None, {}, None
    if not isinstance(data, dict):
        problems.append(Problem("E003", "front matter must be a mapping of terms", path, 2, 1))
        return None, {}, None
    spans = _spans(positions, path)
    localized = localized_problems(data, "title", positions, path, None)
    if isinstance(data.get("title"), dict) and "en" not in data["title"]:
        line, col = yamlpos.position(positions, ("title",))
        localized.append(Problem("E021", "a title in several languages needs its 'en' text",
                                 path, line, col, hint="title: {en: ..., zh: ...}"))
    if localized:
        problems.extend(localized)
        return None, spans, data
    try:
        return FrontMatter.model_validate(data), spans, data
    except ValidationError as err:
        problems.extend(validation_problems(err, data, positions, path, None, FrontMatter))
        return None, spans, data


def _spans(positions: dict, path: str) -> dict[str, Span]:
    return {".".join(str(k) for k in key): Span(path, line, col)
            for key, (line, col) in positions.items() if key and key[-1] != "<key>"}


def _parse_body(body: str, offset: int, path: str, problems: list[Problem]):
    tokens = _MD.parse(body)
    body_lines = body.split("\n")
    preamble: list[str] = []
    prose: list[str] = []
    heading = ""
    seen_section = False
    clauses: list[ClauseBase] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            title = tokens[index + 1].content.strip()
            if token.tag == "h1" and not seen_section:
                continue
            seen_section = True
            heading, prose = title, []
        elif token.type == "inline" and tokens[index - 1].type in ("paragraph_open",):
            # a paragraph's hard line breaks are layout, not meaning
            (prose if seen_section else preamble).append(" ".join(token.content.split()))
        elif token.type == "fence" and token.info.strip() == TERMS_INFO:
            start = token.map[0] + offset + 1
            if not _fence_closed(token, body_lines):
                problems.append(Problem("E002", "terms fence is never closed", path, start, 1,
                                        hint=f"close it with a line holding only {token.markup}"))
                continue
            clause = parse_clause(token.content, start + 1, path, heading, " ".join(prose),
                                  problems)
            if clause is not None:
                clauses.append(clause)
            prose = []
    return "\n\n".join(preamble), clauses


def _fence_closed(token, body_lines: list[str]) -> bool:
    last = token.map[1] - 1
    if last <= token.map[0] or last >= len(body_lines):
        return False
    match = _FENCE_CLOSE.match(body_lines[last])
    return bool(match) and match.group(1)[0] == token.markup[0] \
        and len(match.group(1)) >= len(token.markup)


def parse_clause(text: str, first_line: int, path: str, heading: str, prose: str,
                 problems: list[Problem]) -> ClauseBase | None:
    """One terms block (its YAML starts on ``first_line``) -> a clause record, or problems."""
    try:
        data, positions = yamlpos.load(text, line_offset=first_line - 1)
    except yamlpos.YamlError as err:
        problems.append(Problem("E001", f"YAML syntax error: {err.message}", path, err.line,
                                err.column))
        return None
    line, col = yamlpos.position(positions, ())
    if not isinstance(data, dict):
        problems.append(Problem("E023", "a terms block must be a mapping of terms", path, line,
                                col, hint="write 'id: ...', 'kind: ...' and the kind's terms"))
        return None
    clause_id = data.get("id") if isinstance(data.get("id"), str) else None
    kind = data.get("kind")
    if kind is None:
        problems.append(Problem("E021", "missing term 'kind'", path, line, col, clause_id,
                                known_hint("", CLAUSE_KINDS)))
        return None
    model = CLAUSE_KINDS.get(kind) if isinstance(kind, str) else None
    if model is None:
        kl, kc = yamlpos.position(positions, ("kind",))
        problems.append(Problem("E016", f"unknown clause kind '{kind}'", path, kl, kc, clause_id,
                                known_hint(str(kind), CLAUSE_KINDS)))
        return None
    localized = localized_problems(data, "heading", positions, path, clause_id)
    if localized:
        problems.extend(localized)
        return None
    try:
        clause = model.model_validate(data)
    except ValidationError as err:
        problems.extend(validation_problems(err, data, positions, path, clause_id, model))
        return None
    return clause.model_copy(update={
        "span": Span(path, line, col), "heading": heading, "prose": prose,
        "term_spans": _spans(positions, path)})


def localized_problems(data: dict, term: str, positions: dict, path: str,
                       clause_id: str | None) -> list[Problem]:
    """``term: {en: ..., zh: ...}``: every language known, every text a non-empty string."""
    texts = data.get(term)
    if not isinstance(texts, dict):
        return []
    out = []
    for lang, text in texts.items():
        line, col = yamlpos.position(positions, (term, lang))
        if lang not in LANGUAGES:
            out.append(Problem("E023", f"unknown language '{lang}' in '{term}'", path, line, col,
                               clause_id, known_hint(str(lang), LANGUAGES)))
        elif not isinstance(text, str) or not text.strip():
            out.append(Problem("E023", f"the {lang} text of '{term}' must be words", path, line,
                               col, clause_id))
    return out


def data_path(loc: tuple, data: Any) -> tuple:
    """The part of a Pydantic error location that names real keys and indexes in the data."""
    out: list = []
    node = data
    for item in loc:
        if isinstance(node, dict) and item in node:
            out.append(item)
            node = node[item]
        elif isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node):
            out.append(item)
            node = node[item]
        elif isinstance(node, dict) and isinstance(item, str) and item not in node:
            # a missing or an unknown key: keep it, it is the term the problem is about
            out.append(item)
            break
    return tuple(out)


def _terms_of(model: type) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()
            if not f.exclude and name != "span"]


def validation_problems(err: ValidationError, data: Any, positions: dict, path: str,
                        clause_id: str | None, model: type) -> list[Problem]:
    """Pydantic errors -> one positioned problem per term."""
    seen: dict[tuple, Problem] = {}
    kind = data.get("kind") if isinstance(data, dict) else None
    for error in err.errors(include_url=False):
        where = data_path(error["loc"], data)
        term = ".".join(str(p) for p in where) or "<terms>"
        kind_text = f" for kind '{kind}'" if kind else ""
        etype = error["type"]
        if etype == "missing":
            parent = where[:-1]
            line, col = yamlpos.position(positions, parent)
            problem = Problem("E021", f"missing term '{term}'{kind_text}", path, line, col,
                              clause_id, f"add '{where[-1]}: ...'" if where else None)
        elif etype == "extra_forbidden":
            line, col = positions.get(where + ("<key>",)) or yamlpos.position(positions, where)
            known = _terms_of(model) if len(where) == 1 else []
            hint = known_hint(str(where[-1]), known) if known else "remove it"
            problem = Problem("E022", f"unknown term '{term}'{kind_text}", path, line, col,
                              clause_id, hint)
        else:
            line, col = yamlpos.position(positions, where)
            value = _value_at(data, where)
            code = "E024" if "date" in etype or isinstance(value, yamlpos.BadDate) else "E023"
            label = "bad date" if code == "E024" else "bad value"
            problem = Problem(code, f"{label} {value!s:.60} for term '{term}': {error['msg']}",
                              path, line, col, clause_id)
        seen.setdefault((where, problem.code), problem)
    return list(seen.values())


def _value_at(data: Any, where: tuple) -> Any:
    node = data
    for item in where:
        try:
            node = node[item]
        except (KeyError, IndexError, TypeError):
            return ""
    return repr(node) if not isinstance(node, str) else f"'{node}'"
