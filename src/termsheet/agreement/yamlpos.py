"""YAML that remembers where every value came from, and never yields a float.

``load(text)`` returns the data and a map from each key path (a tuple of keys and indexes) to the
1-based (line, column) of its value. Decimal numbers become ``Decimal``; a date that cannot exist
(2026-02-30) stays text as :class:`BadDate`, so a check can report it at its position.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

Path = tuple[Any, ...]


class BadDate(str):
    """A value written like a date that is not one."""


class YamlError(Exception):
    def __init__(self, message: str, line: int, column: int):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class _Loader(yaml.SafeLoader):
    pass


# libyaml's parser when PyYAML has it (several times faster); the constructors and resolvers
# are Python either way, so the data and positions are the same. Text with an error is read
# again by the Python parser, whose messages the problems quote.
class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


def _float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = loader.construct_scalar(node).replace("_", "")
    lowered = text.lower()
    if lowered in (".inf", "+.inf", "-.inf", ".nan"):
        return text  # not money; the model rejects it where a number is needed
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        value = yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return BadDate(node.value)
    return value


# YAML 1.2 booleans: only true/false. ("on: azure" is a key named "on", not True.)
_Loader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool",
                              re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Loader.add_constructor("tag:yaml.org,2002:float", _float)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
_FastLoader.add_constructor("tag:yaml.org,2002:float", _float)
_FastLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def load(text: str, line_offset: int = 0) -> tuple[Any, dict[Path, tuple[int, int]]]:
    """Parse one YAML document; positions are shifted by ``line_offset`` lines."""
    if _FastLoader is not _Loader:
        try:
            return _load(text, line_offset, _FastLoader)
        except YamlError:
            pass  # the Python parser says where and what, in the words the problems quote
    return _load(text, line_offset, _Loader)


def _load(text: str, line_offset: int, loader_class: type) -> tuple[Any, dict]:
    try:
        loader = loader_class(text)
    except yaml.reader.ReaderError as err:
        raise _reader_error(text, err, line_offset) from None
    try:
        node = loader.get_single_node()
        positions: dict[Path, tuple[int, int]] = {}
        data = _build(loader, node, (), positions, line_offset) if node is not None else None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        column = mark.column + 1 if mark else 1
        problem = err.problem or str(err)
        if err.context:
            problem = f"{err.context}: {problem}"
            if err.context_mark is not None and mark is not None \
                    and err.context_mark.line != mark.line:
                problem += (f" (the construct opened at line "
                            f"{err.context_mark.line + 1 + line_offset}, column "
                            f"{err.context_mark.column + 1})")
        raise YamlError(problem, line, column) from None
    except yaml.reader.ReaderError as err:
        raise _reader_error(text, err, line_offset) from None
    except yaml.YAMLError as err:  # pragma: no cover - PyYAML raises marked errors for text
        raise YamlError(str(err), 1 + line_offset, 1) from None
    finally:
        loader.dispose()
    return data, positions


def _reader_error(text: str, err: yaml.reader.ReaderError, offset: int) -> YamlError:
    before = text[: err.position]
    line = before.count("\n") + 1 + offset
    column = err.position - (before.rfind("\n") + 1) + 1
    return YamlError(f"character U+{err.character:04X} is not allowed", line, column)


def _build(loader: yaml.SafeLoader, node: yaml.Node, path: Path,
           positions: dict[Path, tuple[int, int]], offset: int) -> Any:
    positions[path] = (node.start_mark.line + 1 + offset, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, (datetime.date, Decimal)):
                key = str(key)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                ) from None
            if key in out:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            # a key's own position, for "unknown term" problems
            positions[path + (key, "<key>")] = (key_node.start_mark.line + 1 + offset,
                                                key_node.start_mark.column + 1)
            out[key] = _build(loader, value_node, path + (key,), positions, offset)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, path + (i,), positions, offset)
                for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def position(positions: dict[Path, tuple[int, int]], path: Path) -> tuple[int, int]:
    """The position of the deepest known prefix of a path."""
    path = tuple(path)
    while path:
        if path in positions:
            return positions[path]
        path = path[:-1]
    return positions.get((), (1, 1))
