"""YAML plan files: values keep their line numbers."""

from __future__ import annotations

from typing import Any

import yaml

from storage.plan_file.errors import PlanFileError, PlanFileInvalid
from storage.plan_file.source import Path_, PlanSource


def read_yaml(file: str, content: bytes) -> PlanSource:
    try:
        text = content.decode("utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except UnicodeDecodeError as exc:
        raise PlanFileInvalid([PlanFileError(file, "file", "(file)", f"not UTF-8 text: {exc}")]) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        raise PlanFileInvalid([PlanFileError(file, where, "(syntax)", f"not valid YAML: {exc.problem}")]) from exc
    except yaml.YAMLError as exc:
        raise PlanFileInvalid([PlanFileError(file, "file", "(syntax)", f"not valid YAML: {exc}")]) from exc
    locations: dict[Path_, str] = {}
    if root is not None:
        _index(root, (), locations)
    return PlanSource(file=file, data=data, locations=locations)


def _index(node: yaml.Node, path: Path_, out: dict[Path_, str]) -> None:
    out[path] = f"line {node.start_mark.line + 1}"
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key: Any = key_node.value
            _index(value_node, (*path, key), out)
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            _index(item, (*path, position), out)
