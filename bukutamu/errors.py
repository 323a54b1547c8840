"""Errors a user can act on. Their messages are Indonesian and say what to do.

Anything else that escapes is a bug and may show a traceback.
"""


class BukutamuError(Exception):
    """Base: a problem the user can fix; the CLI prints the message, no traceback."""

    exit_code = 1


class ConfigError(BukutamuError):
    """A bad or missing setting, found at start before any work is done."""

    exit_code = 2


class SchemaError(BukutamuError):
    """A required tab or header is missing or duplicated: the cycle writes nothing."""


class StoreError(BukutamuError):
    """The store could not be read or written (after retries)."""


class StoreBusy(BukutamuError):
    """Another poller holds the single-writer lock."""

    exit_code = 75  # EX_TEMPFAIL
