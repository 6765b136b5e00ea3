// name: pyramid-reach
// description: Everyone within k hops of an organization (e.g. a pyramid), nearest first; links to source documents are not followed.
// param: org_id: string — id of the organization
// param: hops: int = 2 — how far to go, 1 to 4
MATCH (o:Organization {id: $org_id})
MATCH p = (o)-[rels*1..4]-(m:Entity)
WHERE length(p) <= $hops
  AND m <> o
  AND NOT m:Source
  AND none(r IN rels WHERE type(r) = 'MENTIONED_IN')
WITH m, min(length(p)) AS distance
RETURN m.id AS id,
       m.name AS name,
       [l IN labels(m) WHERE l <> 'Entity'][0] AS kind,
       distance
ORDER BY distance, name
