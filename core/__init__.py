"""pynetsuite: drop-in clones of the classic Linux network tools, as a pluggy plugin host.

The import package maps the repository's ``core/`` folder; built-in tools live in
``pynetsuite.plugins.<tool>`` (the ``plugins/`` folder). See docs/architecture.md.
"""

__version__ = "0.1.0"


def hookimpl(function=None, *, wrapper=False, hookwrapper=False, optionalhook=False,
             tryfirst=False, trylast=False, specname=None):
    """Mark a function as an implementation of a pynetsuite hook.

    Identical in effect to ``pluggy.HookimplMarker("pynetsuite")`` (it sets the same
    ``pynetsuite_impl`` attribute pluggy reads at registration) but does not import pluggy, so a
    plugin's registration module stays cheap to import.
    """

    def mark(func):
        func.pynetsuite_impl = {
            "wrapper": wrapper, "hookwrapper": hookwrapper, "optionalhook": optionalhook,
            "tryfirst": tryfirst, "trylast": trylast, "specname": specname,
        }
        return func

    return mark if function is None else mark(function)
