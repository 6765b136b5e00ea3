// name: conflicting-leaders
// description: Conflicting claims: organizations for which the sources name more than one leader, each claim with its sources.
MATCH (p:Entity)-[l:LEADS]->(o:Entity)
WITH o, count(DISTINCT p) AS leader_count
WHERE leader_count > 1
RETURN o.id AS organization_id,
       o.name AS organization,
       leader_count,
       COLLECT {
         MATCH (p:Entity)-[l:LEADS]->(o)
         RETURN {
           leader_id: p.id, leader: p.name, role: l.role, claim: l.claim,
           sources: l.sources,
           source_titles: COLLECT { MATCH (s:Source) WHERE s.id IN l.sources RETURN s.name AS t ORDER BY t }
         } AS claim
         ORDER BY claim.leader
       } AS claims
ORDER BY organization
