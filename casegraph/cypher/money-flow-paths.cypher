// name: money-flow-paths
// description: Money-flow paths (PAID and INVESTED_IN, followed in their direction, no entity twice) from one entity to another, up to 6 hops, with the amount of each hop.
// param: from_id: string — id of the entity the money leaves
// param: to_id: string — id of the entity the money reaches
// param: limit: int = 25 — at most this many paths, shortest first
MATCH (a:Entity {id: $from_id}), (b:Entity {id: $to_id})
MATCH p = (a)-[:PAID|INVESTED_IN*1..6]->(b)
WHERE all(i IN range(0, length(p) - 1)
          WHERE none(j IN range(i + 1, length(p)) WHERE nodes(p)[i] = nodes(p)[j]))
WITH p
ORDER BY length(p)
LIMIT $limit
RETURN p AS path,
       length(p) AS hops,
       [r IN relationships(p) | {
          from: startNode(r).name, to: endNode(r).name, type: type(r),
          amount: r.amount, currency: r.currency, date: r.date
       }] AS flow,
       reduce(m = null, r IN relationships(p) |
              CASE WHEN m IS NULL OR r.amount < m THEN r.amount ELSE m END) AS smallest_hop
