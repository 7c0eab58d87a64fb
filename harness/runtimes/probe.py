"""Describe the interpreter running this script as one JSON object on stdout.

Standard library only, and valid Python 3.6 syntax: gilbench probes every
interpreter it finds, old ones included. Run it with PYTHON_GIL unset so the
GIL state it reports is the build's default.
"""
import sys

# Read the GIL state before importing anything: an extension module that does
# not declare free-threading support would switch the GIL back on.
_is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
GIL_AT_START = _is_gil_enabled() if _is_gil_enabled is not None else None

import json  # noqa: E402
import platform  # noqa: E402
import sysconfig  # noqa: E402


def text_or_none(value):
    return value if isinstance(value, str) and value else None


def main():
    free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    git = getattr(sys, "_git", None) or ("", "", "")
    info = {
        "implementation": sys.implementation.name,
        "version": platform.python_version(),
        "freeThreaded": free_threaded,
        # A default build always runs with its GIL; a free-threaded one says so itself.
        "gilEnabledByDefault": GIL_AT_START if GIL_AT_START is not None else not free_threaded,
        "configureArgs": sysconfig.get_config_var("CONFIG_ARGS") or "",
        "compiler": platform.python_compiler(),
        "gitBranch": text_or_none(git[1]),
        "gitRevision": text_or_none(git[2]),
        "buildName": text_or_none(platform.python_build()[0]),
        "executable": sys.executable or "",
        # Where gilbench's marker file sits for builds it installed (a venv shares its base's).
        "basePrefix": getattr(sys, "base_prefix", sys.prefix),
    }
    sys.stdout.write(json.dumps(info))


main()
