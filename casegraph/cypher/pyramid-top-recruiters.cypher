// name: pyramid-top-recruiters
// description: The top recruiters of a pyramid organization: investors they recruited directly, and the investors and money of their whole downline.
// param: org_id: string — id of the pyramid organization
// param: top: int = 10 — at most this many rows
MATCH (o:Organization {id: $org_id})
MATCH (r:Entity)-[:RECRUITED]->(d:Person)-[:INVESTED_IN]->(o)
WITH o, r, count(DISTINCT d) AS direct_recruits
CALL (o, r) {
  MATCH (r)-[:RECRUITED*1..10]->(down:Person)
  WHERE (down)-[:INVESTED_IN]->(o)
  WITH DISTINCT down
  MATCH (down)-[inv:INVESTED_IN]->(o)
  RETURN count(DISTINCT down) AS downline_investors, sum(inv.amount) AS downline_invested
}
RETURN r.id AS recruiter_id, r.name AS recruiter, direct_recruits,
       downline_investors, downline_invested
ORDER BY downline_investors DESC, direct_recruits DESC, recruiter
LIMIT $top
