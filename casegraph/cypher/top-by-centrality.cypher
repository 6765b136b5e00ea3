// name: top-by-centrality
// description: Entities ranked by a centrality score written back by the analytics (`casegraph analyze centrality --measure M --write` stores centrality_<M>), with their degree.
// param: measure: string = "betweenness" — degree, betweenness, closeness, pagerank, eigenvector or kcore
// param: kind: string = null — only entities of this kind (Person, Organization, Location, Case)
// param: top: int = 20 — at most this many rows
MATCH (n:Entity)
WHERE n['centrality_' + $measure] IS NOT NULL
  AND ($kind IS NULL OR $kind IN labels(n))
RETURN n.id AS id,
       n.name AS name,
       [l IN labels(n) WHERE l <> 'Entity'][0] AS kind,
       n['centrality_' + $measure] AS score,
       COUNT { (n)--() } AS degree
ORDER BY score DESC, name
LIMIT $top
