"""Errors a user can act on. Their messages are Indonesian and say what to do.

Anything else that escapes is a bug and may show a traceback.
"""


from bukutamu.core.errors import BukutamuError, ConfigError, SchemaError  # noqa: F401 - the core's errors


class StoreError(BukutamuError):
    """The store could not be read or written (after retries)."""


class StoreBusy(BukutamuError):
    """Another poller holds the single-writer lock."""

    exit_code = 75  # EX_TEMPFAIL
