"""Shared test plumbing: requirement checks that skip for an ordinary user and fail in CI.

The network lab fixture (``lab``) lives in tests/lab/ and is built once per session.
"""

import os
import shutil

import pytest

IN_CI = bool(os.environ.get("CI"))


def require(condition, reason):
    """Skip the test when ``condition`` is false; in CI (``CI`` set) fail instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def require_root():
    require(os.geteuid() == 0, "needs root (network namespaces, raw sockets)")


def require_tool(name):
    """The Debian original ``name`` must be installed (CI installs them all)."""
    require(shutil.which(name) is not None, f"the original '{name}' is not installed")


pytest_plugins = ["lab.fixtures"]
