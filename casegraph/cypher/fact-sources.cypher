// name: fact-sources
// description: Every source behind the facts about an entity: the entity itself and each of its relationships, with the documents that assert it.
// param: entity_id: string — id of the entity
MATCH (e:Entity {id: $entity_id})
CALL (e) {
  RETURN 'entity' AS fact_kind, e.name AS fact, coalesce(e.sources, []) AS source_ids
  UNION ALL
  MATCH (e)-[r]-(o:Entity)
  WHERE type(r) <> 'MENTIONED_IN'
  RETURN 'relationship' AS fact_kind,
         startNode(r).name + ' ' + type(r) + ' ' + endNode(r).name AS fact,
         coalesce(r.sources, []) AS source_ids
}
RETURN fact_kind,
       fact,
       source_ids,
       COLLECT {
         MATCH (s:Source) WHERE s.id IN source_ids
         RETURN {id: s.id, title: s.name, url: s.url, published: s.published} AS doc
         ORDER BY doc.id
       } AS documents
ORDER BY fact_kind, fact
