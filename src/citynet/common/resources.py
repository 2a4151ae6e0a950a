"""Where the data folders that ship with citynet live: ontology/, shapes/, queries/.

In an installed wheel they are package data (``citynet/ontology`` ... see pyproject's
force-include); in a source checkout (editable install, tests) they are the repository's
top-level folders. Callers get a real directory either way.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from citynet.errors import InputError

RESOURCE_NAMES = ("ontology", "shapes", "queries")

# src/citynet/common/resources.py -> the repository root, four levels up.
_REPO_ROOT = Path(__file__).resolve().parents[3]


def resource_dir(name: str) -> Path:
    """The folder holding the shipped resource ``name`` (ontology, shapes or queries)."""
    if name not in RESOURCE_NAMES:
        raise ValueError(f"unknown resource {name!r}; expected one of {RESOURCE_NAMES}")
    packaged = resources.files("citynet") / name
    # Package data of a wheel installed from a file system is a plain directory; a zipped
    # install is not supported (we hand out Paths), which hatch wheels never are.
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    checkout = _REPO_ROOT / name
    if checkout.is_dir():
        return checkout
    raise InputError(
        f"citynet's {name}/ folder is missing",
        hint="reinstall citynet (pip install --force-reinstall citynet)",
    )


__all__ = ["RESOURCE_NAMES", "resource_dir"]
