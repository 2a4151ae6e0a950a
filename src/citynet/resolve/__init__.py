"""citynet.resolve."""
