"""citynet.graph."""
