"""Reading the project's YAML data files (rules, holidays) the same way everywhere.

Timestamps stay text so that every date goes through the one parser of SPEC §3.1: PyYAML would
otherwise turn `2023-02-30` into a crash and `2566-04-24` into the year 2566.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from compliance.errors import ConfigurationError

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


class _TextDateLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    """The safe loader without the timestamp resolver."""


_TextDateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml_file(path: Path, what: str) -> tuple[Any, str]:
    """Parse a UTF-8 YAML file; returns its data and sha256 digest, or a ConfigurationError
    naming the file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read {what} ({exc.strerror})") from None
    try:
        data = yaml.load(raw.decode("utf-8"), Loader=_TextDateLoader)
    except UnicodeDecodeError as exc:
        raise ConfigurationError(
            f"{path}: {what} is not valid UTF-8 (byte {exc.start + 1})"
        ) from None
    except yaml.YAMLError as exc:
        # Say where, not what: the file may be a records file given by mistake.
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise ConfigurationError(f"{path}: {what} is not valid YAML: {problem}{where}") from None
    return data, "sha256:" + hashlib.sha256(raw).hexdigest()
