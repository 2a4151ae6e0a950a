"""citynet.common."""
