"""SPARQL: the named queries (queries, their VALUES block and label lookups), the
backends they run on (pyoxigraph, rdflib, a SPARQL endpoint through SPARQLWrapper) and
the result formats (results). Named ``sparql`` so that ``citynet.query()`` (the API) and
this package do not share a name. Imports validation/, graph/, resolve/, common/,
settings and errors.
"""
