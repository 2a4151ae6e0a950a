"""The command line: thin click wrappers over the library. The only module importing click."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from citynet import __version__
from citynet.errors import CitynetError, ExitCode

EXIT_CODES_HELP = """\b
Exit codes:
  0  ok, or nothing changed
  1  data invalid (page errors under --strict, SHACL violations)
  2  usage or configuration error (bad option, unreadable input, broken shapes or query)
  3  endpoint or network failure
  4  publish aborted, store untouched"""


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn CitynetError into a one-line message and its exit code; traceback only with --debug."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        try:
            return func(*args, **kwargs)
        except CitynetError as error:
            if ctx.find_root().params.get("debug"):
                raise
            click.echo(f"error: {error}", err=True)
            sys.exit(int(error.exit_code))

    return wrapper


@click.group(epilog=EXIT_CODES_HELP)
@click.version_option(__version__, prog_name="citynet")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def cli(debug: bool) -> None:
    """Turn city-network profile pages into a linked-open-data knowledge graph.

    \b
    Example:
      citynet build && citynet query shared-projects --param city=Liège
    """


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)


__all__ = ["ExitCode", "cli", "handle_errors", "main"]
