"""Fetching the network's profile pages from its web site, politely and resumably.

``crawl`` runs a fetch, ``client`` is the polite HTTP client, ``urls`` has the profile
rules, sitemaps and links, ``log`` the fetch log, ``content`` a page's main content.
"""
