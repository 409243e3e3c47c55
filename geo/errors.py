"""The project's error hierarchy: the library raises, the shells display."""

from __future__ import annotations


class CoverageError(ValueError):
    """Base class of every error the project raises on purpose."""


class InputError(CoverageError):
    """A file, table, column or value the user gave cannot be used as it is."""


class CRSError(CoverageError):
    """A coordinate reference system is missing, unknown or ambiguous."""


class MatchError(CoverageError):
    """Names or codes could not be matched to the register."""
