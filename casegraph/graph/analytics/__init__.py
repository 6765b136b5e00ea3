"""Link analysis: a NetworkX projection of the graph and the measures run on it.

One module per family, NetworkX style: :mod:`.projection` (Neo4j → NetworkX),
:mod:`.cache` (per graph version), :mod:`.centrality`, :mod:`.communities`,
:mod:`.brokers`, :mod:`.keyplayers`, :mod:`.routes`, :mod:`.pyramid`, :mod:`.writeback`,
and :mod:`.service`, which joins them into the answers the API and the CLI give.
"""
