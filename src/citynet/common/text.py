"""Small text helpers shared by every stage."""

from __future__ import annotations

ONE_LINE_LIMIT = 300  # characters of an error message kept in a one-line report


def one_line(error: object, limit: int = ONE_LINE_LIMIT) -> str:
    """An error (or any object) as one line of at most ``limit`` characters.

    Library errors often carry a multi-line message, sometimes in a ``message``
    attribute (rdflib's, pySHACL's); a report line must stay one line.
    """
    text = " ".join(str(getattr(error, "message", None) or error).split())
    return text[:limit]


__all__ = ["ONE_LINE_LIMIT", "one_line"]
