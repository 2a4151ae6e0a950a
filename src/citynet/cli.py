"""The command line: thin click wrappers over the library. The only module importing click."""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any

import click

from citynet.common.iris import DEFAULT_BASE_IRI
from citynet.errors import CitynetError, ExitCode, InputError
from citynet.settings import __version__

SHOWN_WARNINGS = 50  # build prints these; report.json has every warning

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
                import traceback

                traceback.print_exc()  # then the same one-line error and exit code
            click.echo(f"error: {error}", err=True)
            sys.exit(int(error.exit_code))

    return wrapper


@contextmanager
def page_progress(total: int, label: str, quiet: bool) -> Iterator[Callable[[Any], None]]:
    """A progress bar on standard error for long runs at a terminal; silent otherwise."""
    if quiet or total < 100 or not sys.stderr.isatty():
        yield lambda _item: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda _item: bar.advance(task)


@contextmanager
def task_progress(label: str, quiet: bool) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on standard error at a terminal, shown from the first (done, total)
    report on (small runs report nothing, so show nothing); silent otherwise."""
    if quiet or not sys.stderr.isatty():
        yield lambda _done, _total: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None, visible=False)
        yield lambda done, total: bar.update(task, completed=done, total=total, visible=True)


@click.group(epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="citynet")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def cli(debug: bool) -> None:
    """Turn city-network profile pages into a linked-open-data knowledge graph.

    \b
    Example:
      citynet build && citynet query shared-projects --param city=Liège
    """


@cli.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path, allow_dash=True))
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("build"),
    show_default=True,
    help="Folder for citynet.trig/.nq/.ttl/.nt/.jsonld and report.json.",
)
@click.option("--base-iri", default=DEFAULT_BASE_IRI, show_default=True, help="Mint IRIs here.")
@click.option("--city", help="The city of a page that does not name its own (the seed page).")
@click.option("--strict", is_flag=True, help="Any warning is an error (exit 1).")
@click.option("--no-validate", is_flag=True, help="Skip the SHACL validation at the end.")
@click.option("--max-page-bytes", type=int, default=10_000_000, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary line.")
@click.option(
    "--stream",
    is_flag=True,
    help="Run the pipeline on every core, in bounded memory: for thousands of pages. "
    "Writes .trig, .nq and report.json, not the merged .ttl/.nt/.jsonld (they need every "
    "triple in memory at once; build without --stream to get them).",
)
@click.option(
    "--store",
    type=click.Path(path_type=Path, file_okay=False),
    help="Also keep the graph in an on-disk Oxigraph store in DIR (implies --stream).",
)
@click.option(
    "--incremental",
    is_flag=True,
    help="With --store: read and map again only what changed since the last build.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Processes of --stream (implies it; default: one per CPU).",
)
@click.option(
    "--decisions",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A curator's decisions (TOML; default: decisions.toml beside the pages).",
)
@handle_errors
def build(
    inputs: tuple[Path, ...],
    out: Path,
    base_iri: str,
    city: str | None,
    strict: bool,
    no_validate: bool,
    max_page_bytes: int,
    fmt: str,
    quiet: bool,
    stream: bool,
    store: Path | None,
    incremental: bool,
    workers: int | None,
    decisions: Path | None,
) -> None:
    """Build the graph from profile pages (files or folders; default: the bundled pages).

    \b
    Examples:
      citynet build
      citynet build my-pages/ --out public/ --base-iri https://data.example.org/
      citynet build seed.txt --city Liège --strict
      citynet build all-pages/ --stream --no-validate
      citynet build all-pages/ --store graph-store/ --incremental
    """
    from citynet.graph import build as build_module

    files = build_module.collect_inputs(list(inputs) or [build_module.default_pages_dir()])
    hidden = quiet or fmt == "json"
    with page_progress(2 * len(files), "building", hidden) as tick:
        if store is not None or incremental or stream or workers:
            from citynet.scale.streaming import stream_build

            result = stream_build(
                files,
                out=out,
                base_iri=base_iri,
                city=city,
                max_page_bytes=max_page_bytes,
                store_dir=store,
                incremental=incremental,
                workers=workers,
                progress=tick,
                decisions=decisions,
            )
        else:
            result = build_module.build(
                files,
                out=out,
                base_iri=base_iri,
                city=city,
                max_page_bytes=max_page_bytes,
                progress=tick,
                decisions=decisions,
            )
    summary_report = None
    if not no_validate and result.counts["triples"]:
        from citynet.validation.validate import validate

        summary_report = validate([result.files["trig"]])
    if fmt == "json":
        payload = {
            "counts": result.counts,
            "files": {name: str(path) for name, path in result.files.items()},
            "errors": result.errors,
            "conforms": summary_report.conforms if summary_report else None,
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        _print_build(result, out, quiet, summary_report)
    if result.errors:
        sys.exit(int(ExitCode.INVALID_DATA))
    if strict and result.counts["warnings"]:
        click.echo(f"--strict: {result.counts['warnings']} warnings", err=True)
        sys.exit(int(ExitCode.INVALID_DATA))
    if summary_report is not None and not summary_report.conforms:
        sys.exit(int(ExitCode.INVALID_DATA))


@cli.command()
@click.argument(
    "build_dir", default=Path("build"), type=click.Path(path_type=Path, file_okay=False)
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@handle_errors
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
        raise InputError(
            f"{report}: cannot read the build's report: {error.strerror}",
            hint="run `citynet build` first",
        ) from None
    except ValueError as error:
        raise InputError(f"{report}: not a build report: {error}") from None
    questions = open_questions(resolution)
    if fmt == "json":
        click.echo(json.dumps([q.as_json() for q in questions], indent=2, ensure_ascii=False))
        return
    for question in questions:
        click.echo(question.as_text())
    click.echo(f"{len(questions)} open question{'' if len(questions) == 1 else 's'}")


@cli.command()
@click.argument("urls", nargs=-1, required=True, metavar="URL...")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("pages"),
    show_default=True,
    help="Folder for the pages (one <slug>.html each) and fetch-log.json.",
)
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Seconds between requests to one host (never less than robots.txt's Crawl-delay).",
)
@click.option("--match", metavar="REGEX", help="Profile pages are URLs whose path matches this.")
@click.option("--max-pages", type=click.IntRange(min=0), help="Fetch at most N profile pages.")
@click.option("--user-agent", metavar="TEXT", help="Replace the User-Agent header entirely.")
@click.option(
    "--contact",
    metavar="URL",
    envvar="CITYNET_CONTACT",
    help="Where the site can reach you, sent in the User-Agent [env: CITYNET_CONTACT].",
)
@click.option(
    "--max-page-bytes",
    type=click.IntRange(min=1),
    default=10_000_000,
    show_default=True,
    help="Refuse larger pages (the build's limit).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds to wait for a server to connect or send.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary line.")
@handle_errors
def fetch(
    urls: tuple[str, ...],
    out: Path,
    delay: float,
    match: str | None,
    max_pages: int | None,
    user_agent: str | None,
    contact: str | None,
    max_page_bytes: int,
    timeout: float,
    quiet: bool,
) -> None:
    """Fetch the network's profile pages from its web site into a folder, for `build`.

    URL is a sitemap (or sitemap index, gzipped or not), a page linking to profiles
    (followed one level) or a profile. robots.txt is obeyed; a second run asks only for
    what changed, and an interrupted run resumes where it stopped.

    \b
    Example:
      citynet fetch https://efus.eu/sitemap_index.xml --out pages/ && citynet build pages/
    """
    from citynet.fetch import crawl

    options = crawl.FetchOptions(
        out=out,
        delay=delay,
        match=match,
        max_pages=max_pages,
        user_agent=user_agent or crawl.user_agent(contact),
        max_page_bytes=max_page_bytes,
        timeout=timeout,
    )
    with _fetch_progress(quiet) as hooks:
        summary = crawl.fetch_pages(urls, options, hooks)
    click.echo(summary.line())
    for outcome in ("gone", "refused", "disallowed", "offsite", "failed"):
        for url in summary.by_outcome.get(outcome, [])[: SHOWN_WARNINGS if not quiet else 0]:
            click.echo(f"  {outcome}: {url}")
    if summary.count("failed"):
        click.echo(
            f"error: {crawl.pages(summary.count('failed'))} failed (see {out}/fetch-log.json); "
            "run the same command again to resume",
            err=True,
        )
        sys.exit(int(ExitCode.ENDPOINT))


@contextmanager
def _fetch_progress(quiet: bool) -> Iterator[Any]:
    """Warnings on standard error, and a progress bar there when it is a terminal."""
    from citynet.fetch.crawl import Hooks

    def warn(message: str) -> None:
        click.echo(f"warning: {message}", err=True)

    if quiet or not sys.stderr.isatty():
        yield Hooks(warn=warn)
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("fetching", total=None)
        yield Hooks(
            total=lambda n: bar.update(task, total=n),
            page=lambda _url, _outcome: bar.advance(task),
            warn=lambda message: bar.console.print(f"warning: {message}", markup=False),
        )


def _print_build(result: Any, out: Path, quiet: bool, summary_report: Any) -> None:
    """The build's warnings (the first ones), errors and summary lines."""
    if not quiet:
        # A large build has hundreds of thousands: the first ones say what kind of
        # trouble there is, report.json holds them all.
        curator = getattr(result.resolution, "curator", None)  # its file's own warnings first
        every = itertools.chain(
            curator.warnings if curator else (),
            (w for page in result.pages for w in page.warnings),
        )
        shown = list(itertools.islice(every, SHOWN_WARNINGS))
        for warning in shown:
            click.echo(f"warning: {warning}", err=True)
        if result.counts["warnings"] > len(shown):
            more = result.counts["warnings"] - len(shown)
            click.echo(
                f"warning: ... and {more} more (all of them are in {out}/report.json)",
                err=True,
            )
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
    if summary_report is not None:
        click.echo(f"validation: {summary_report.summary()}")


@cli.command("import-twins")
@click.argument(
    "folder", required=False, type=click.Path(path_type=Path, file_okay=False, exists=True)
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("build"),
    show_default=True,
    help="Folder for wikidata-twins.trig and wikidata-twins-report.json.",
)
@click.option("--base-iri", default=DEFAULT_BASE_IRI, show_default=True, help="Mint IRIs here.")
@handle_errors
def import_twins(folder: Path | None, out: Path, base_iri: str) -> None:
    """Add Wikidata's twin-town claims (FOLDER: names.tsv + relations.tsv; default:
    ../shared/twin-towns/L3viathan-sister-cities, or $CITYNET_SHARED/twin-towns/...).

    \b
    Example:
      citynet build && citynet import-twins
      citynet query twin-check --data build/citynet.trig --data build/wikidata-twins.trig
    """
    from citynet.graph.twins import import_twins as run_import

    result = run_import(folder, out=out, base_iri=base_iri)
    c = result.counts()
    click.echo(
        f"{c['claims']} claims on {c['places']} places: {c['cities']} cities and "
        f"{c['regions']} regions resolved ({c['ambiguous']} ambiguous), {c['unresolved']} "
        f"unresolved; {c['twinnings']} twinnings, {c['claims_skipped']} claims left out "
        f"-> {result.files.get('trig', out)} (details in {OUTPUT_TWINS_REPORT})"
    )


OUTPUT_TWINS_REPORT = "wikidata-twins-report.json"
DEFAULT_GRAPH = Path("build/citynet.trig")


@cli.command()
@click.argument("graph", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of the site (replaced as a whole, atomically).",
)
@click.option("--base-iri", default=DEFAULT_BASE_IRI, show_default=True, help="IRIs to publish.")
@click.option("--sparql-endpoint", metavar="URL", help="Named in the VoID/DCAT description.")
@click.option("--license", "license_iri", metavar="IRI", help="Licence of the dataset (VoID).")
@handle_errors
def site(
    graph: tuple[Path, ...],
    out: Path,
    base_iri: str,
    sparql_endpoint: str | None,
    license_iri: str | None,
) -> None:
    """Write the graph as a static linked-data site (default GRAPH: build/citynet.trig).

    Every IRI under the base gets DIR/<path>.html, .ttl, .jsonld, .rdf and .nt;
    DIR/.htaccess (Apache) and DIR/.server/ (nginx) serve the right one by the Accept
    header, as docs/site.md shows. A failed run leaves the previous site as it was
    (exit 4).

    \b
    Example:
      citynet build && citynet site --out public/
    """
    from citynet.web.generate import DEFAULT_LICENSE, build_site

    result = build_site(
        list(graph) or [DEFAULT_GRAPH],
        out,
        base_iri=base_iri,
        sparql_endpoint=sparql_endpoint,
        license_iri=license_iri or DEFAULT_LICENSE,
    )
    click.echo(result.summary())


@cli.command()
@click.argument("graph", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--base-iri", default=DEFAULT_BASE_IRI, show_default=True, help="IRIs to publish.")
@handle_errors
def serve(graph: tuple[Path, ...], port: int, base_iri: str) -> None:
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

    def interrupted(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # `kill` (SIGTERM) stops the Oxigraph server and removes the temporary site too.
    signal.signal(signal.SIGTERM, interrupted)
    server = start(list(graph) or [DEFAULT_GRAPH], port, base_iri=base_iri)
    try:
        click.echo(f"site:   {server.url}")
        click.echo(f"sparql: {server.sparql_url}")
        click.echo("Ctrl-C to stop")
        server.wait()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.stop()


@cli.command()
@click.argument("query_name", metavar="NAME|FILE.rq")
@click.option(
    "--data",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="RDF file to query (repeatable; default build/citynet.trig).",
)
@click.option("--endpoint", metavar="URL", help="Query this SPARQL 1.1 endpoint instead.")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="Parameter value.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json", "markdown"]),
    default="table",
    show_default=True,
    help="Result format (CONSTRUCT/DESCRIBE always print Turtle).",
)
@click.option(
    "--timeout", type=float, default=60.0, show_default=True, help="Endpoint timeout (s)."
)
@click.option(
    "--out", type=click.Path(path_type=Path, allow_dash=True), default="-", help="File or -."
)
@click.option(
    "--engine",
    type=click.Choice(["oxigraph", "rdflib"]),
    default="oxigraph",
    show_default=True,
    help="Engine for local files.",
)
@click.option(
    "--print-query", is_flag=True, help="Print the query as it would be sent; run nothing."
)
@handle_errors
def query(
    query_name: str,
    data: tuple[Path, ...],
    endpoint: str | None,
    params: tuple[str, ...],
    fmt: str,
    timeout: float,
    out: Path,
    engine: str,
    print_query: bool,
) -> None:
    """Run a named query (see `citynet queries`) or a query file.

    Parameter values are typed and bound with a VALUES block, never spliced into the
    text. A city or project accepts its label in any spelling, or its IRI. Endpoint
    credentials come only from CITYNET_USER / CITYNET_PASSWORD (CITYNET_AUTH=digest
    for Digest authentication).

    \b
    Examples:
      citynet query shared-projects --param city=Liège
      citynet query city-twins --param city=Lüttich --format csv --out twins.csv
      citynet query project-partners --param "project=Goal Project" --format json
      citynet query stats --endpoint http://localhost:7878/query --timeout 10
      citynet query my-query.rq --data build/citynet.trig --format markdown
    """
    from citynet.sparql.queries import find_query, make_backend, parse_param_options, run_query
    from citynet.sparql.results import format_results

    named = find_query(query_name)  # checked (syntax, parameters) before any data or network
    values = parse_param_options(params)
    backend = make_backend(data, endpoint=endpoint, timeout=timeout, engine=engine)
    if print_query:
        from citynet.sparql.queries import prepare

        _write(out, prepare(named, values, backend).text)
        return
    result = run_query(named, values, backend=backend)
    for warning in result.warnings:
        click.echo(f"note: {warning}", err=True)
    width = None
    if str(out) == "-" and sys.stdout.isatty():
        import shutil

        width = shutil.get_terminal_size().columns
    _write(out, format_results(result, fmt, width=width))


@cli.command("queries")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@handle_errors
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
        params = ", ".join(
            f"{p.name} ({p.type}{'' if p.required else ', optional'})" for p in q.params
        )
        click.echo(f"{q.name}: {q.title}")
        click.echo(f"    parameters: {params or 'none'}")
        click.echo(f"    columns: {', '.join(c.name for c in q.columns)}")


def _write(out: Path, text: str) -> None:
    """Write to stdout or atomically to a file."""
    if str(out) == "-":
        click.echo(text, nl=False)
        return
    import os
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(dir=out.parent if str(out.parent) else ".", prefix=".tmp-")
        from citynet.common.files import new_file_mode

        os.chmod(tmp, new_file_mode())  # as open() would, not mkstemp's 0600
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, out)
    except OSError as error:
        from citynet.errors import InputError

        raise InputError(f"{out}: cannot write: {error.strerror}") from None


@cli.command()
@click.argument(
    "graph_file",
    metavar="[GRAPH]",
    required=False,
    type=click.Path(path_type=Path, dir_okay=False),
)
@click.option(
    "--store",
    required=True,
    metavar="URL",
    help="Graph Store endpoint: Oxigraph .../store, Fuseki .../ds/data, "
    "Virtuoso .../sparql-graph-crud-auth.",
)
@click.option(
    "--store-kind",
    type=click.Choice(["auto", "generic", "oxigraph", "fuseki", "virtuoso"]),
    default="auto",
    show_default=True,
    help="Where the query/update endpoints are and how to log in; auto asks the store.",
)
@click.option(
    "--graph", "graph_iri", metavar="IRI", help="Publish the merged graph into this one graph."
)
@click.option(
    "--replace/--merge",
    default=True,
    show_default=True,
    help="Replace each graph (staged, one atomic MOVE) or add the triples to it.",
)
@click.option("--force", is_flag=True, help="Publish even if the graph breaks the shapes.")
@click.option(
    "--prune",
    is_flag=True,
    help="Also drop, in the same swap, the graphs an earlier publish put in the store that "
    "this GRAPH file no longer has (pages removed from the build).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    metavar="S",
    help="Seconds to wait for each request.",
)
@click.option(
    "--query-endpoint", metavar="URL", help="SPARQL query URL [default: query beside --store]."
)
@click.option(
    "--update-endpoint", metavar="URL", help="SPARQL update URL [default: update beside --store]."
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@handle_errors
def publish(
    graph_file: Path | None,
    store: str,
    graph_iri: str | None,
    replace: bool,
    force: bool,
    timeout: float,
    query_endpoint: str | None,
    update_endpoint: str | None,
    fmt: str,
    store_kind: str,
    prune: bool,
) -> None:
    """Load the graph into a SPARQL 1.1 store (default GRAPH: build/citynet.trig).

    Each page's named graph goes to the same graph in the store; re-publishing identical
    data writes nothing. Credentials come from CITYNET_USER and CITYNET_PASSWORD (https
    or localhost only; Basic, or Digest for Virtuoso or with CITYNET_AUTH=digest).

    \b
    Examples:
      citynet publish --store http://localhost:7878/store
      citynet publish --store http://localhost:8890/sparql-graph-crud-auth
      citynet publish build/citynet.trig --store https://example.org/ds/data \\
          --graph https://example.org/graph/citynet
    """
    from citynet.store import publishing as publish_module

    report = publish_module.publish(
        graph_file or publish_module.DEFAULT_GRAPH_FILE,
        store,
        graph=graph_iri,
        mode="replace" if replace else "merge",
        force=force,
        timeout=timeout,
        query_endpoint=query_endpoint,
        update_endpoint=update_endpoint,
        store_kind=store_kind,  # type: ignore[arg-type]
        prune=prune,
    )
    if fmt == "json":
        click.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
        return
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for outcome in report.outcomes:
        click.echo(f"{outcome.status:>10}  <{outcome.target}>  {outcome.triples} triples")
    click.echo(report.summary())


@cli.command("validate")
@click.argument(
    "graphs", nargs=-1, metavar="[GRAPH]...", type=click.Path(path_type=Path, allow_dash=True)
)
@click.option(
    "--shapes",
    type=click.Path(path_type=Path, dir_okay=False),
    help="SHACL shapes (Turtle) [default: the shapes shipped with citynet].",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "turtle"]),
    default="text",
    show_default=True,
    help="text for people, json for programs, turtle for the W3C validation report graph.",
)
@click.option(
    "--input-format",
    type=click.Choice(["trig", "turtle", "nquads", "ntriples", "jsonld", "rdfxml"]),
    help="Format of standard input (GRAPH '-') [default: guessed; TriG covers Turtle].",
)
@click.option(
    "--allow-network",
    is_flag=True,
    help="Accept shapes with owl:imports (ignored) or SPARQL SERVICE clauses (run).",
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "pyshacl", "turbo"]),
    default="auto",
    show_default=True,
    help="turbo: pyshacl-turbo (pySHACL's results, much faster); pyshacl: pySHACL itself, "
    "the reference; auto: turbo unless the shapes need pySHACL.",
)
@handle_errors
def validate_command(
    graphs: tuple[Path, ...],
    shapes: Path | None,
    fmt: str,
    input_format: str | None,
    allow_network: bool,
    engine: str,
) -> None:
    """Check a graph against the SHACL shapes and say which page line each problem came from.

    GRAPH defaults to build/citynet.trig; '-' reads standard input. "conforms" means no
    violation, in every --format: exit 0 when the graph conforms (warnings and infos
    allowed), 1 when it has violations. Large graphs are checked on every core.

    \b
    Examples:
      citynet validate
      citynet validate build/citynet.trig --format json
      citynet validate my-graph.ttl --shapes my-shapes.ttl --format turtle
      cat build/citynet.trig | citynet validate -
    """
    from citynet.scale import validation as parallel
    from citynet.validation import validate as validation

    paths = list(graphs) or [Path("build/citynet.trig")]
    if any(str(p) == "-" for p in paths):
        if len(paths) > 1:
            raise click.UsageError("'-' (standard input) cannot be combined with other graphs")
        data = validation.load_data_bytes(click.get_binary_stream("stdin").read(), input_format)
    else:
        data = validation.as_data(paths)
    with task_progress("validating", quiet=False) as progress:
        report = parallel.validate(
            data, shapes=shapes, allow_network=allow_network, engine=engine, progress=progress
        )
    if fmt == "json":
        click.echo(json.dumps(validation.report_to_json(report), indent=2, ensure_ascii=False))
    elif fmt == "turtle":
        click.echo(report.turtle(), nl=False)
    else:
        click.echo(validation.format_report_text(report), nl=False)
    if not report.conforms:
        sys.exit(int(ExitCode.INVALID_DATA))


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)


__all__ = ["ExitCode", "cli", "handle_errors", "main"]
