// name: victims-by-destination
// description: Victims trafficked to a country (or to a place in it), with the cases and suspects linked to them.
// description: Each victim comes as a node (`victim`): a role that may see her gets her name and facts, any other role her pseudonym only.
// param: country: string — country name, alias or ISO code, any case (e.g. Bahrain or BH)
// param: limit: int = 100 — at most this many rows
MATCH (c:Location)
WHERE toLower(c.name) = toLower(trim($country))
   OR toUpper(coalesce(c.iso_code, '')) = toUpper(trim($country))
   OR any(a IN coalesce(c.aliases, []) WHERE toLower(a) = toLower(trim($country)))
WITH collect(DISTINCT c) AS countries
UNWIND countries AS c
MATCH (dest:Location)-[:LOCATED_IN*0..3]->(c)
WITH DISTINCT c, dest
MATCH (v:Person)-[t:TRAFFICKED_TO]->(dest)
RETURN v.id AS victim_id,
       v AS victim,
       c.name AS country,
       dest.name AS destination,
       t.purpose AS purpose,
       t.date AS date,
       COLLECT {
         MATCH (v)-[:VICTIM_IN]->(k:Case) RETURN DISTINCT k.name AS name ORDER BY name
       } AS cases,
       COLLECT {
         MATCH (s:Entity)-[:SUSPECT_IN|CONVICTED_IN]->(:Case)<-[:VICTIM_IN]-(v) RETURN s.name AS name
         UNION
         MATCH (s:Entity)-[:EXPLOITED|RECRUITED]->(v) RETURN s.name AS name
       } AS suspects
ORDER BY v.name, victim_id, destination
LIMIT $limit
