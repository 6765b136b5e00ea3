// name: pyramid-top-investors
// description: The top investors of a pyramid organization: total amount invested (per currency) and number of investments.
// param: org_id: string — id of the pyramid organization
// param: top: int = 10 — at most this many rows
MATCH (x:Entity)-[i:INVESTED_IN]->(o:Organization {id: $org_id})
WITH x, i.currency AS currency, sum(i.amount) AS invested, count(i) AS investments
RETURN x.id AS investor_id, x.name AS investor, invested, currency, investments
ORDER BY invested DESC, investor
LIMIT $top
