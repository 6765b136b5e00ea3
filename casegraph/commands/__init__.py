"""The sub-commands of ``casegraph``, one module per area; :mod:`casegraph.cli` joins them."""
