"""bukutamu — guest-book automation for the SOP "Pengelolaan Tamu"."""

__version__ = "0.1.0"
