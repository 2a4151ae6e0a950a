"""citynet: profile pages of a city network to a linked-open-data knowledge graph."""

from citynet.settings import __version__

__all__ = ["__version__"]
