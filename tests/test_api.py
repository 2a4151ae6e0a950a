"""The public API (docs/api.md): its examples run as written, and the API and the command
line give the same answers."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import citynet
from citynet.cli import cli

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "api.md"


def examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


@pytest.mark.parametrize("number", range(4))
def test_the_documented_examples_run(number: int, tmp_path: Path) -> None:
    """Each example in docs/api.md, run from a copy of the repository's pages."""
    code = examples()[number]
    (tmp_path / "data").symlink_to(ROOT / "data")
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip(), "every example prints what it found"


def test_docs_hold_four_examples() -> None:
    assert len(examples()) == 4


@pytest.fixture(scope="module")
def built() -> citynet.graph.outputs.BuildResult:  # type: ignore[name-defined]
    return citynet.build(ROOT / "data" / "pages")


def test_build_in_memory_writes_nothing(built, tmp_path: Path) -> None:
    assert built.files == {}
    assert built.counts["pages"] == 18
    assert len(built.quads) >= built.counts["triples"] > 4000
    assert not (tmp_path / "build").exists()


def test_validate_and_the_cli_agree(built, tmp_path: Path) -> None:
    report = citynet.validate(built)
    out = tmp_path / "build"
    citynet.build(ROOT / "data" / "pages", out=out)
    cli_run = CliRunner().invoke(cli, ["validate", "--format", "json", str(out / "citynet.trig")])
    payload = json.loads(cli_run.output)
    assert report.conforms is True and payload["conforms"] is True
    assert report.counts == {"Violation": 0, "Warning": 11, "Info": 0}
    assert len(payload["results"]) == len(report.results) == 11


def test_validate_reports_its_progress_on_several_workers(built) -> None:
    calls: list[tuple[int, int]] = []
    report = citynet.validate(built, workers=2, progress=lambda *call: calls.append(call))
    tasks = calls[-1][1]
    assert tasks >= 2 and calls == [(done, tasks) for done in range(1, tasks + 1)]
    one = citynet.validate(built, workers=1)
    assert sorted(map(str, report.results)) == sorted(map(str, one.results))


def test_query_rows_are_plain_python(built) -> None:
    rows = citynet.query("shared-projects", built, city="Liège")
    partners = {row["other_city"]: row["shared"] for row in rows}
    assert partners["Charleroi"] == 3
    assert all(isinstance(row["city_iri"], str) for row in rows)
    assert {row["city"] for row in rows} == {"Liège"}


def test_query_on_a_file_equals_query_on_the_result(built, tmp_path: Path) -> None:
    citynet.build(ROOT / "data" / "pages", out=tmp_path)
    for name in ("citynet.trig", "citynet.nq"):
        assert citynet.query("shared-projects", tmp_path / name, city="Liège") == (
            citynet.query("shared-projects", built, city="Liège")
        )


def test_an_ask_query_gives_one_answer_row(tmp_path: Path, built) -> None:
    ask = tmp_path / "any-city.rq"
    ask.write_text(
        "# title: Any city\n"
        "PREFIX cn: <https://w3id.org/citynet/ontology#>\n"
        "ASK { GRAPH ?g { ?c a cn:City } }\n",
        encoding="utf-8",
    )
    assert citynet.query(str(ask), built) == [{"answer": True}]


def test_bad_input_is_an_input_error_with_an_exit_code() -> None:
    with pytest.raises(citynet.InputError) as caught:
        citynet.build("no/such/folder")
    assert "no/such/folder" in caught.value.message
    assert caught.value.exit_code == citynet.ExitCode.USAGE


def test_the_package_is_typed() -> None:
    assert (Path(citynet.__file__).parent / "py.typed").is_file()


@pytest.mark.parametrize("command", [[], ["build"], ["validate"], ["query"], ["fetch"]])
def test_dash_h_is_help_everywhere(command: list[str]) -> None:
    short = CliRunner().invoke(cli, [*command, "-h"])
    long = CliRunner().invoke(cli, [*command, "--help"])
    assert short.exit_code == 0 and short.output.startswith("Usage: ")
    assert short.output == long.output


def test_shell_completion_scripts_are_generated() -> None:
    """README's completion lines: click writes a script for each shell."""
    for shell, marker in (("bash", "_citynet_completion()"), ("zsh", "#compdef citynet")):
        run = subprocess.run(
            [str(Path(sys.executable).parent / "citynet")],
            env={**os.environ, "_CITYNET_COMPLETE": f"{shell}_source"},
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 0 and marker in run.stdout


FORMS = ("trig", "nq", "ttl", "nt", "jsonld")
CROSS_FORM = [("shared-projects", {"city": "Liège"}), ("city-twins", {"city": "Lüttich"})]


@pytest.fixture(scope="module")
def built_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    citynet.build(ROOT / "data" / "pages", out=out)
    return out


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_every_form_of_one_build_answers_the_same(built_files: Path, engine: str) -> None:
    """JSON-LD, Turtle and N-Triples (the merged graph) land in one graph named after the
    file; TriG and N-Quads keep a graph per page: the queries about cities answer the same
    on all five, on both engines, and every named query answers the same within a kind."""
    for name, params in CROSS_FORM:
        answers = {
            form: citynet.query(name, built_files / f"citynet.{form}", engine=engine, **params)
            for form in FORMS
        }
        assert answers["trig"], name
        assert all(answer == answers["trig"] for answer in answers.values()), name
    merged = {
        form: citynet.query("stats", built_files / f"citynet.{form}", engine=engine)
        for form in ("ttl", "nt", "jsonld")
    }
    assert merged["ttl"] == merged["nt"] == merged["jsonld"]
    assert {row["item"]: row["count"] for row in merged["jsonld"]}["named graphs"] == 1
