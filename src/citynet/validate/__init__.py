"""citynet.validate."""
