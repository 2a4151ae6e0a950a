"""`citynet site`: the graph as a static linked-data site, one page per IRI under the base.

File layout (works from disk in a browser and behind content negotiation): the IRI
``{base}city/be/liege`` becomes three files side by side,

    DIR/city/be/liege.html     the page for people
    DIR/city/be/liege.ttl      its description as Turtle
    DIR/city/be/liege.jsonld   the same as JSON-LD

(with .rdf and .nt beside them), so a web server maps the extension-less IRI path to one
of them by the Accept header (see ``conneg``: Apache, nginx and ``citynet serve`` give the
same answers), and a browser opening the .html file from disk follows relative links between
.html files. The page of a resource and the page "below" it never collide
(``office/…/executive-committee.html`` beside the folder ``office/…/executive-committee/``).
Site files have a dot in their name (index.html, cities.html, void.ttl, …), which no IRI
path segment can have, so a resource can never overwrite them.

A description is every triple with the resource as subject, across all named graphs. Hash
IRIs under the base share their document's page (one section each). The ontology is
rendered by our own small generator (see ``ontology_context``): pyLODE 3.4.1, the release
we tried, fails on import (it reads a pyproject.toml that its wheel does not ship) and
loads ~600 kB of background vocabularies on each run; ours reads only ontology/citynet.ttl.

Safety: every text from the data goes through Jinja's autoescape; only http(s) IRIs become
links (``javascript:``, ``data:`` and the rest stay text); JSON-LD embedded in a page has
``<``, ``>`` and ``&`` written as JSON escapes so no value can close the script element;
every IRI under the base must map to plain slug segments (``iris.is_safe_path``), else
DataInvalid (exit 1) names it before anything is written. Writing is atomic: the site is
written into a fresh folder beside DIR and swapped in; if anything fails the previous site
stays as it was and the error is PublishAborted (exit 4, "publish aborted, untouched").
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.plugins.serializers.jsonld import from_rdf
from rdflib.plugins.shared.jsonld.context import Context as LDContext
from rdflib.term import Node

from citynet.common import iris
from citynet.common.resources import resource_dir
from citynet.errors import DataInvalid, InputError
from citynet.graph.formats import load_graph
from citynet.graph.vocab import (
    CN,
    DCTERMS,
    DEFAULT_BASE_IRI,
    ONTOLOGY_IRI,
    RDF,
    RDFS,
    SKOS,
    VOID,
    XSD,
)
from citynet.settings import __version__
from citynet.web.conneg import (
    NGINX_HTTP_FILE,
    NGINX_SERVER_FILE,
    NJS_FILE,
    REPRESENTATIONS,
    SERVER_FOLDER,
    htaccess,
    nginx_http,
    nginx_server,
    njs_module,
)
from citynet.web.context import CONTEXT_FILE, context_document, jsonld_context
from citynet.web.dataset import DUMP_FILE, description_graph, dump, rdf_files, stable_json
from citynet.web.ontology_page import ONTOLOGY_DOC, ontology_files
from citynet.web.sitefiles import (
    SITE_MARKER,
    check_replaceable,
    write_atomically,
    write_docs,
    write_files,
)
from citynet.web.svgmap import site_map
from citynet.web.terms import (
    Link,
    Row,
    Source,
    curie,
    is_http,
    node_key,
    pick_language,
    script_json,
    sources_html,
)

DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
_MAP_TITLE = "Cities placed by their coordinates; lines join twin cities and project partners"
_DETAIL_TITLE = "The region of the member cities, closer; the others are on the main map"
#: Links to a resource shown on its page and in its RDF; the rest on pages of as many.
INCOMING_LIMIT = 100
MOST_CONNECTED = 10  # cities the index lists by number of partners
_WINDOWS_DEVICES = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])$")


@dataclass
class SiteResult:
    out: Path
    files: int
    resources: int
    cities: int
    projects: int
    events: int
    markers: int
    skipped: int  # IRIs outside the base: linked to, never written

    def summary(self) -> str:
        return (
            f"site: {self.resources} resource pages ({self.cities} cities, {self.projects} "
            f"projects, {self.events} events), {self.markers} cities on the map, "
            f"{self.files} files in {self.out}"
        )


def build_site(
    graph_paths: list[Path],
    out: Path,
    *,
    base_iri: str = DEFAULT_BASE_IRI,
    sparql_endpoint: str | None = None,
    license_iri: str = DEFAULT_LICENSE,
    ontology_path: Path | None = None,
) -> SiteResult:
    """Read the graph files and write the site into ``out`` (atomically replaced)."""
    dataset = load_graph([Path(os.path.abspath(p)) for p in graph_paths])
    ontology = load_ontology(ontology_path)
    site = Site(dataset, ontology, base_iri=base_iri)
    return write_site(site, out, sparql_endpoint=sparql_endpoint, license_iri=license_iri)


def load_ontology(path: Path | None = None) -> Graph:
    path = path or resource_dir("ontology") / "citynet.ttl"
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError:
        raise InputError(f"{path}: ontology file missing") from None
    except Exception as error:  # rdflib raises many types for bad syntax
        raise InputError(f"{path}: not valid Turtle: {' '.join(str(error).split())}") from None
    graph.source_path = path  # type: ignore[attr-defined]  # copied into the site as is
    return graph


def write_site(
    site: Site,
    out: Path,
    *,
    sparql_endpoint: str | None = None,
    license_iri: str = DEFAULT_LICENSE,
) -> SiteResult:
    """Render every file into a new folder beside ``out``, then swap it in."""
    if sparql_endpoint is not None and not is_http(sparql_endpoint):
        raise InputError(f"--sparql-endpoint {sparql_endpoint!r} is not an http(s) URL")
    if not is_http(license_iri):
        raise InputError(f"--license {license_iri!r} is not an http(s) IRI")
    check_replaceable(out)
    shared = site.render_shared(
        sparql_endpoint=sparql_endpoint, license_iri=license_iri, site_dir=os.path.abspath(out)
    )

    def write(folder: Path) -> int:
        return write_docs(site.render_docs, list(site.docs), folder) + write_files(folder, shared)

    count = write_atomically(out, write)
    return SiteResult(
        out=out,
        files=count,
        resources=len(site.docs),
        cities=len(site.cities),
        projects=len(site.projects),
        events=len(site.events),
        markers=len(site.city_map.markers) if site.city_map else 0,
        skipped=site.skipped,
    )


# --------------------------------------------------------------------------------------
# The site model
# --------------------------------------------------------------------------------------


class Site:
    """Everything the pages need, computed once from the dataset and the ontology."""

    def __init__(self, dataset: Dataset, ontology: Graph, *, base_iri: str) -> None:
        self.base = base_iri if base_iri.endswith("/") else base_iri + "/"
        self.ontology = ontology
        self.context = jsonld_context(ontology)
        self._ld_context = LDContext(self.context)
        self.cn = str(CN._NS)
        # Index every quad once; the pages are then dictionary look-ups.
        self.out: dict[URIRef, dict[tuple[URIRef, Node], set[Node]]] = defaultdict(
            lambda: defaultdict(set)
        )
        self.incoming: dict[URIRef, set[tuple[URIRef, URIRef]]] = defaultdict(set)
        self.graph_names: set[URIRef] = set()
        self.default_graph = dataset.default_graph.identifier
        self._labels: dict[Node, str] = {}
        self._ontology_labels: dict[Node, str | None] = {}
        self._docs_of: dict[str, tuple[str, str] | None] = {}
        self._link_folder: str | None = None
        self._links: dict[tuple[Node, bool], Link] = {}
        self._objects: dict[tuple[Node, URIRef], tuple[Node, ...]] = {}
        for s, p, o, g in dataset.quads((None, None, None, None)):
            graph = getattr(g, "identifier", g)
            if isinstance(s, BNode) or isinstance(o, BNode):
                raise DataInvalid(
                    f"blank node in the graph ({s} {p} {o}): citynet graphs have none",
                    hint="build the graph with `citynet build`",
                )
            self.out[s][(p, o)].add(graph)
            if isinstance(o, URIRef):
                self.incoming[o].add((s, p))
            if isinstance(graph, URIRef) and graph != self.default_graph:
                self.graph_names.add(graph)
        self.docs: dict[str, list[URIRef]] = self._collect_docs()
        if not self.docs:
            raise InputError(
                f"no resource in the graph has an IRI under {self.base}",
                hint="pass the --base-iri the graph was built with",
            )
        self.cities = sorted(self._typed(CN.City) | self._typed(CN.Region), key=self.sort_key)
        self.projects = sorted(self._typed(CN.Project), key=self.sort_key)
        self.events = sorted(self._typed(CN.Event), key=self._event_key)
        self.participations = self._participations()
        # Look-ups the pages repeat for every resource.
        self.kinds = {
            **{c: "city" for c in self.cities},
            **{p: "project" for p in self.projects},
            **{e: "event" for e in self.events},
        }
        self.by_participant: dict[Node, list[dict[str, Node]]] = defaultdict(list)
        self.by_activity: dict[Node, list[dict[str, Node]]] = defaultdict(list)
        for row in self.participations:
            self.by_participant[row["participant"]].append(row)
            self.by_activity[row["activity"]].append(row)
        self.city_map, self.detail_map = site_map(self)

    # IRIs and paths -------------------------------------------------------------------

    def doc_of(self, iri: str) -> tuple[str, str] | None:
        if iri not in self._docs_of:
            self._docs_of[iri] = self._locate(iri)
        return self._docs_of[iri]

    def _locate(self, iri: str) -> tuple[str, str] | None:
        """(document path, fragment) for an IRI under the base; None when outside it.

        Raises DataInvalid for an IRI under the base whose path is not plain slugs
        (``..``, ``%2F``, empty segments, an absolute path, a device name like ``con``).
        """
        if not iri.startswith(self.base):
            if iri.startswith(ONTOLOGY_IRI + "#") or iri == ONTOLOGY_IRI:
                return ONTOLOGY_DOC, iri.partition("#")[2]
            return None
        path, _, fragment = iri[len(self.base) :].partition("#")
        if path == "":
            return "", fragment
        if iri.startswith(ONTOLOGY_IRI + "#") or iri == ONTOLOGY_IRI:
            return ONTOLOGY_DOC, fragment
        if not iris.is_safe_path(path) or any(
            _WINDOWS_DEVICES.match(part) for part in path.split("/")
        ):
            raise DataInvalid(
                f"unsafe IRI <{iri}>: its path under {self.base} is not plain slug segments",
                hint="nothing was written; fix the IRI in the graph",
            )
        if path == ONTOLOGY_DOC:
            raise DataInvalid(
                f"IRI <{iri}> would overwrite the site's ontology page",
                hint="use another path for this resource",
            )
        if fragment and not re.fullmatch(r"[A-Za-z0-9_.-]+", fragment):
            raise DataInvalid(f"unsafe IRI <{iri}>: fragment {fragment!r} is not a plain name")
        return path, fragment

    def _collect_docs(self) -> dict[str, list[URIRef]]:
        docs: dict[str, set[URIRef]] = defaultdict(set)
        self.skipped = 0
        seen: set[Node] = set(self.out) | set(self.incoming) | self.graph_names
        for subject in list(self.out):
            for prop, _ in self.out[subject]:
                seen.add(prop)
        for node in seen:
            if not isinstance(node, URIRef):
                continue
            located = self.doc_of(str(node))
            if located is None:
                self.skipped += 1
            elif located[0] not in ("", ONTOLOGY_DOC):
                docs[located[0]].add(node)
        return {doc: sorted(members) for doc, members in sorted(docs.items())}

    def href(self, iri: str, from_doc: str) -> str | None:
        """A relative link from the page of ``from_doc`` ('' for top-level files)."""
        located = self.doc_of(iri)
        if located is None:
            return iri if is_http(iri) else None
        doc, fragment = located
        folder, _, name = ("index" if doc == "" else doc).rpartition("/")
        relative = _relative_folder(folder, posixpath.dirname(from_doc)) + name + ".html"
        return f"{relative}#{fragment}" if fragment else relative

    def root(self, from_doc: str) -> str:
        """Relative prefix from a page to the site's top folder ('' or '../../')."""
        return "../" * from_doc.count("/")

    # Labels ---------------------------------------------------------------------------

    def objects(self, subject: Node, prop: URIRef) -> tuple[Node, ...]:
        key = (subject, prop)  # pages ask the same again and again: remembered
        if key not in self._objects:
            values = {o for (p, o) in self.out.get(subject, {}) if p == prop}
            self._objects[key] = tuple(sorted(values, key=node_key))  # type: ignore[arg-type]
        return self._objects[key]

    def _one(self, subject: Node, prop: URIRef) -> Node | None:
        values = self.objects(subject, prop)
        return values[0] if values else None

    def _typed(self, cls: URIRef) -> set[URIRef]:
        return {
            s
            for s in self.out
            if isinstance(s, URIRef) and (RDF.type, cls) in self.out[s] and self.is_local(s)
        }

    def is_local(self, iri: URIRef) -> bool:
        located = self.doc_of(str(iri))
        return located is not None and located[0] not in ("", ONTOLOGY_DOC)

    def label(self, node: Node) -> str:
        """The English label (or any label), else a label made from what the node links."""
        if node not in self._labels:
            self._labels[node] = self._find_label(node)
        return self._labels[node]

    def _find_label(self, node: Node) -> str:
        described = self.out.get(node, {})
        for prop in (RDFS.label, SKOS.prefLabel, DCTERMS.title):
            labels = [o for (p, o) in described if p == prop and isinstance(o, Literal)]
            if labels:
                label = str(pick_language(labels))
                if (RDF.type, CN.Event) in described:
                    return self._event_label(node, label)
                return label
        return self._ontology_label(node) or self._derived_label(node)

    def _event_label(self, event: Node, label: str) -> str:
        """What, where and when ("General Assembly, Cascais, 2013"): events share names."""
        parts = [label]
        place = self._one(event, CN.place)
        if place is not None and place != event:
            where = self.label(place)
            if where.casefold() not in label.casefold():
                parts.append(where)
        dates = [self._one(event, prop) for prop in (CN.startDate, CN.startYear)]
        year = next((str(d)[:4] for d in dates if d is not None), "")
        if year and year not in label:
            parts.append(year)
        return ", ".join(parts)

    def _ontology_label(self, node: Node) -> str | None:
        if node not in self._ontology_labels:
            labels = [
                o
                for prop in (RDFS.label, SKOS.prefLabel)
                for o in self.ontology.objects(node, prop)  # type: ignore[arg-type]
                if isinstance(o, Literal)
            ]
            self._ontology_labels[node] = str(pick_language(labels)) if labels else None
        return self._ontology_labels[node]

    def _derived_label(self, node: Node) -> str:
        types = {o for (p, o) in self.out.get(node, {}) if p == RDF.type}
        if CN.Twinning in types:
            twins = [self.label(t) for t in self.objects(node, CN.twinCity)]
            return "Twinning " + " – ".join(sorted(twins))
        if CN.Participation in types:
            who = self._one(node, CN.participant)
            what = self._one(node, CN.activity)
            role = self._one(node, CN.role)
            parts = [self.label(x) for x in (who, role, what) if x is not None]
            return " · ".join(parts)
        if CN.Membership in types:
            who, net = self._one(node, CN.member), self._one(node, CN.network)
            return " in ".join(self.label(x) for x in (who, net) if x is not None)
        if CN.Office in types:
            who, office = self._one(node, CN.holder), self._one(node, CN.officeRole)
            return ": ".join(self.label(x) for x in (who, office) if x is not None)
        if CN.SourcePage in types:
            name = self._one(node, CN.fileName)
            if name is not None:
                return f"Source page {name}"
        return curie(str(node)) or str(node).rstrip("/").rsplit("/", 1)[-1]

    def sort_key(self, node: Node) -> tuple[str, str]:
        return (self.label(node).casefold(), str(node))

    def _event_key(self, node: Node) -> tuple[str, str, str]:
        start = self._one(node, CN.startDate)
        return (str(start) if start is not None else "9999", self.label(node), str(node))

    # Links for values ----------------------------------------------------------------

    def link(self, node: Node, from_doc: str, *, with_note: bool = False) -> Link:
        """A value as a Link from ``from_doc``; remembered for the folder being written.

        Documents are rendered folder by folder (sorted paths), so the cache holds one
        folder's links at a time: its size is bounded by the graph, not the site.
        """
        folder = posixpath.dirname(from_doc)
        if folder != self._link_folder:
            self._link_folder, self._links = folder, {}
        key = (node, with_note)
        if key not in self._links:
            self._links[key] = self._make_link(node, from_doc, with_note)
        return self._links[key]

    def _make_link(self, node: Node, from_doc: str, with_note: bool) -> Link:
        if isinstance(node, Literal):
            note = ""
            if node.language:
                note = f"@{node.language}"
            elif node.datatype is not None and node.datatype != XSD.string:
                note = curie(str(node.datatype)) or str(node.datatype)
            return Link(text=str(node), note=note)
        iri = str(node)
        href = self.href(iri, from_doc)
        external = self.doc_of(iri) is None
        if external and not self._ontology_label(node):
            text = curie(iri) or iri
        else:
            text = self.label(node)
        short = curie(iri) or ""
        note = short if with_note and short != text else ""
        return Link(
            text=text, href=href, iri=iri, external=external and href is not None, note=note
        )

    def sources(self, graphs: Iterable[Node], from_doc: str) -> list[Source]:
        """Each named graph as a link to its source page, with the page's original URL."""
        links: list[Source] = []
        for graph in sorted(graphs, key=node_key):
            if graph == self.default_graph or not isinstance(graph, URIRef):
                continue
            name = self._one(graph, CN.fileName)
            url = self._one(graph, DCTERMS.source)
            text = str(name) if name is not None else self.label(graph)
            page = Link(text=text, href=self.href(str(graph), from_doc), iri=str(graph))
            original = None
            if url is not None and is_http(str(url)):
                original = Link(text="original", href=str(url), iri=str(url), external=True)
            links.append(Source(page, original))
        return links

    # Derived content: participations, twins, map --------------------------------------

    def _participations(self) -> list[dict[str, Node]]:
        rows = []
        for node in self._typed(CN.Participation):
            row = {
                "node": node,
                "participant": self._one(node, CN.participant),
                "activity": self._one(node, CN.activity),
                "role": self._one(node, CN.role),
            }
            if row["participant"] is not None and row["activity"] is not None:
                rows.append(row)
        return sorted(rows, key=lambda r: str(r["node"]))

    def twins(self, city: URIRef) -> list[URIRef]:
        twins: set[URIRef] = set()
        for s, p in self.incoming.get(city, set()):
            if p == CN.twinCity:
                twins |= {t for t in self.objects(s, CN.twinCity) if t != city}  # type: ignore[misc]
            elif p == CN.twinnedWith:
                twins.add(s)
        twins |= {t for t in self.objects(city, CN.twinnedWith) if isinstance(t, URIRef)}
        twins.discard(city)
        return sorted(twins, key=self.sort_key)

    # Descriptions ---------------------------------------------------------------------

    def description(self, members: list[URIRef]) -> Graph:
        """What a linked-data browser serves for a document (as LodView and Pubby do).

        The members' own triples, the triples pointing at them, the labels of every
        resource on either end, and ``void:inDataset`` to the dataset description.
        """
        graph = Graph(bind_namespaces="none")  # no prefixes: the writers bring their own
        dataset = URIRef(self.base + "void.ttl#dataset")
        neighbours: set[Node] = set()
        for subject in members:
            for p, o in self.out.get(subject, {}):
                graph.add((subject, p, o))
                neighbours.add(o)
            incoming = self.incoming_of(subject)
            for s, p in incoming[:INCOMING_LIMIT]:
                graph.add((s, p, subject))
                neighbours.add(s)
            if len(incoming) > INCOMING_LIMIT:  # the rest: the paged list's address
                graph.add((subject, RDFS.seeAlso, URIRef(self.base + self.incoming_page(subject))))
            graph.add((subject, VOID.inDataset, dataset))
        for node in neighbours - set(members):
            if isinstance(node, URIRef):
                for label in self.objects(node, RDFS.label):
                    graph.add((node, RDFS.label, label))
        return graph

    def incoming_of(self, iri: Node) -> list[tuple[URIRef, URIRef]]:
        """The (subject, property) pairs pointing at ``iri``, by property then subject."""
        return sorted(self.incoming.get(iri, ()), key=lambda pair: (str(pair[1]), str(pair[0])))

    def incoming_page(self, iri: URIRef, number: int = 1) -> str:
        """The path of a page of the links to ``iri``: a dot, so it is no IRI's document."""
        doc, fragment = self.doc_of(str(iri)) or ("", "")
        return f"{doc}{'.' + fragment if fragment else ''}.incoming-{number}.html"

    def _render_incoming(
        self, env: Environment, doc: str, iri: URIRef
    ) -> Iterator[tuple[str, bytes]]:
        """The links to a much-linked resource, INCOMING_LIMIT a page."""
        incoming = self.incoming_of(iri)
        pages = [incoming[i : i + INCOMING_LIMIT] for i in range(0, len(incoming), INCOMING_LIMIT)]
        if len(pages) < 2:
            return
        for number, pairs in enumerate(pages, 1):

            def page(n: int) -> str | None:
                return (
                    posixpath.basename(self.incoming_page(iri, n)) if 0 < n <= len(pages) else None
                )

            context = {
                **self.common(doc, f"Links to {self.label(iri)} ({number}/{len(pages)})"),
                "resource": self.link(iri, doc),
                "rows": [(self.link(s, doc), self.link(p, doc)) for s, p in pairs],
                "total": len(incoming),
                "previous": page(number - 1),
                "next": page(number + 1),
            }
            html = env.get_template("incoming.html").render(context)
            yield self.incoming_page(iri, number), html.encode()

    def jsonld(self, graph: Graph, doc: str) -> str:
        """Compact JSON-LD with the shared context, named by a reference relative to ``doc``."""
        # rdflib's converter with the context parsed once (its serializer re-parses the
        # context for every document, and we would parse its JSON text back again).
        data = from_rdf(graph, self._ld_context)
        data["@context"] = self.root(doc) + CONTEXT_FILE
        stable = stable_json(data)
        return json.dumps(stable, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    # Rendering ------------------------------------------------------------------------

    def render_docs(self, docs: list[str]) -> Iterator[tuple[str, bytes]]:
        """The files of the resource documents ``docs`` (keys of ``self.docs``)."""
        env = _environment()
        for doc in docs:
            members = self.docs[doc]
            graph = self.description(members)
            jsonld = self.jsonld(graph, doc)
            context = self._page_context(doc, members, jsonld)
            yield doc + ".html", env.get_template("resource.html").render(context).encode()
            yield from rdf_files(doc, graph, jsonld, html=True)
            for iri in members:
                yield from self._render_incoming(env, doc, iri)

    def render_shared(
        self, *, sparql_endpoint: str | None, license_iri: str, site_dir: str
    ) -> Iterator[tuple[str, bytes]]:
        """The files that are not one resource's: indexes, maps, ontology, dataset, rules."""
        env = _environment()
        yield from self._render_indexes(env, sparql_endpoint)
        yield from ontology_files(self, env)
        void = description_graph(self, sparql_endpoint, license_iri)
        for doc in ("void", ".well-known/void"):
            yield from rdf_files(doc, void, self.jsonld(void, doc), html=False)
        yield CONTEXT_FILE, context_document(self.context)
        yield DUMP_FILE, dump(self)
        yield ".htaccess", htaccess().encode()
        yield f"{SERVER_FOLDER}/{NGINX_HTTP_FILE}", nginx_http(site_dir).encode()
        yield f"{SERVER_FOLDER}/{NGINX_SERVER_FILE}", nginx_server().encode()
        yield f"{SERVER_FOLDER}/{NJS_FILE}", njs_module().encode()
        yield "style.css", env.get_template("style.css").render().encode()

    def common(self, doc: str, title: str) -> dict[str, object]:
        return {"title": title, "root": self.root(doc), "version": __version__, "base": self.base}

    def _page_context(self, doc: str, members: list[URIRef], jsonld: str) -> dict[str, object]:
        sections = [self._section(doc, iri) for iri in members]
        main = sections[0]
        return {
            **self.common(doc, main["label"]),
            "sections": sections,
            "jsonld": script_json(jsonld),
            "alternates": [
                (r.media_type, posixpath.basename(doc) + r.suffix) for r in REPRESENTATIONS[1:]
            ],
        }

    def _section(self, doc: str, iri: URIRef) -> dict[str, object]:
        props: dict[URIRef, Row] = {}
        for (p, o), graphs in sorted(
            self.out.get(iri, {}).items(), key=lambda kv: (str(kv[0][0]), node_key(kv[0][1]))
        ):
            if p not in props:
                props[p] = Row(prop=self.link(p, doc, with_note=True))
            props[p].values.append((self.link(o, doc), self.sources(graphs, doc)))
        types = [self.link(t, doc) for t in self.objects(iri, RDF.type)]
        rows = sorted(props.values(), key=lambda r: (r.prop.iri != str(RDF.type), r.prop.text))
        pairs = self.incoming_of(iri)
        incoming = sorted(
            {(self.link(s, doc), self.link(p, doc)) for s, p in pairs[:INCOMING_LIMIT]},
            key=lambda pair: (pair[1].text, pair[0].text, pair[0].iri or ""),
        )
        section: dict[str, object] = {
            "iri": str(iri),
            "anchor": str(iri).partition("#")[2],
            "label": self.label(iri),
            "types": types,
            "rows": rows,
            "incoming": incoming,
            "incoming_total": len(pairs),
            "incoming_pages": posixpath.basename(self.incoming_page(iri)),
            **dict.fromkeys(("twins", "activities", "participants", "partners", "countries"), ()),
        }
        if self.kinds.get(iri) == "city":
            section["partners"] = self._partner_rows(iri, doc)
            section["twins"] = [self._twin_row(iri, twin, doc) for twin in self.twins(iri)]
            section["activities"] = [
                self._participation_row(r, "activity", doc)
                for r in self.by_participant.get(iri, [])
            ]
        if self.kinds.get(iri) in ("project", "event"):
            section["participants"] = [
                self._participation_row(r, "participant", doc)
                for r in self.by_activity.get(iri, [])
            ]
            section["countries"] = self._by_country(iri, doc)
        return section

    def partners(self, city: Node) -> dict[Node, set[Node]]:
        """The cities ``city`` shares projects or events with, each with the shared ones."""
        shared: dict[Node, set[Node]] = defaultdict(set)
        for row in self.by_participant.get(city, []):
            for other in self.by_activity.get(row["activity"], []):
                partner = other["participant"]
                if partner != city and self.kinds.get(partner) == "city":
                    shared[partner].add(row["activity"])
        return shared

    def _partner_rows(self, city: URIRef, doc: str) -> list[dict[str, object]]:
        """Who works with whom: partners by number of shared projects and events."""
        shared = self.partners(city)
        ordered = sorted(shared, key=lambda c: (-len(shared[c]), *self.sort_key(c)))
        return [
            {
                "city": self.link(partner, doc),
                "count": len(shared[partner]),
                "shared": [
                    self.link(a, doc)
                    for a in sorted(shared[partner], key=lambda a: (self.kinds.get(a, ""), str(a)))
                ],
            }
            for partner in ordered
        ]

    def _by_country(self, activity: URIRef, doc: str) -> list[dict[str, object]]:
        """An activity's participants grouped by their country (unknown country last)."""
        groups: dict[Node | None, set[Node]] = defaultdict(set)
        for row in self.by_activity.get(activity, []):
            groups[self._one(row["participant"], CN.country)].add(row["participant"])
        keys = sorted(groups, key=lambda c: (c is None, self.label(c) if c is not None else ""))
        return [
            {
                "country": self.link(country, doc) if country is not None else None,
                "members": [self.link(m, doc) for m in sorted(groups[country], key=self.sort_key)],
            }
            for country in keys
        ]

    def _twin_row(self, city: URIRef, twin: URIRef, doc: str) -> dict[str, object]:
        graphs: set[Node] = set()
        since: set[str] = set()
        for s, p in self.incoming.get(city, set()):
            if p == CN.twinCity and twin in self.objects(s, CN.twinCity):
                for (prop, value), where in self.out[s].items():
                    if prop == CN.twinCity:
                        graphs |= where
                    if prop == CN.since:
                        since.add(str(value))
        graphs |= self.out.get(city, {}).get((CN.twinnedWith, twin), set())
        graphs |= self.out.get(twin, {}).get((CN.twinnedWith, city), set())
        return {
            "city": self.link(twin, doc),
            "since": ", ".join(sorted(since)),
            "sources": self.sources(graphs, doc),
        }

    def _participation_row(self, row: dict[str, Node], show: str, doc: str) -> dict[str, object]:
        node, activity = row["node"], row["activity"]
        period = self._period(node) or self._period(activity)
        kind = "project" if self.kinds.get(activity) == "project" else "event"
        lines = [str(v) for v in self.objects(node, CN.sourceLine)]
        graphs = {g for where in self.out[node].values() for g in where}
        return {
            "what": self.link(row[show], doc),  # type: ignore[arg-type]
            "kind": kind,
            "role": self.link(row["role"], doc) if row["role"] is not None else None,
            "period": period,
            "node": self.link(node, doc),
            "sources": self.sources(graphs, doc),
            "line": ", ".join(lines),
        }

    def _period(self, node: Node) -> str:
        """Start and end ("2013 – 2015"), each once, from years or dates."""
        props = (CN.startYear, CN.startDate, CN.endYear, CN.endDate)
        return " – ".join(dict.fromkeys(str(v) for p in props for v in self.objects(node, p)))

    def _city_row(self, city: URIRef, placed: set[str]) -> dict[str, object]:
        country = self._one(city, CN.country)
        return {
            "city": self.link(city, ""),
            "country": self.link(country, "") if country is not None else None,
            "member": bool(self.objects(city, CN.memberPage)),
            "twins": len(self.twins(city)),
            "activities": len(self.by_participant.get(city, [])),
            "placed": str(city) in placed,
        }

    def _activity_row(self, activity: URIRef) -> dict[str, object]:
        place = self._one(activity, CN.place)
        return {
            "activity": self.link(activity, ""),
            "when": self._period(activity),
            "place": self.link(place, "") if place is not None else None,
            "participants": [
                self.link(r["participant"], "") for r in self.by_activity.get(activity, [])
            ],
        }

    def _render_indexes(
        self, env: Environment, sparql_endpoint: str | None
    ) -> Iterator[tuple[str, bytes]]:
        members = [c for c in self.cities if self.objects(c, CN.memberPage)]
        partners = {c: len(self.partners(c)) for c in self.cities}
        connected = sorted((c for c in self.cities if partners[c]), key=lambda c: -partners[c])
        index = {
            "connected": [(self.link(c, ""), partners[c]) for c in connected[:MOST_CONNECTED]],
            **self.common("", "citynet"),
            "map": self.city_map,
            "detail_map": self.detail_map,
            "members": [self.link(c, "") for c in members],
            "counts": {
                "cities": len(self.cities),
                "members": len(members),
                "projects": len(self.projects),
                "events": len(self.events),
                "pages": len(self.graph_names),
            },
            "sparql_endpoint": sparql_endpoint,
            "dump": DUMP_FILE,
        }
        yield "index.html", env.get_template("index.html").render(index).encode()
        yield from self._render_maps(env)
        placed = {m.iri for m in self.city_map.markers} if self.city_map else set()
        lists = (
            ("cities.html", "Cities and regions", "cities", self.cities),
            ("projects.html", "Projects", "projects", self.projects),
            ("events.html", "Events", "events", self.events),
        )
        for name, title, kind, nodes in lists:
            rows = [
                self._city_row(n, placed) if kind == "cities" else self._activity_row(n)
                for n in nodes
            ]
            context = {**self.common("", title), "kind": kind, "rows": rows}
            yield name, env.get_template("list.html").render(context).encode()

    def _render_maps(self, env: Environment) -> Iterator[tuple[str, bytes]]:
        """The maps as files of their own: the index stays small, the map loads once."""
        maps = (
            ("map.svg", self.city_map, "city-map", "city-marker", _MAP_TITLE),
            ("map-detail.svg", self.detail_map, "detail-map", "detail-marker", _DETAIL_TITLE),
        )
        for name, city_map, svg_id, marker_class, title in maps:
            if city_map is not None:
                context = {"map": city_map, "id": svg_id, "marker_class": marker_class}
                yield name, env.get_template("map.svg").render(context, title=title).encode()


def _relative_folder(folder: str, start: str) -> str:
    """``folder`` relative to ``start`` ('' or ending in '/'), as posixpath.relpath.

    Both are slug paths from the site's top ('' for the top); done on the strings, since
    relpath asks the system for the working folder on every one of the site's links.
    """
    target = folder.split("/") if folder else []
    origin = start.split("/") if start else []
    common = 0
    while common < min(len(target), len(origin)) and target[common] == origin[common]:
        common += 1
    return "".join(part + "/" for part in [".."] * (len(origin) - common) + target[common:])


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("citynet", "templates"),
        autoescape=True,  # every template, every value: data text is never trusted
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(link=Markup, sources=sources_html)  # a Link renders itself (__html__)
    return env


__all__ = [
    "DEFAULT_LICENSE",
    "DUMP_FILE",
    "INCOMING_LIMIT",
    "SITE_MARKER",
    "Site",
    "SiteResult",
    "build_site",
    "load_ontology",
    "write_site",
]
