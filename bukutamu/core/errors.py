"""Errors a user can act on that the pure core raises. Their messages are Indonesian
and say what to do. ``bukutamu.errors`` re-exports them with the adapters' errors."""


class BukutamuError(Exception):
    """Base: a problem the user can fix; the CLI prints the message, no traceback."""

    exit_code = 1


class ConfigError(BukutamuError):
    """A bad or missing setting, found at start before any work is done."""

    exit_code = 2


class SchemaError(BukutamuError):
    """A required tab or header is missing or duplicated: the cycle writes nothing."""
