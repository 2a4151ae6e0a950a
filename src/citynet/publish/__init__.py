"""citynet.publish."""
