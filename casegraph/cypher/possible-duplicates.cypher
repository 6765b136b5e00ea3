// name: possible-duplicates
// description: Possible duplicates: groups of entities of one kind with the same normalized (transliterated) name, and pairs marked POSSIBLY_SAME_AS; largest groups first.
// param: limit: int = 200 — at most this many groups
CALL () {
  MATCH (a:Entity)
  WHERE NOT a:Source AND a.name_key IS NOT NULL AND a.name_key <> ''
  WITH a ORDER BY a.id
  WITH a.name_key AS key, [l IN labels(a) WHERE l <> 'Entity'][0] AS kind, collect(a) AS same
  WHERE size(same) > 1
  RETURN kind, 'same normalized name' AS reason, same AS members, null AS score
  UNION
  MATCH (a:Entity)-[r:POSSIBLY_SAME_AS]-(b:Entity)
  WHERE a.id < b.id
  RETURN [l IN labels(a) WHERE l <> 'Entity'][0] AS kind,
         'POSSIBLY_SAME_AS' + coalesce(' (' + r.method + ')', '') AS reason,
         [a, b] AS members, r.score AS score
}
RETURN kind,
       reason,
       size(members) AS count,
       [m IN members | m.id] AS ids,
       [m IN members | m.name] AS names,
       score
ORDER BY count DESC, names[0], reason
LIMIT $limit
