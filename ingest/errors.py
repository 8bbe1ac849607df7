"""The one error a draft raises on input it cannot use."""

from __future__ import annotations


class DraftError(ValueError):
    """The document cannot be drafted; the message (Vietnamese) says what and where."""
