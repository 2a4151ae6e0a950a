"""citynet.scale."""
