"""citynet: profile pages of a city network to a linked-open-data knowledge graph."""

__version__ = "0.1.0"
