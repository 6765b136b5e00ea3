// name: nearest-convicted-trafficker
// description: The shortest connection from an entity to convicted people (CONVICTED_IN a case), nearest first; links to source documents are not followed.
// param: entity_id: string — id of the person (or any entity) to start from
// param: limit: int = 5 — at most this many convicted people
MATCH (a:Entity {id: $entity_id})
MATCH (t:Person)-[:CONVICTED_IN]->(:Case)
WHERE t <> a
WITH DISTINCT a, t
MATCH p = shortestPath((a)-[*..10]-(t))
WHERE none(r IN relationships(p) WHERE type(r) = 'MENTIONED_IN')
RETURN t.id AS convicted_id,
       t.name AS convicted,
       length(p) AS hops,
       [n IN nodes(p) | n.name] AS via,
       p AS path
ORDER BY hops, convicted
LIMIT $limit
