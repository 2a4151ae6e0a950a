"""SHACL validation: the shapes (loading and lint), the data as the engines read it, the
engines behind one interface, and the one report they all feed.

Modules, each importing only those before it: ``shapes`` (load, lint), ``data`` (every
input as N-Quads with literals as written, and a store view for the report), ``report``
(rows to results with labels and page lines; text, JSON, Turtle), ``engines`` (pySHACL,
pyshacl-turbo), ``validate`` (the facade: ``validate()``). May import graph/, common/
and errors; nothing here imports scale/, sparql/, store/, web/ or the CLI.
"""
