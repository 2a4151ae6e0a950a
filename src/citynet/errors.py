"""Exit codes and the errors that carry them. One place, documented in the README."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # ok, or nothing changed
    INVALID_DATA = 1  # page errors under --strict, SHACL violations
    USAGE = 2  # bad option or parameter, broken shapes or query file, unreadable input
    ENDPOINT = 3  # endpoint or network failure
    PUBLISH_ABORTED = 4  # publish aborted, store untouched


class CitynetError(Exception):
    """An error a user can act on: one line, with where and what to do next."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InputError(CitynetError):
    """A file that is missing, unreadable or malformed (exit 2)."""

    exit_code = ExitCode.USAGE


class DataInvalid(CitynetError):
    """The data ran through but is invalid (exit 1)."""

    exit_code = ExitCode.INVALID_DATA


class EndpointError(CitynetError):
    """A SPARQL endpoint or store could not be used (exit 3)."""

    exit_code = ExitCode.ENDPOINT


class PublishAborted(CitynetError):
    """A publish stopped before touching production data (exit 4)."""

    exit_code = ExitCode.PUBLISH_ABORTED
