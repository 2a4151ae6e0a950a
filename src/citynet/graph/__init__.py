"""The graph stage: records -> RDF, and the one build pipeline.

Owns the vocabulary (vocab), the RDF formats table and loading (formats), mapping a page
record to its named graph (mapping), the TriG writer (trig), every output file (outputs),
the pipeline's steps (steps: per page; pipeline: the driver, a loop or an executor;
counting) and ``build`` (the pages to build, the build in this process), plus Wikidata's
twinnings (twins). Imports resolve/, read/, common/, settings and errors.
"""
