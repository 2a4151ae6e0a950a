"""citynet.read."""
