from __future__ import annotations


class ConfigError(ValueError):
    """A setting has a value we cannot use; the message is one line naming the setting."""
