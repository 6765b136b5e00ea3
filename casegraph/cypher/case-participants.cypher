// name: case-participants
// description: Everyone in a case by role: suspects, convicts, victims, witnesses and investigators.
// param: case_id: string — id of the case
MATCH (c:Case {id: $case_id})<-[r:SUSPECT_IN|CONVICTED_IN|VICTIM_IN|WITNESS_IN|INVESTIGATES]-(a:Entity)
RETURN type(r) AS role,
       a.id AS id,
       a.name AS name,
       [l IN labels(a) WHERE l <> 'Entity'][0] AS kind,
       r.date AS date,
       r.sentence AS sentence
ORDER BY role, name
