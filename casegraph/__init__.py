"""casegraph: a knowledge graph of human-trafficking networks and financial pyramids."""

__version__ = "0.1.0"
