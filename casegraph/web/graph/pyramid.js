/* The pyramid tree to draw, from the server's report (pure).
 *
 * `GET /analytics/pyramid/{id}` lists the tree's `members`, each with its `parent` (its
 * recruiter, or null when it hangs from the organization), what it invested and what it
 * was paid; this module only adds each member's level and number of recruits, the tree's
 * edges and the table's order.
 */

/** The type shown on the edge from a member's parent: RECRUITED below another member;
 * INVESTED_IN (an investor) or LEADS (a recruiter who did not invest) under the root. */
export function treeEdgeType(member) {
  if (member.parent !== null) return "RECRUITED";
  return member.investor ? "INVESTED_IN" : "LEADS";
}

/** The tree of a pyramid report: {root, organization, members, edges, levels, investors,
 * neverPaid, currency, rows}. A member's `level` is 1 under the organization; `recruits`
 * counts its direct recruits; `rows` is the table's order (by level, then amount). */
export function pyramidTree(report) {
  const root = report.organization.id;
  const byId = new Map(report.members.map((m) => [m.id, m]));
  const recruits = new Map();
  for (const m of report.members) {
    const up = m.parent ?? root;
    recruits.set(up, (recruits.get(up) || 0) + 1);
  }
  const levels = new Map();
  const levelOf = (id) => {
    if (!levels.has(id)) {
      const m = byId.get(id);
      levels.set(id, m.parent === null ? 1 : levelOf(m.parent) + 1);
    }
    return levels.get(id);
  };
  const members = report.members.map((m) => ({
    ...m,
    level: levelOf(m.id),
    recruits: recruits.get(m.id) || 0,
  }));
  const edges = members.map((m) => ({
    id: `tree|${m.parent ?? root}|${m.id}`,
    source: m.parent ?? root,
    target: m.id,
    type: treeEdgeType(m),
  }));
  const investors = members.filter((m) => m.investor);
  return {
    root,
    organization: report.organization,
    rootRecruits: recruits.get(root) || 0,
    members,
    edges,
    levels: Math.max(0, ...members.map((m) => m.level)),
    investors: investors.length,
    neverPaid: investors.filter((m) => !m.paid_out).length,
    currency: report.currencies.length === 1 ? report.currencies[0] : null,
    rows: [...members].sort(
      (a, b) => a.level - b.level || b.invested - a.invested || a.id.localeCompare(b.id)
    ),
  };
}

/** The size of a member's node: bigger for more recruits (capped). */
export function memberSize(member) {
  return 24 + Math.min(30, 7 * member.recruits);
}
