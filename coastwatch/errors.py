"""Exceptions raised by coastwatch.

Every error a user can cause by bad input or bad configuration is a
:class:`CoastwatchError`; the CLI turns these into a one-line message and a
non-zero exit code, without a traceback.
"""

from __future__ import annotations

import os

__all__ = ["CoastwatchError", "ConfigError", "InputError"]


class CoastwatchError(Exception):
    """Base class of every error coastwatch raises on purpose."""


class InputError(CoastwatchError):
    """A track file (or table) that cannot be read as asked.

    Parameters
    ----------
    path : str or os.PathLike or None
        The file at fault, or None for an in-memory table.
    problem : str
        What is wrong, in plain words, without a trailing full stop.
    line : int, optional
        1-based line (or row) number where the problem was found.
    """

    def __init__(
        self, path: str | os.PathLike | None, problem: str, line: int | None = None
    ):
        self.path = None if path is None else os.fspath(path)
        self.problem = problem
        self.line = line
        where = self.path if self.path is not None else "<table>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {problem}")


class ConfigError(CoastwatchError):
    """An invalid configuration file, profile name or threshold value."""
