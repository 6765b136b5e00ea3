// name: victim-origins
// description: Where victims come from: each place of origin with the number of victims from it and the victims.
// description: Each victim comes as {id, name}: a role that may see her gets her name, any other role her pseudonym.
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
         WITH DISTINCT v
         RETURN {id: v.id, name: v.name} AS victim ORDER BY victim.name, victim.id
       } AS victims
ORDER BY victim_count DESC, origin
LIMIT $limit
