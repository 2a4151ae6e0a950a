"""The wheel ships ontology/, shapes/ and queries/, and an installed citynet finds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from hatchling.builders.wheel import WheelBuilder

    out = tmp_path_factory.mktemp("dist")
    (built,) = WheelBuilder(str(ROOT)).build(directory=str(out), versions=["standard"])
    return Path(built)


def test_wheel_holds_the_resources(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "citynet/ontology/citynet.ttl",
        "citynet/shapes/citynet.ttl",
        "citynet/resources/countries-110m.json",
        "citynet/resources/README.md",
    } | {f"citynet/queries/{p.name}" for p in (ROOT / "queries").glob("*.rq")}
    assert expected <= names
    assert "citynet/cli.py" in names
    entry_points = zipfile.ZipFile(wheel).read("citynet-0.1.0.dist-info/entry_points.txt")
    assert b"citynet = citynet.cli:main" in entry_points


def test_installed_wheel_finds_its_resources(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import citynet.common.resources as r, citynet.sparql.queries as q;"
        "print(r.resource_dir('shapes'));"
        "print(len(q.list_queries()))"
    )
    # -I ignores PYTHONPATH and user site; the extracted wheel goes first on sys.path.
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {code}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    shapes_dir, count = result.stdout.split()
    assert Path(shapes_dir) == site / "citynet" / "shapes"
    assert int(count) == len(list((ROOT / "queries").glob("*.rq")))


def test_the_version_is_the_one_pyproject_declares() -> None:
    import tomllib

    import citynet

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert citynet.__version__ == declared["project"]["version"]
