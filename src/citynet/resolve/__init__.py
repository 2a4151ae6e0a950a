"""The resolve stage: which real place, project and event each name on the pages means.

Owns the offline gazetteer (gazetteer, aliases), places (places), projects and events
(projects, events, mentions), twinnings across pages (twinnings) and the resolution
result (result); the entry points are in :mod:`citynet.resolve.resolution`. Works on
:mod:`citynet.read` records; imports no RDF library. (It still reads the IRI policy,
:mod:`citynet.common.iris`, to key places and activities.)
"""
