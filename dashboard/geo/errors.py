"""Errors the user can act on.

Raise :class:`InputError` with a one-line message a user understands; the CLI
prints ``error: <message>`` and exits 2, the app shows it with ``st.error``.
"""


class InputError(ValueError):
    """Bad user input (a file, a coordinate, a name), explained in one line."""
