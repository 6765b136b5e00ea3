// name: possible-duplicates
// description: Possible duplicates: entities of one kind with the same normalized (transliterated) name, and pairs marked POSSIBLY_SAME_AS.
CALL () {
  MATCH (a:Entity)
  WHERE NOT a:Source AND a.name_key IS NOT NULL AND a.name_key <> ''
  WITH a.name_key AS key, [l IN labels(a) WHERE l <> 'Entity'][0] AS kind, collect(a) AS same
  WHERE size(same) > 1
  UNWIND same AS a
  UNWIND same AS b
  WITH a, b WHERE a.id < b.id
  RETURN a, b, 'same normalized name' AS reason, null AS score
  UNION
  MATCH (a:Entity)-[r:POSSIBLY_SAME_AS]-(b:Entity)
  WHERE a.id < b.id
  RETURN a, b, 'POSSIBLY_SAME_AS' + coalesce(' (' + r.method + ')', '') AS reason, r.score AS score
}
RETURN a.id AS id1, a.name AS name1, b.id AS id2, b.name AS name2,
       [l IN labels(a) WHERE l <> 'Entity'][0] AS kind, reason, score
ORDER BY name1, name2, reason
