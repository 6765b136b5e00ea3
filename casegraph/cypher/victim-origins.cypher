// name: victim-origins
// description: Where victims come from: each place of origin with the number of victims from it and their names.
// param: limit: int = 50 — at most this many places
MATCH (v:Person)-[:ORIGINATES_FROM]->(o:Location)
WHERE (v)-[:VICTIM_IN|TRAFFICKED_TO]->() OR ()-[:EXPLOITED]->(v)
WITH o, count(DISTINCT v) AS victim_count
RETURN o.id AS origin_id,
       o.name AS origin,
       o.iso_code AS iso_code,
       victim_count,
       COLLECT {
         MATCH (v:Person)-[:ORIGINATES_FROM]->(o)
         WHERE (v)-[:VICTIM_IN|TRAFFICKED_TO]->() OR ()-[:EXPLOITED]->(v)
         RETURN DISTINCT v.name AS name ORDER BY name
       } AS victims
ORDER BY victim_count DESC, origin
LIMIT $limit
