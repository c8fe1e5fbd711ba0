"""Reading the project's YAML data files (rules, holidays, mappings, legal cases) the same way
everywhere, regular files only.

Timestamps stay text so that every date goes through the one parser of SPEC §3.1: PyYAML would
otherwise turn `2023-02-30` into a crash and `2566-04-24` into the year 2566.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from compliance.errors import ConfigurationError

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


class _TextDateLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    """The safe loader without the timestamp resolver, refusing a key given twice in one
    mapping (PyYAML would keep the last and drop the first without a word)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                repeated = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: the base class says so
                break
            if repeated:
                raise yaml.constructor.ConstructorError(
                    None, None, "a key appears twice in one mapping", key_node.start_mark
                )
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


_TextDateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|#x[0-9a-fA-F]+")


def _read_regular(path: Path, what: str) -> bytes:
    """The bytes of a regular file (a symlink to one is one). Anything else is refused: a
    FIFO named `a.yaml` in a rules folder would block the open, or the read, forever; a
    device could be endless. Opened non-blocking and checked on the open descriptor, so no
    name swapped in between can block either."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read {what} ({exc.strerror})") from None
    try:
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
    except OSError:
        regular = False
    if not regular:  # checked before Python wraps the descriptor: it refuses a directory itself
        os.close(fd)
        raise ConfigurationError(f"{path}: cannot read {what} (not a regular file)")
    with os.fdopen(fd, "rb") as handle:
        try:
            return handle.read()
        except OSError as exc:
            raise ConfigurationError(f"{path}: cannot read {what} ({exc.strerror})") from None


def load_yaml_file(path: Path, what: str) -> tuple[Any, str]:
    """Parse a UTF-8 YAML file; returns its data and sha256 digest, or a ConfigurationError
    naming the file and where in it the problem is — never what the file says there (it may
    be a records file given by mistake: no snippet, no tag, no value, no character)."""
    raw = _read_regular(path, what)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigurationError(
            f"{path}: {what} is not valid UTF-8 (byte {exc.start + 1})"
        ) from None
    try:
        data = yaml.load(text, Loader=_TextDateLoader)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise ConfigurationError(
            f"{path}: {what} is not valid YAML: a character YAML does not allow "
            f"at line {line}, column {column}"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = _QUOTED.sub("…", getattr(exc, "problem", None) or "syntax error")
        raise ConfigurationError(f"{path}: {what} is not valid YAML: {problem}{where}") from None
    except RecursionError:
        raise ConfigurationError(f"{path}: {what} is not usable: nested too deeply") from None
    return data, "sha256:" + hashlib.sha256(raw).hexdigest()


def load_mapping_with_list(
    path: Path, what: str, list_key: str, allowed: frozenset[str]
) -> dict[str, Any]:
    """A YAML file that is a mapping holding a list under `list_key` and no keys but
    `allowed` (rule files, legal case files); a ConfigurationError naming the file otherwise."""
    data, _ = load_yaml_file(path, what)
    if not isinstance(data, dict) or not isinstance(data.get(list_key), list):
        raise ConfigurationError(f"{path}: a {what} is a mapping with a list `{list_key}:`")
    extra = set(data) - allowed
    if extra:
        raise ConfigurationError(f"{path}: unknown top-level keys {sorted(map(str, extra))}")
    return data
