// name: cases-without-suspect
// description: Cases with no identified suspect (nobody SUSPECT_IN or CONVICTED_IN them), with their victims and investigators.
// description: Each victim comes as {id, name}: a role that may see her gets her name, any other role her pseudonym.
// param: include_aggregate: bool = false — also list aggregate cases (reported figures, not single cases)
MATCH (c:Case)
WHERE NOT ()-[:SUSPECT_IN|CONVICTED_IN]->(c)
  AND ($include_aggregate OR NOT coalesce(c.aggregate, false))
RETURN c.id AS case_id,
       c.name AS case,
       c.case_type AS case_type,
       c.status AS status,
       COLLECT {
         MATCH (v:Person)-[:VICTIM_IN]->(c)
         RETURN {id: v.id, name: v.name} AS victim ORDER BY victim.name, victim.id
       } AS victims,
       COLLECT { MATCH (i:Entity)-[:INVESTIGATES]->(c) RETURN i.name AS n ORDER BY n } AS investigators
ORDER BY case
