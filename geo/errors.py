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


class VintageAmbiguityError(MatchError):
    """A table's names match communes of both registers equally well: which one is a choice.

    Attributes
    ----------
    matched
        Vintage (``2025``, ``legacy``) → rows that match a commune of that register.
    """

    def __init__(self, message: str, matched: dict[str, int]) -> None:
        super().__init__(message)
        self.matched = matched
