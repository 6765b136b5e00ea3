// name: case-bridges
// description: People and organizations who connect cases: suspects, victims, witnesses or convicts in at least N different cases.
// param: min_cases: int = 2 — in at least this many cases
MATCH (a:Entity)-[:SUSPECT_IN|VICTIM_IN|WITNESS_IN|CONVICTED_IN]->(c:Case)
WHERE a:Person OR a:Organization
WITH a, count(DISTINCT c) AS case_count
WHERE case_count >= $min_cases
RETURN a.id AS id,
       a.name AS name,
       [l IN labels(a) WHERE l <> 'Entity'][0] AS kind,
       case_count,
       COLLECT {
         MATCH (a)-[r:SUSPECT_IN|VICTIM_IN|WITNESS_IN|CONVICTED_IN]->(c:Case)
         RETURN c.name + ' (' + type(r) + ')' AS role ORDER BY role
       } AS roles
ORDER BY case_count DESC, name
