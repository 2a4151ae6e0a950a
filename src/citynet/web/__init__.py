"""The static linked-data site: pages, Turtle, JSON-LD, RDF/XML and N-Triples for every
IRI (generate), the map (svgmap), the ontology page, the dataset's VoID and DCAT-AP
description (dataset), the shared JSON-LD context (context), content negotiation for
Apache, nginx and ``citynet serve`` (conneg, serve). Named ``web`` so that
``citynet.site()`` (the API) and this package do not share a name. Imports validation/,
graph/, common/, settings and errors.
"""
