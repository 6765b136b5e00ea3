// name: organizations-sharing-links
// description: Pairs of organizations that share an address, a director (LEADS or CONTROLS) or an owner.
// param: links: list<string> = ["address", "director", "owner"] — which kinds of shared link to look for
CALL () {
  MATCH (o1:Organization)-[:LOCATED_IN]->(x:Location)<-[:LOCATED_IN]-(o2:Organization)
  WHERE x.location_type = 'address' AND o1.id < o2.id AND 'address' IN $links
  RETURN o1, o2, 'address' AS link, x
  UNION
  MATCH (o1:Organization)<-[:LEADS|CONTROLS]-(x:Person)-[:LEADS|CONTROLS]->(o2:Organization)
  WHERE o1.id < o2.id AND 'director' IN $links
  RETURN o1, o2, 'director' AS link, x
  UNION
  MATCH (o1:Organization)<-[:OWNS]-(x:Entity)-[:OWNS]->(o2:Organization)
  WHERE o1.id < o2.id AND 'owner' IN $links
  RETURN o1, o2, 'owner' AS link, x
}
RETURN o1.id AS org1_id, o1.name AS org1, o2.id AS org2_id, o2.name AS org2,
       link, x.id AS via_id, x.name AS via
ORDER BY org1, org2, link, via
