"""YAML plan files: safe loading only, aliases bounded, dates kept as text, values keep their line numbers."""

from __future__ import annotations

from datetime import datetime

import yaml

from storage.plan_file.errors import PlanFileError, PlanFileInvalid
from storage.plan_file.source import Path_, PlanSource

# A plan repeats little: aliases may reuse a block, not multiply the file (the "billion laughs").
EXPANSION_FACTOR = 10
EXPANSION_ALLOWANCE = 1_000


# libyaml's parser when PyYAML was built with it (about ten times faster on a 2,000-action plan).
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _PlanLoader(_SafeBase):  # type: ignore[valid-type,misc]
    """The safe loader, but a date that is not on the calendar stays text for the validator to explain."""


def _date_or_text(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    text = loader.construct_scalar(node)  # type: ignore[arg-type]
    try:
        value = loader.construct_yaml_timestamp(node)  # type: ignore[arg-type]
    except ValueError:
        return text  # 2026-02-30: the schema pass names the field and says why
    return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()


_PlanLoader.add_constructor("tag:yaml.org,2002:timestamp", _date_or_text)


def read_yaml(file: str, content: bytes) -> PlanSource:
    def refuse(where: str, field: str, message: str) -> PlanFileInvalid:
        return PlanFileInvalid([PlanFileError(file, where, field, message)])

    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refuse("file", "(file)", f"not UTF-8 text (byte {exc.start:,}): save the file as UTF-8") from exc
    loader = _PlanLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return PlanSource(file=file, data=None)
        sizes = _sizes(root)
        if sizes is None:
            raise refuse("file", "(aliases)", "an alias refers to the value it is part of, so it never ends")
        nodes, expanded = sizes
        if expanded > EXPANSION_FACTOR * nodes + EXPANSION_ALLOWANCE:
            raise refuse(
                "file",
                "(aliases)",
                f"its aliases expand {nodes:,} values into {expanded:,}: write the values out instead",
            )
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        raise refuse(where, "(syntax)", f"not valid YAML: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise refuse("file", "(syntax)", f"not valid YAML: {str(exc)[:200]}") from exc
    except RecursionError as exc:
        raise refuse("file", "(syntax)", "nested too deeply to be a plan") from exc
    finally:
        loader.dispose()
    locations: dict[Path_, str] = {}
    _index(root, (), locations)
    return PlanSource(file=file, data=data, locations=locations)


def _sizes(root: yaml.Node) -> tuple[int, int] | None:
    """How many distinct nodes the document has, and how many it has once every alias is expanded.

    Iterative and memoised, so a file built to explode is measured in microseconds; a node that
    contains itself has no size (None).
    """
    expanded: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            expanded[key] = 1 + sum(expanded[id(child)] for child in _children(node))
            continue
        if key in expanded:
            continue
        if key in on_path:
            return None
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in expanded)
    return len(expanded), expanded[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _index(root: yaml.Node, path: Path_, out: dict[Path_, str]) -> None:
    stack: list[tuple[yaml.Node, Path_]] = [(root, path)]
    while stack:
        node, at = stack.pop()
        out[at] = f"line {node.start_mark.line + 1}"
        if isinstance(node, yaml.MappingNode):
            stack.extend(((value, (*at, key.value)) for key, value in node.value if isinstance(key.value, str)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*at, position)) for position, item in enumerate(node.value))
