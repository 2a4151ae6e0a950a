"""Fetching the network's profile pages from its web site, politely and resumably.

``crawl`` runs a fetch (discovery, robots.txt, delays, conditional requests, the log);
``client`` is the polite HTTP client; ``urls`` the profile-path rules, sitemaps and link
lists; ``log`` the fetch log and the provenance it gives the build; ``content`` finds a
page's main content among the site's boilerplate. Imports only ``common`` and ``errors``.
"""
