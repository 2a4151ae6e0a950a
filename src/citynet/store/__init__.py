"""Publishing into a triple store: one HTTP layer for the Graph Store Protocol (gsp)
and the staged, counted, all-or-nothing publish (publishing) into Oxigraph, Virtuoso,
Fuseki or any GSP store. Named ``store`` so that ``citynet.publish()`` (the API) and this
package do not share a name. Imports validation/, graph/, common/, settings and errors.
"""
