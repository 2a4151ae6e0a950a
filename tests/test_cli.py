"""The command line's rules (docs/cli.md), checked on every command's click parameters so
that a new command cannot break them, and the behaviours they promise."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import citynet
from citynet.cli import OUTPUT_FORMATS, cli
from citynet.graph.formats import FORMATS
from citynet.sparql.results import RESULT_FORMATS

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = sorted(cli.commands.items())
NONE = (None, getattr(click.core, "UNSET", None))  # no default (click 8.3 has a sentinel)


def invoke(*args: object, input: bytes | str | None = None, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, env=env)


def options(command: click.Command) -> list[click.Option]:
    return [p for p in command.params if isinstance(p, click.Option)]


def root() -> click.Context:
    """The group's context as `citynet` makes it (its settings: -h, defaults shown)."""
    return click.Context(cli, info_name="citynet", **cli.context_settings)


def context(name: str, command: click.Command) -> click.Context:
    return click.Context(command, info_name=name, parent=root())


# The rules, on every command -------------------------------------------------------------------


@pytest.mark.parametrize(("name", "command"), COMMANDS)
def test_every_command_has_quiet_verbose_and_help(name: str, command: click.Command) -> None:
    flags = {tuple(p.opts): p for p in options(command)}
    assert ("-q", "--quiet") in flags and ("-v", "--verbose") in flags, name
    assert invoke(name, "-h").output == invoke(name, "--help").output
    assert invoke(name, "-h").output.startswith("Usage: ")


@pytest.mark.parametrize(("name", "command"), COMMANDS)
def test_every_default_is_shown_in_help(name: str, command: click.Command) -> None:
    ctx = context(name, command)
    for option in options(command):
        if option.hidden or option.is_flag or option.multiple or option.get_default(ctx) in NONE:
            continue
        record = option.get_help_record(ctx)
        assert record is not None and "default:" in record[1], (name, option.name)


@pytest.mark.parametrize(("name", "command"), COMMANDS)
def test_every_format_option_takes_whole_tables(name: str, command: click.Command) -> None:
    for option in options(command):
        if option.name != "fmt":
            continue
        choices = list(option.type.choices)  # type: ignore[attr-defined]
        kinds = [kind for kind, table in OUTPUT_FORMATS.items() if set(table) <= set(choices)]
        assert choices == [f for kind in kinds for f in OUTPUT_FORMATS[kind]], (name, choices)
    assert OUTPUT_FORMATS["rdf"] == tuple(f.name for f in FORMATS)
    assert OUTPUT_FORMATS["results"] == RESULT_FORMATS


@pytest.mark.parametrize(("name", "command"), COMMANDS)
def test_a_command_reading_a_graph_reads_it_the_same_way(name: str, command: click.Command) -> None:
    """A graph is GRAPH... ('-': standard input), its standard input format --input-format
    from the formats table, N-Quads unless given; a file parameter accepts '-' too."""
    by_name = {p.name: p for p in command.params}
    graph = by_name.get("graph")
    if graph is not None:
        assert isinstance(graph, click.Argument) and graph.nargs == -1, name
        assert graph.human_readable_name == "[GRAPH]...", name
        fmt = by_name["input_format"]
        assert list(fmt.type.choices) == [f.name for f in FORMATS]  # type: ignore[attr-defined]
        assert fmt.default == "nquads"
    for param in command.params:
        kind = param.type
        if isinstance(kind, click.Path) and not kind.dir_okay and kind.file_okay:
            assert kind.allow_dash, (name, param.name)


def test_one_option_name_one_kind_of_value_across_commands() -> None:
    seen: dict[str, tuple[str, str]] = {}
    for name, command in COMMANDS:
        for option in options(command):
            if option.hidden:
                # A hidden option is only an old spelling, and says so when used.
                assert option.deprecated, (name, option.opts)
                continue
            for opt in option.opts:
                kind = "flag" if option.is_flag else type(option.type).__name__
                first = seen.setdefault(opt, (kind, name))
                assert first[0] == kind, (opt, name, first)


def example_lines(command: click.Command) -> list[str]:
    help_text = command.help or ""
    assert re.search(r"^\s*Examples?:$", help_text, re.M), command.name
    block = help_text.split("Example", 1)[1].splitlines()[1:]
    return [line.strip() for line in block if line.strip()]


@pytest.mark.parametrize(("name", "command"), COMMANDS)
def test_every_help_has_an_example_that_parses(name: str, command: click.Command) -> None:
    """Every `citynet ...` in a help's examples parses as given (options, choices, types)."""
    calls = 0
    for line in example_lines(command):
        for part in re.split(r"&&|\|", line):
            words = shlex.split(part)
            if words[:1] != ["citynet"]:
                continue
            sub = cli.commands[words[1]]
            ctx = sub.make_context(words[1], words[2:], parent=root())
            assert ctx.params is not None
            calls += words[1] == name
    assert calls, f"{name}: no example of the command itself"


# Standard input, formats and the old spellings ------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    citynet.build(ROOT / "data" / "pages", out=out)
    return out


SUFFIX = {f.name: f.suffix for f in FORMATS}


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_one_query_answers_byte_for_byte_the_same_on_every_form_and_on_stdin(
    built: Path, engine: str
) -> None:
    """Every form of one build, as a file and on standard input (--input-format), gives
    the same csv (IRIs included), on both engines; the older --data spelling too."""
    args = ["--param", "city=Liège", "--format", "csv", "--engine", engine]
    answers = {}
    for form in ("trig", "nquads", "turtle", "ntriples", "jsonld"):
        path = built / f"citynet{SUFFIX[form]}"
        answers[form] = invoke("query", "shared-projects", path, *args).output
        piped = invoke("query", "shared-projects", "-", "--input-format", form, *args,
                       input=path.read_bytes())  # fmt: skip
        assert piped.exit_code == 0, piped.output
        assert piped.output == answers[form], form
    answers["--data"] = invoke(
        "query", "shared-projects", "--data", built / "citynet.nq", *args
    ).output
    assert len(set(answers.values())) == 1, answers
    assert (
        "Charleroi" in answers["trig"]
        and "https://w3id.org/citynet/city/be/liege" in answers["trig"]
    )


def test_standard_input_is_nquads_unless_told_and_errors_say_stdin(built: Path) -> None:
    trig = (built / "citynet.trig").read_bytes()
    result = invoke("query", "stats", "-", input=trig)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: <stdin>:") and "not valid nquads" in result.stderr
    assert "--input-format names another" in result.stderr
    assert invoke("query", "stats", "-", "--input-format", "trig", input=trig).exit_code == 0
    empty = invoke("validate", "-", input=b"")
    assert (empty.exit_code, empty.stderr) == (2, "error: <stdin>: empty input\n")


def test_a_query_from_standard_input_or_any_file(built: Path, tmp_path: Path) -> None:
    text = "SELECT (COUNT(DISTINCT ?g) AS ?graphs) { GRAPH ?g { ?s ?p ?o } }\n"
    piped = invoke("query", "-", built / "citynet.trig", "--format", "csv", input=text)
    assert piped.exit_code == 0, piped.output
    assert piped.output.splitlines() == ["graphs", "18"]  # one graph per page
    saved = tmp_path / "graphs.sparql"  # any name: a file that exists is a query file
    saved.write_text(text, encoding="utf-8")
    assert invoke("query", saved, built / "citynet.trig", "--format", "csv").output == piped.output
    both = invoke("query", "-", "-", input=text)
    assert both.exit_code == 2 and "standard input is read once" in both.stderr
    broken = invoke("query", "-", built / "citynet.trig", input="SELECT { oops")
    assert broken.exit_code == 2 and broken.stderr.startswith("error: <stdin>:1:")


def test_validate_reads_shapes_from_standard_input(built: Path) -> None:
    shapes = (ROOT / "shapes" / "citynet.ttl").read_bytes()
    result = invoke("validate", built / "citynet.trig", "--shapes", "-", "-q", input=shapes)
    assert (result.exit_code, result.output) == (
        0,
        "conforms: 0 violations, 11 warnings, 0 infos\n",
    )


def test_build_store_is_the_old_spelling_of_store_dir(tmp_path: Path) -> None:
    page = ROOT / "data" / "pages" / "liege.txt"
    result = invoke("build", page, "--out", tmp_path / "out", "--store", tmp_path / "store",
                    "--no-validate", "-q", "--workers", "1")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        "--store" in result.stderr
        and "deprecated" in result.stderr
        and "--store-dir" in result.stderr
    )
    assert (tmp_path / "store").is_dir()
    assert "--store-dir" in invoke("build", "-h").output
    assert "--store " not in invoke("build", "-h").output


# Exit codes and conformance --------------------------------------------------------------------


def test_conforms_is_one_answer_and_fail_on_sets_the_exit_code(built: Path) -> None:
    graph = built / "citynet.trig"
    text = invoke("validate", graph, "-q")
    as_json = invoke("validate", graph, "--format", "json")
    turtle = invoke("validate", graph, "--format", "turtle")
    assert text.output == "conforms: 0 violations, 11 warnings, 0 infos\n"
    assert json.loads(as_json.output)["conforms"] is True
    assert re.search(r"sh:conforms true", turtle.output)
    assert {text.exit_code, as_json.exit_code, turtle.exit_code} == {0}
    assert invoke("validate", graph, "--fail-on", "warning", "-q").exit_code == 1
    assert invoke("validate", graph, "--fail-on", "info", "-q").exit_code == 1
    assert invoke("validate", graph, "--fail-on", "violation", "-q").exit_code == 0
    for form in ("trig", "nquads", "jsonld"):  # the report graph in any RDF format
        assert invoke("validate", graph, "--format", form).exit_code == 0, form


def test_verbose_says_what_was_read_and_how_long_it_took(built: Path) -> None:
    result = invoke("validate", built / "citynet.nq", "-v")
    assert f"note: reading {built / 'citynet.nq'}" in result.stderr
    assert re.search(r"^note: done in \d+\.\d\d s$", result.stderr, re.M)


# What a person reads ---------------------------------------------------------------------------


def test_the_table_fits_the_terminal_and_hides_iri_columns(built: Path) -> None:
    args = ["query", "shared-projects", built / "citynet.trig", "--param", "city=Liège"]
    narrow = invoke(*args, env={"COLUMNS": "60"})
    lines = narrow.output.splitlines()
    assert all(len(line) <= 60 for line in lines[:-1]), lines
    assert any(line.rstrip(" │").endswith("…") for line in lines)  # long labels are cut
    assert "https://" not in narrow.output
    assert lines[-1] == "5 rows; IRI columns hidden (city_iri, other_city_iri): --iris shows them"
    with_iris = invoke(*args, "--iris", env={"COLUMNS": "60"}).output
    assert "https://w3id.org/citynet/city/be/charleroi" in with_iris  # whole, never cut
    assert with_iris.splitlines()[-1] == "5 rows"
    wide = invoke(*args, env={"COLUMNS": "400"}).output
    assert "…" not in wide and "SecuCities Football : Euro 2000 cities against racism" in wide
    as_csv = invoke(*args, "--format", "csv", env={"COLUMNS": "60"}).output
    assert as_csv.splitlines()[0] == "city,other_city,shared,projects,city_iri,other_city_iri"


def demo_commands() -> list[list[str]]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^demo:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe is not None
    return [shlex.split(line.strip()) for line in recipe.group(1).splitlines()]


def test_make_demo_shows_its_answer_after_at_most_30_lines(tmp_path: Path) -> None:
    (tmp_path / "data").symlink_to(ROOT / "data")
    printed: list[str] = []
    for command in demo_commands():
        printed.append(shlex.join(command))  # make echoes each command
        assert command[0] == "$(BIN)/citynet", command
        run = subprocess.run(
            [sys.executable, "-m", "citynet", *command[1:]],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env={**os.environ, "COLUMNS": "100", "PYTHONPATH": str(ROOT / "src")},
            timeout=600,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        printed += run.stderr.splitlines() + run.stdout.splitlines()
    top = next(i for i, line in enumerate(printed) if line.startswith("┏"))
    assert top <= 30, printed[:top]
    answer = "\n".join(printed[top:])
    assert "Charleroi" in answer and answer.endswith("--iris shows them")


def test_dash_o_is_out_wherever_there_is_an_out(tmp_path: Path) -> None:
    from citynet.cli import cli as group

    outs = [
        (name, param.opts)
        for name, command in group.commands.items()
        for param in command.params
        if "--out" in param.opts
    ]
    assert len(outs) >= 4 and all(opts == ["-o", "--out"] for _name, opts in outs), outs
    page = ROOT / "data" / "pages" / "liege.txt"
    result = invoke("build", page, "-o", tmp_path / "short", "--no-validate", "-q")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "short" / "citynet.trig").is_file()
