"""citynet.site."""
