"""Build: the package, with the code every record goes through compiled by mypyc.

Project metadata lives in pyproject.toml; this file only adds the compiled modules. The modules
in HOT are compiled to C extensions by mypyc (part of mypy, a build requirement) — about a
quarter fewer instructions per record; their source ships too. The build falls back to plain
Python, with the same behaviour, when COMPLIANCE_PURE=1 is set (quick edit-and-test cycles
with an editable install), when mypyc is missing or refuses the code, or when there is no C
compiler (the extensions are optional).
"""

from __future__ import annotations

import os
import sys

from setuptools import Extension, setup

HOT = ("lines", "engine", "findings", "messages", "periods", "serialise", "parallel")

# mypyc type-checks only to compile: no project config (its pydantic plugin and strictness
# are for the test suite), and third-party packages missing from the build environment are Any.
MYPYC_FLAGS = ("--config-file=", "--ignore-missing-imports", "--follow-imports=silent")


def compiled_modules() -> list[Extension]:
    """The mypyc extensions, or none (a pure-Python build)."""
    if os.environ.get("COMPLIANCE_PURE"):
        return []
    try:
        from mypyc.build import mypycify  # noqa: PLC0415 (only when building)

        extensions = mypycify(
            [*MYPYC_FLAGS, *(f"src/compliance/{name}.py" for name in HOT)],
            opt_level="3",
            # their shared library inside the package (compliance/_hot__mypyc…), not a top-level
            # module named by a hash, which an editable install would not find
            group_name="compliance._hot",
        )
    except (Exception, SystemExit) as exc:  # whatever the failure: a pure-Python build
        print(f"compliance: building without compiled modules ({exc!r})", file=sys.stderr)
        return []
    for extension in extensions:
        extension.optional = True  # no C compiler: the plain-Python modules are used
    return extensions


setup(ext_modules=compiled_modules())
