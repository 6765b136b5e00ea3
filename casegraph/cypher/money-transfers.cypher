// name: money-transfers
// description: Payments and investments above an amount, optionally since a date and in one currency, largest first.
// param: min_amount: float = 0 — only amounts at least this large
// param: since: date = null — only transfers dated on or after this date (YYYY, YYYY-MM or YYYY-MM-DD)
// param: currency: string = null — only this currency (e.g. USD)
// param: limit: int = 100 — at most this many rows
MATCH (a:Entity)-[p:PAID|INVESTED_IN]->(b:Entity)
WHERE coalesce(p.amount, 0) >= $min_amount
  AND ($since IS NULL OR p.date >= $since)
  AND ($currency IS NULL OR p.currency = $currency)
RETURN p.date AS date,
       type(p) AS transfer,
       a.id AS payer_id, a.name AS payer,
       b.id AS payee_id, b.name AS payee,
       p.amount AS amount, p.currency AS currency, p.purpose AS purpose
ORDER BY amount DESC, date, payer
LIMIT $limit
