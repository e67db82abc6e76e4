"""pynetsuite-hello: the sample third-party plugin (see docs/plugin-authoring.md).

``plugin`` holds the hook implementations and is imported at every start; ``command`` (the
``hello`` command), ``tally`` and ``csvformat`` are imported only when they are used.
"""
