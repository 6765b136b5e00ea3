// name: entity-timeline
// description: An entity's timeline: the dated facts about it (its relationships, its cases, its own dates), in date order.
// param: entity_id: string — id of the entity
MATCH (e:Entity {id: $entity_id})
CALL (e) {
  MATCH (e)-[r]-(o:Entity)
  WHERE type(r) <> 'MENTIONED_IN'
  UNWIND [['date', r.date], ['start', r.start_date], ['end', r.end_date]] AS d
  WITH e, r, o, d WHERE d[1] IS NOT NULL
  RETURN d[1] AS date, d[0] AS what, type(r) AS fact,
         CASE WHEN startNode(r) = e THEN 'out' ELSE 'in' END AS direction,
         o.id AS other_id, o.name AS other, r.sources AS sources
  UNION ALL
  MATCH (e)-[r]-(c:Case)
  UNWIND [['case start', c.start_date], ['case end', c.end_date]] AS d
  WITH e, r, c, d WHERE d[1] IS NOT NULL
  RETURN d[1] AS date, d[0] AS what, type(r) AS fact,
         CASE WHEN startNode(r) = e THEN 'out' ELSE 'in' END AS direction,
         c.id AS other_id, c.name AS other, c.sources AS sources
  UNION ALL
  UNWIND [['start', e.start_date], ['end', e.end_date], ['published', e.published]] AS d
  WITH e, d WHERE d[1] IS NOT NULL
  RETURN d[1] AS date, d[0] AS what, 'own date' AS fact, null AS direction,
         null AS other_id, null AS other, e.sources AS sources
}
RETURN date, what, fact, direction, other_id, other, sources
ORDER BY date, fact, other
