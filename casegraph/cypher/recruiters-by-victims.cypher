// name: recruiters-by-victims
// description: Recruiters linked to at least N victims (people they recruited who were trafficked, exploited or are victims in a case).
// description: Each victim comes as {id, name}: a role that may see her gets her name, any other role her pseudonym.
// param: min_victims: int = 2 — at least this many victims
MATCH (r:Entity)-[:RECRUITED]->(v:Person)
WHERE (v)-[:VICTIM_IN|TRAFFICKED_TO]->() OR ()-[:EXPLOITED]->(v)
WITH r, count(DISTINCT v) AS victim_count
WHERE victim_count >= $min_victims
RETURN r.id AS recruiter_id,
       r.name AS recruiter,
       victim_count,
       COLLECT {
         MATCH (r)-[:RECRUITED]->(v:Person)
         WHERE (v)-[:VICTIM_IN|TRAFFICKED_TO]->() OR ()-[:EXPLOITED]->(v)
         WITH DISTINCT v
         RETURN {id: v.id, name: v.name} AS victim ORDER BY victim.name, victim.id
       } AS victims
ORDER BY victim_count DESC, recruiter
