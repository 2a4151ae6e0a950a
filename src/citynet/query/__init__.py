"""citynet.query."""
