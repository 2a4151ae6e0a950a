"""The command line: a thin click layer over the public API (citynet/__init__.py) and the
stages' modules. The only module importing click.

Every command follows the rules of docs/cli.md, which tests/test_cli.py checks on every
command's parameters: the graph read is ``GRAPH...`` ('-': standard input, read as
``--input-format``), ``--format`` takes its choices from one table per kind of output,
``-q``/``-v``/``-h`` everywhere, defaults shown in ``--help``, an example to paste.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any

import click

import citynet
from citynet.common.iris import DEFAULT_BASE_IRI
from citynet.errors import CitynetError, ExitCode, InputError
from citynet.settings import __version__

#: --format's choices, one table per kind of output. The names of the RDF formats and of
#: the result formats are those of citynet.graph.formats.FORMATS and
#: citynet.sparql.results.RESULT_FORMATS (a test checks): written out here because
#: importing those modules (rdflib, pyoxigraph) would slow every command and completion.
OUTPUT_FORMATS: dict[str, tuple[str, ...]] = {
    "report": ("text", "json"),  # a command's own report: for people, for programs
    "results": ("table", "csv", "tsv", "json", "markdown"),  # SPARQL results
    "rdf": ("trig", "nquads", "turtle", "ntriples", "jsonld", "rdfxml"),  # a graph
}
DEFAULT_GRAPH = Path("build/citynet.trig")
SHOWN_WARNINGS = 3  # build shows the most important ones; report.json has every warning
FOLDER = click.Path(path_type=Path, file_okay=False)
FILE = click.Path(path_type=Path, dir_okay=False, allow_dash=True)  # '-': standard in/out

EXIT_CODES_HELP = """\b
Exit codes:
  0  ok, or nothing changed
  1  data invalid (page errors under --strict, SHACL results at --fail-on's level)
  2  usage or configuration error (bad option, unreadable input, broken shapes or query)
  3  endpoint or network failure
  4  publish aborted, store untouched"""


@click.group(
    epilog=EXIT_CODES_HELP,
    context_settings={"help_option_names": ["-h", "--help"], "show_default": True},
)
@click.version_option(__version__, prog_name="citynet")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def cli(debug: bool) -> None:
    """Turn city-network profile pages into a linked-open-data knowledge graph.

    \b
    Example:
      citynet build && citynet query shared-projects --param city=Liège
    """


def _count(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta["verbosity"] = ctx.meta.get("verbosity", 0) + (1 if param.name == "v" else -1)


VERBOSITY: dict[str, Any] = {"is_flag": True, "expose_value": False, "callback": _count}


def verbosity() -> int:
    """-1 with -q, 1 with -v, else 0."""
    return int(click.get_current_context().meta.get("verbosity", 0))


def note(message: str) -> None:
    """What a person may want to know, on standard error with -v only."""
    if verbosity() > 0:
        click.echo(f"note: {message}", err=True)


def command(name: str | None = None) -> Callable[[Callable[..., Any]], click.Command]:
    """A citynet command: -q/-v, a CitynetError as one line and its exit code (after the
    traceback with --debug), and the time taken under -v."""

    def decorate(func: Callable[..., Any]) -> click.Command:
        @click.option("-v", "--verbose", "v", help="Also say what was read, how long.", **VERBOSITY)
        @click.option("-q", "--quiet", "q", help="Only the answer or summary, errors.", **VERBOSITY)
        @wraps(func)
        def run(*args: Any, **kwargs: Any) -> None:
            started = time.perf_counter()
            try:
                func(*args, **kwargs)
            except CitynetError as error:
                if click.get_current_context().find_root().params.get("debug"):
                    import traceback

                    traceback.print_exc()
                click.echo(f"error: {error}", err=True)
                sys.exit(int(error.exit_code))
            note(f"done in {time.perf_counter() - started:.2f} s")

        return cli.command(name)(run)

    return decorate


def format_option(*kinds: str, default: str = "text") -> Any:
    choices = [name for kind in kinds for name in OUTPUT_FORMATS[kind]]
    return click.option("--format", "fmt", type=click.Choice(choices), default=default)


def out_folder(default: str | None, what: str) -> Any:
    given = {"default": Path(default)} if default else {"required": True}
    return click.option("-o", "--out", type=FOLDER, help=what, **given)


def timeout_option(default: float, what: str) -> Any:
    seconds = click.FloatRange(min=0, min_open=True)
    return click.option("--timeout", type=seconds, default=default, metavar="S", help=what)


base_iri_option = click.option("--base-iri", default=DEFAULT_BASE_IRI, help="IRIs start here.")
max_bytes_option = click.option("--max-page-bytes", type=click.IntRange(min=1), default=10**7)
fail_on_option = click.option(
    "--fail-on",
    type=click.Choice(["violation", "warning", "info"]),
    default="violation",
    help="Exit 1 on a SHACL result this severe or worse.",
)


def graph_arguments(data_alias: bool = False) -> Callable[[Callable[..., Any]], Any]:
    """GRAPH... ('-': standard input) and --input-format; the command gets ``graphs``, the
    files (standard input spooled to one; empty when none is given)."""

    def decorate(func: Callable[..., Any]) -> Any:
        @click.argument("graph", nargs=-1, metavar="[GRAPH]...", type=FILE)
        @click.option(
            "--input-format",
            type=click.Choice(OUTPUT_FORMATS["rdf"]),
            default="nquads",
            help="Format of standard input (GRAPH '-').",
        )
        @wraps(func)
        def run(*args: Any, graph: tuple[Path, ...], input_format: str, **kwargs: Any) -> Any:
            given = (*graph, *kwargs.pop("data", ()))
            note(f"reading {', '.join(map(str, given or (DEFAULT_GRAPH,)))}")
            from citynet.graph.formats import BY_NAME

            hint = f"read as {input_format}; --input-format names another"
            with spooled(given, BY_NAME[input_format].suffix, hint) as files:
                return func(*args, graphs=files, **kwargs)

        if data_alias:
            click.option("--data", multiple=True, type=FILE, help="Same as GRAPH.")(run)
        return run

    return decorate


def read_stdin() -> bytes:
    """Standard input, which only one parameter may read ('-' given twice is an error)."""
    meta = click.get_current_context().meta
    if meta.get("stdin read"):
        raise click.UsageError("standard input is read once: give '-' to one parameter only")
    meta["stdin read"] = True
    return sys.stdin.buffer.read()


@contextmanager
def spooled(given: Sequence[Path], suffix: str, hint: str | None = None) -> Iterator[list[Path]]:
    """``given``, standard input ('-') spooled to a temporary file ending in ``suffix``
    (the loaders know a file's format by its suffix); errors then say <stdin>."""
    if not any(str(path) == "-" for path in given):
        yield list(given)
        return
    if len(given) > 1:
        raise click.UsageError("'-' (standard input) cannot be combined with other files")
    data = read_stdin()
    if not data.strip():
        raise InputError("<stdin>: empty input")
    with tempfile.TemporaryDirectory(prefix="citynet-stdin-") as folder:
        path = Path(folder) / f"stdin{suffix}"
        path.write_bytes(data)
        try:
            yield [path]
        except CitynetError as error:
            error.message = error.message.replace(str(path), "<stdin>")
            error.hint = error.hint or hint
            raise


def write_output(out: Path, text: str) -> None:
    """To standard output ('-') or atomically to a file."""
    if str(out) == "-":
        click.echo(text, nl=False)
        return
    from citynet.common.files import atomic_write_text

    try:
        atomic_write_text(out, text)
    except OSError as error:
        raise InputError(f"{out}: cannot write: {error.strerror}") from None


@contextmanager
def progress_bar(total: int | None, label: str, shown: bool = True) -> Iterator[Any]:
    """A rich progress bar and its task on standard error at a terminal, else None."""
    if not shown or verbosity() < 0 or not sys.stderr.isatty() or (total or 100) < 100:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        yield bar, bar.add_task(label, total=total)


@command()
@click.argument(
    "inputs", nargs=-1, metavar="[PAGES]...", type=click.Path(path_type=Path, allow_dash=True)
)
@out_folder("build", "Folder for citynet.trig, .nq, .ttl, .nt, .jsonld and report.json.")
@base_iri_option
@click.option("--city", help="The city of a page that does not name its own (a seed page).")
@click.option("--strict", is_flag=True, help="Any warning is an error (exit 1).")
@click.option("--no-validate", is_flag=True, help="Skip the SHACL validation at the end.")
@fail_on_option
@max_bytes_option
@format_option("report")
@click.option("--warnings", "every", type=click.Choice(["summary", "all"]), default="summary")
@click.option(
    "--stream", is_flag=True, help="On every core, in bounded memory (no .ttl/.nt/.jsonld)."
)
@click.option("--store-dir", type=FOLDER, help="Also keep an on-disk Oxigraph store here.")
@click.option("--store", type=FOLDER, hidden=True, deprecated="use --store-dir")
@click.option("--incremental", is_flag=True, help="With --store-dir: redo only what changed.")
@click.option("--workers", type=click.IntRange(min=1), help="Processes (implies --stream).")
@click.option("--decisions", type=FILE, help="A curator's decisions file.")
def build(inputs: tuple[Path, ...], fmt: str, strict: bool, **options: Any) -> None:
    """Build the graph from profile pages (files or folders; default: the bundled pages).

    --warnings summary prints the warnings' counts by kind and the three most important
    (report.json has them all); --warnings all (or -v) prints every one. --stream, and
    --store-dir or --workers which imply it, run on every core in bounded memory, for
    thousands of pages; they write .trig, .nq and report.json, not the merged
    .ttl/.nt/.jsonld (they need every triple in memory at once). A decisions.toml
    beside the pages is read unless --decisions names another file.

    \b
    Examples:
      citynet build
      citynet build data/pages --out public/ --base-iri https://data.example.org/
      citynet build seed.txt --city Liège --strict
      citynet build all-pages/ --stream --no-validate
      citynet build all-pages/ --store-dir graph-store/ --incremental
    """
    from citynet.graph.build import collect_inputs, default_pages_dir

    fail_on, every, out = options.pop("fail_on"), options.pop("every"), options["out"]
    options["store"] = options.pop("store_dir") or options["store"]
    checked = not options.pop("no_validate")
    files = collect_inputs(list(inputs) or [default_pages_dir()])
    with progress_bar(2 * len(files), "building", fmt == "text") as bar:
        tick = (lambda _item: bar[0].advance(bar[1])) if bar else None
        if "-" in map(str, files):  # the pages read it
            click.get_current_context().meta["stdin read"] = True
        decisions = options.pop("decisions")
        with spooled([decisions] if decisions else [], ".toml") as given:
            result = citynet.build(
                files, progress=tick, decisions=next(iter(given), None), **options
            )
    report = citynet.validate(result) if checked and result.counts["triples"] else None
    if fmt == "json":
        payload = {
            "counts": result.counts,
            "files": {name: str(path) for name, path in result.files.items()},
            "errors": result.errors,
            "conforms": report.conforms if report else None,
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        _print_build(result, out, every == "all" or verbosity() > 0, report)
    if strict and result.counts["warnings"]:
        click.echo(f"--strict: {result.counts['warnings']} warnings", err=True)
    if result.errors or (strict and result.counts["warnings"]) or _fails(report, fail_on):
        sys.exit(int(ExitCode.INVALID_DATA))


def _print_build(result: Any, out: Path, every: bool, report: Any) -> None:
    """The build's warnings (a summary, or every one), errors and summary lines."""
    if verbosity() >= 0:
        _print_warnings(result, out, every)
    for error in result.errors:  # even with --quiet: exit 1 always says why
        click.echo(f"error: {error}", err=True)
    c = result.counts
    empty = c.get("empty", 0)
    empty_text = f", {empty} empty page{'s' if empty > 1 else ''}" if empty else ""
    click.echo(
        f"{c['pages']} pages: {c['cities'] + c.get('regions', 0)} cities, "
        f"{c['twinnings']} twinnings, {c['projects']} projects, {c['events']} events, "
        f"{c['participations']} participations, {c['triples']} triples, "
        f"{c['warnings']} warnings{empty_text} -> {out}/"
    )
    if report is not None:
        click.echo(f"validation: {report.summary()}")


def _print_warnings(result: Any, out: Path, every: bool) -> None:
    curator = getattr(result.resolution, "curator", None)
    own = list(curator.warnings) if curator else []
    found = own + [w for page in result.pages for w in page.warnings]
    if every or not found:
        for warning in found:
            click.echo(f"warning: {warning}", err=True)
        return
    kinds = Counter(w.code for w in found)
    # Most important first: those on the curator's own decisions file, then one of each
    # kind, the rarest first (a kind seen once is likelier a real mistake than one on
    # every page, which is usually how the pages are written).
    first: dict[str, Any] = {}
    for warning in found:
        first.setdefault(warning.code, warning)
    ranked = dict.fromkeys([*own, *sorted(first.values(), key=lambda w: kinds[w.code])])
    by_kind = ", ".join(f"{count} {kind}" for kind, count in kinds.most_common())
    click.echo(f"{len(found)} warnings by kind: {by_kind}", err=True)
    for warning in list(ranked)[:SHOWN_WARNINGS]:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{out}/report.json has all (--warnings all lists them here)", err=True)


@command()
@click.argument("build_dir", default=Path("build"), type=FOLDER)
@format_option("report")
def review(build_dir: Path, fmt: str) -> None:
    """The open questions of a build, most consequential first, each with the TOML to
    paste into the pages' decisions.toml to settle it.

    \b
    Example:
      citynet build && citynet review build/
    """
    from citynet.resolve.review import open_questions

    report = build_dir / "report.json"
    try:
        resolution = json.loads(report.read_text(encoding="utf-8")).get("resolution") or {}
    except OSError as error:
        why = f"{report}: cannot read the build's report: {error.strerror}"
        raise InputError(why, hint="run `citynet build` first") from None
    except ValueError as error:
        raise InputError(f"{report}: not a build report: {error}") from None
    questions = open_questions(resolution)
    if fmt == "json":
        click.echo(json.dumps([q.as_json() for q in questions], indent=2, ensure_ascii=False))
        return
    for question in questions if verbosity() >= 0 else ():
        click.echo(question.as_text())
    click.echo(f"{len(questions)} open question{'' if len(questions) == 1 else 's'}")


@command()
@click.argument("urls", nargs=-1, required=True, metavar="URL...")
@out_folder("pages", "Folder for the pages (one <slug>.html each) and fetch-log.json.")
@click.option("--delay", type=click.FloatRange(min=0), default=1.0, help="Seconds per host.")
@click.option("--match", metavar="REGEX", help="Profile pages are URLs whose path matches.")
@click.option("--max-pages", type=click.IntRange(min=0), help="Fetch at most N profile pages.")
@click.option("--user-agent", metavar="TEXT", help="Replace the User-Agent header entirely.")
@click.option("--contact", metavar="URL", envvar="CITYNET_CONTACT", show_envvar=True)
@max_bytes_option
@timeout_option(30.0, "Seconds to wait for a server to connect or send.")
def fetch(
    urls: tuple[str, ...], contact: str | None, user_agent: str | None, **options: Any
) -> None:
    """Fetch the network's profile pages from its web site into a folder, for `build`.

    URL is a sitemap (or sitemap index, gzipped or not), a page linking to profiles
    (followed one level) or a profile. robots.txt is obeyed (--delay is never shorter than
    its Crawl-delay); a second run asks only for what changed, and an interrupted run
    resumes where it stopped. --contact (where the site can reach you) goes in the
    User-Agent.

    \b
    Example:
      citynet fetch https://efus.eu/sitemap_index.xml --out pages/ && citynet build pages/
    """
    from citynet.fetch import crawl

    agent = user_agent or crawl.user_agent(contact)
    level = verbosity()  # the hooks may run on other threads, without click's context
    hooks = crawl.Hooks(warn=lambda text: level >= 0 and click.echo(f"warning: {text}", err=True))
    if level > 0:
        hooks.page = lambda url, outcome: click.echo(f"note: {outcome}: {url}", err=True)
    with progress_bar(None, "fetching") as bar:
        if bar is not None:
            hooks.total = lambda n: bar[0].update(bar[1], total=n)
            hooks.page = lambda _url, _outcome: bar[0].advance(bar[1])
            hooks.warn = lambda text: bar[0].console.print(f"warning: {text}", markup=False)
        summary = crawl.fetch_pages(urls, crawl.FetchOptions(user_agent=agent, **options), hooks)
    click.echo(summary.line())
    for outcome in ("gone", "refused", "disallowed", "offsite", "failed"):
        for url in summary.by_outcome.get(outcome, [])[: 50 if level >= 0 else 0]:
            click.echo(f"  {outcome}: {url}")
    if summary.count("failed"):
        log = options["out"] / "fetch-log.json"
        failed = crawl.pages(summary.count("failed"))
        click.echo(
            f"error: {failed} failed (see {log}); run the same command again to resume", err=True
        )
        sys.exit(int(ExitCode.ENDPOINT))


@command("import-twins")
@click.argument(
    "folder", required=False, type=click.Path(path_type=Path, file_okay=False, exists=True)
)
@out_folder("build", "Folder for wikidata-twins.trig and wikidata-twins-report.json.")
@base_iri_option
def import_twins(folder: Path | None, out: Path, base_iri: str) -> None:
    """Add Wikidata's twin-town claims (FOLDER: names.tsv + relations.tsv; default:
    ../shared/twin-towns/L3viathan-sister-cities, or $CITYNET_SHARED/twin-towns/...).

    \b
    Example:
      citynet build && citynet import-twins
      citynet query twin-check build/citynet.trig build/wikidata-twins.trig
    """
    from citynet.graph.twins import import_twins as run_import

    result = run_import(folder, out=out, base_iri=base_iri)
    c = result.counts()
    click.echo(
        f"{c['claims']} claims on {c['places']} places: {c['cities']} cities and "
        f"{c['regions']} regions resolved ({c['ambiguous']} ambiguous), {c['unresolved']} "
        f"unresolved; {c['twinnings']} twinnings, {c['claims_skipped']} claims left out "
        f"-> {result.files.get('trig', out)} (details in wikidata-twins-report.json)"
    )


@command()
@graph_arguments()
@out_folder(None, "Folder of the site (replaced as a whole, atomically).")
@base_iri_option
@click.option("--sparql-endpoint", metavar="URL", help="Named in the VoID/DCAT description.")
@click.option(
    "--license", "license_iri", metavar="IRI", help="Licence (VoID) [default: CC BY 4.0]."
)
def site(graphs: list[Path], out: Path, license_iri: str | None, **options: Any) -> None:
    """Write the graph as a static linked-data site (default GRAPH: build/citynet.trig).

    Every IRI under the base gets DIR/<path>.html, .ttl, .jsonld, .rdf and .nt;
    DIR/.htaccess (Apache) and DIR/.server/ (nginx) serve the right one by the Accept
    header, as docs/site.md shows. A failed run leaves the previous site as it was
    (exit 4).

    \b
    Example:
      citynet build && citynet site --out public/
    """
    from citynet.web.generate import DEFAULT_LICENSE

    made = citynet.site(graphs or None, out, license_iri=license_iri or DEFAULT_LICENSE, **options)
    click.echo(made.summary())


@command()
@graph_arguments()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, help="0: any free port.")
@base_iri_option
def serve(graphs: list[Path], port: int, base_iri: str) -> None:
    """Preview the site on 127.0.0.1 with content negotiation and a SPARQL endpoint.

    The SPARQL endpoint is a real Oxigraph server loaded with the graph (default GRAPH:
    build/citynet.trig), proxied at /sparql. Stop with Ctrl-C.

    \b
    Example:
      citynet serve --port 8000
      curl -H 'Accept: text/turtle' http://127.0.0.1:8000/city/be/liege
    """
    import signal

    from citynet.web.serve import serve as start

    # `kill` (SIGTERM) stops the Oxigraph server and removes the temporary site too.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    server = start(graphs or [DEFAULT_GRAPH], port, base_iri=base_iri)
    try:
        click.echo(f"site:   {server.url}\nsparql: {server.sparql_url}\nCtrl-C to stop")
        server.wait()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.stop()


@command()
@click.argument("query_name", metavar="NAME|FILE|-")
@graph_arguments(data_alias=True)
@click.option("--endpoint", metavar="URL", help="Query this SPARQL 1.1 endpoint instead.")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="Parameter value.")
@format_option("results", default="table")
@click.option("--iris", is_flag=True, help="Show IRI columns in the table (csv, json have them).")
@timeout_option(60.0, "Seconds to wait for the endpoint.")
@click.option("-o", "--out", type=FILE, default=Path("-"), help="File for the answer.")
@click.option("--engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph")
@click.option("--print-query", is_flag=True, help="Print the query as it would be sent; stop.")
def query(query_name: str, params: tuple[str, ...], out: Path, **options: Any) -> None:
    """Run a named query (see `citynet queries`), a query file, or the query text on
    standard input ('-').

    Parameter values are typed and bound with a VALUES block, never spliced into the
    text. A city or project accepts its label in any spelling, or its IRI. Endpoint
    credentials come only from CITYNET_USER / CITYNET_PASSWORD (CITYNET_AUTH=digest:
    Digest authentication). --engine: what queries local files. The table hides IRI
    columns (--iris shows them) and cuts long cells to the terminal's width.

    \b
    Examples:
      citynet query shared-projects --param city=Liège
      citynet query city-twins build/citynet.trig --param city=Lüttich --format csv --out t.csv
      citynet query project-partners --param "project=Goal Project" --format json
      citynet query stats --endpoint http://localhost:7878/query --timeout 10
      echo 'SELECT (COUNT(*) AS ?n) { ?s ?p ?o }' | citynet query - build/citynet.trig
    """
    import shutil

    from citynet.sparql.queries import make_backend, parse_param_options, prepare, run_query
    from citynet.sparql.results import format_results

    named = _named_query(query_name)  # checked (syntax, parameters) before data or network
    values = parse_param_options(params)
    fmt, iris, print_query = options.pop("fmt"), options.pop("iris"), options.pop("print_query")
    backend = make_backend(options.pop("graphs"), **options)
    if print_query:
        return write_output(out, prepare(named, values, backend).text)
    result = run_query(named, values, backend=backend, on_prepared=lambda p: note(p.text))
    for warning in result.warnings if verbosity() >= 0 else ():
        click.echo(f"note: {warning}", err=True)
    width = shutil.get_terminal_size((160, 24)).columns if str(out) == "-" else None
    write_output(out, format_results(result, fmt, width=width, iris=iris))


def _named_query(name: str) -> Any:
    """A named query, a query file, or the query text on standard input ('-')."""
    from citynet.sparql.queries import find_query, load_query, parse_query

    if name == "-":
        try:
            return parse_query(read_stdin().decode("utf-8"), Path("<stdin>"))
        except UnicodeDecodeError as error:
            raise InputError(f"<stdin>: not UTF-8 (byte {error.start})") from None
    return load_query(Path(name)) if Path(name).is_file() else find_query(name)


@command("queries")
@format_option("report")
def queries_command(fmt: str) -> None:
    """List the named queries with their titles, parameters and columns.

    \b
    Examples:
      citynet queries
      citynet queries --format json
    """
    from citynet.sparql.queries import list_queries

    named = list_queries()
    if fmt == "json":
        click.echo(json.dumps([q.as_json() for q in named], ensure_ascii=False, indent=2))
        return
    for q in named:
        click.echo(f"{q.name}: {q.title}")
        if verbosity() >= 0:
            params = [f"{p.name} ({p.type}{'' if p.required else ', optional'})" for p in q.params]
            click.echo(f"    parameters: {', '.join(params) or 'none'}")
            click.echo(f"    columns: {', '.join(c.name for c in q.columns)}")


@command()
@graph_arguments()
@click.option("--store", required=True, metavar="URL", help="The store's Graph Store endpoint.")
@click.option(
    "--store-kind",
    type=click.Choice(["auto", "generic", "oxigraph", "fuseki", "virtuoso"]),
    default="auto",
)
@click.option("--graph", "graph_iri", metavar="IRI", help="Put the merged graph in this graph.")
@click.option("--replace/--merge", default=True, help="Replace each graph, or add to it.")
@click.option("--force", is_flag=True, help="Publish even if the graph breaks the shapes.")
@click.option("--prune", is_flag=True, help="Also drop the graphs GRAPH no longer has.")
@timeout_option(60.0, "Seconds to wait for each request.")
@click.option("--query-endpoint", metavar="URL", help="[default: query beside --store]")
@click.option("--update-endpoint", metavar="URL", help="[default: update beside --store]")
@format_option("report")
def publish(
    graphs: list[Path], graph_iri: str | None, replace: bool, fmt: str, **options: Any
) -> None:
    """Load the graph into a SPARQL 1.1 store (default GRAPH: build/citynet.trig).

    Each page's named graph goes to the same graph in the store (--replace: staged, then
    one atomic MOVE); identical data writes nothing. --store: Oxigraph .../store, Fuseki
    .../ds/data, Virtuoso .../sparql-graph-crud-auth; --store-kind auto asks the store
    which it is. Credentials: CITYNET_USER and CITYNET_PASSWORD (docs/publish.md).

    \b
    Examples:
      citynet publish --store http://localhost:7878/store
      citynet publish --store http://localhost:8890/sparql-graph-crud-auth
      citynet publish build/citynet.trig --store https://example.org/ds/data --prune
    """
    mode = "replace" if replace else "merge"
    report = citynet.publish(graphs or None, graph=graph_iri, mode=mode, **options)
    if fmt == "json":
        click.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
        return
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for outcome in report.outcomes if verbosity() >= 0 else ():
        click.echo(f"{outcome.status:>10}  <{outcome.target}>  {outcome.triples} triples")
    click.echo(report.summary())


@command("validate")
@graph_arguments()
@click.option("--shapes", type=FILE, help="SHACL shapes (Turtle) [default: citynet's].")
@format_option("report", "rdf")
@fail_on_option
@click.option("--allow-network", is_flag=True, help="Accept owl:imports and SERVICE in shapes.")
@click.option("--engine", type=click.Choice(["auto", "pyshacl", "turbo"]), default="auto")
def validate_command(graphs: list[Path], fmt: str, fail_on: str, **options: Any) -> None:
    """Check a graph against the SHACL shapes and say which page line each problem came from.

    "conforms" means no violation, in every --format (text, json, and sh:conforms in the
    report graph's RDF formats). The exit code follows --fail-on: 1 when a result is that
    severe or worse (by default: a violation), else 0. Large graphs are checked on every
    core. --engine turbo is pyshacl-turbo (pySHACL's results, much faster), pyshacl the
    reference, auto turbo unless the shapes need pySHACL. --allow-network accepts shapes
    with owl:imports (ignored) or SPARQL SERVICE clauses (run).

    \b
    Examples:
      citynet validate
      citynet validate build/citynet.trig --format json --fail-on warning
      citynet validate build/citynet.ttl --shapes shapes/citynet.ttl --format turtle
      cat build/citynet.nq | citynet validate -
    """
    from citynet.scale import validation as parallel
    from citynet.validation.validate import format_report_text, report_to_json

    with spooled([options["shapes"]] if options["shapes"] else [], ".ttl") as shapes:
        options["shapes"] = next(iter(shapes), None)
        with progress_bar(None, "validating") as shown:
            report = parallel.validate(
                graphs or [DEFAULT_GRAPH], progress=_advance(shown), **options
            )
    note(f"engine: {report.engine}")
    if fmt == "json":
        click.echo(json.dumps(report_to_json(report), indent=2, ensure_ascii=False))
    elif fmt in OUTPUT_FORMATS["rdf"]:
        click.echo(_as_rdf(report.graph, fmt), nl=False)
    else:
        click.echo(
            format_report_text(report).rstrip("\n") if verbosity() >= 0 else report.summary()
        )
    if _fails(report, fail_on):
        sys.exit(int(ExitCode.INVALID_DATA))


def _advance(shown: Any) -> Callable[[int, int], None] | None:
    """The validation's (done, total) reports moving a progress bar, if one is shown."""
    if shown is None:
        return None
    bar, task = shown
    return lambda done, total: bar.update(task, completed=done, total=total)


def _as_rdf(graph: Any, fmt: str) -> str:
    """A graph in any RDF format, as a dataset's default graph (the quad formats need one)."""
    from rdflib import Dataset

    from citynet.graph.formats import BY_NAME

    dataset = Dataset()
    dataset.namespace_manager = graph.namespace_manager
    dataset.default_graph += graph
    return str(dataset.serialize(format=BY_NAME[fmt].rdflib_name))


def _fails(report: Any, fail_on: str) -> bool:
    """A SHACL result as severe as ``fail_on`` or worse (docs/validation.md)."""
    if report is None:
        return False
    levels = ("Violation", "Warning", "Info")
    return any(report.counts.get(level) for level in levels[: levels.index(fail_on.title()) + 1])


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)


__all__ = ["ExitCode", "cli", "command", "main"]
