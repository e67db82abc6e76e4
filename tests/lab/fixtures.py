"""pytest fixtures for the network lab (loaded by tests/conftest.py: pytest_plugins).

``lab``           session scope: the five-namespace lab (tests/lab/README.md), built on first use.
``scratch_netns`` function scope: one fresh empty namespace with lo up.
``clone_bin``     session scope: the directory of links made by ``pynetsuite --install``.

Teardown happens in the fixtures' finalizers (also after failures and Ctrl-C, which pytest turns
into a normal session end); SIGTERM is turned into KeyboardInterrupt for the same reason; an
atexit hook and pytest_unconfigure are the last safety net.
"""

import shutil

import pytest

from . import lab as labmod

NEEDED = ("ip", "iptables", "ip6tables", "iptables-restore", "ip6tables-restore", "sysctl",
          "setpriv", "named")


def _require_lab_tools(tools):
    from conftest import require, require_root

    require_root()
    for tool in tools:
        require(shutil.which(tool) is not None, f"the lab needs '{tool}' (see .ci/run)")


@pytest.fixture(scope="session")
def lab():
    _require_lab_tools(NEEDED)
    labmod.install_sigterm_handler()
    the_lab = labmod.Lab.build()
    try:
        yield the_lab
    finally:
        errors = the_lab.close()
        labmod.remove_clone_bin()
        labmod._unregister_session()
        if errors:
            raise labmod.LabError("lab teardown: " + "; ".join(errors))


@pytest.fixture(autouse=True)
def _lab_state_reset(request):
    """After each test that used the lab: switch back what it switched (silent router,
    sysctls such as ping_group_range), so one test's state never leaks into the next."""
    yield
    if "lab" in request.fixturenames:
        request.getfixturevalue("lab").reset()


@pytest.fixture
def scratch_netns():
    _require_lab_tools(("ip", "sysctl", "setpriv"))
    labmod.install_sigterm_handler()
    ns = labmod.ScratchNetns()
    try:
        yield ns
    finally:
        errors = ns.close()
        if errors:
            raise labmod.LabError("scratch_netns teardown: " + "; ".join(errors))


@pytest.fixture(scope="session")
def clone_bin():
    try:
        return labmod.clone_bin()
    except labmod.LabError as exc:
        pytest.fail(str(exc))


def pytest_unconfigure(config):
    labmod._close_all()
