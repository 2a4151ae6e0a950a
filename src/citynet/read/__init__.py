"""The read stage: a profile page (text or HTML) -> one PageRecord with its warnings.

Owns page records (records), decoding and normalising (normalize), the HTML-to-text
step (html), the line reader (reader, grammar, links, twins, activities, cityname),
dates (dates), place words (placewords) and the reader's limits (limits); the entry
points are in :mod:`citynet.read.pages`. Imports only ``citynet.common`` and
``citynet.errors``: no RDF library, nothing of the later stages.
"""
