"""Documents to proposals: text from files, entities, links to the graph, relationships.

Nothing here writes to the graph; ``casegraph extract`` prints what a reviewer decides on.
"""
