/* The data model as the page uses it, from `GET /model` (pure: no DOM, no fetch).
 *
 * The server's model owns the policy: which kinds exist and how they are drawn, which
 * relationship types are single-holder (two holders conflict), control or victim-marking.
 */

/** The fill colour of a kind the model does not know (never expected from the server). */
export const UNKNOWN_COLOR = "#94a3b8";

/** Index the body of `GET /model`: kinds in the server's order, display by kind, and the
 * relationship types carrying each policy flag. */
export function indexModel(body) {
  const kinds = body.kinds.map((k) => ({
    name: k.name,
    description: k.description,
    color: k.display.color,
    shape: k.display.shape,
  }));
  const relationships = Object.fromEntries(body.relationships.map((r) => [r.name, r]));
  const flagged = (flag) => new Set(body.relationships.filter((r) => r[flag]).map((r) => r.name));
  return {
    kinds,
    display: Object.fromEntries(kinds.map((k) => [k.name, { color: k.color, shape: k.shape }])),
    relationships,
    singleHolder: flagged("single_holder"),
    control: flagged("control"),
    victimMarking: new Set(
      body.relationships.filter((r) => r.marks_victim !== null).map((r) => r.name)
    ),
    protectionLevels: [...body.protection_levels],
  };
}

/** The model before `GET /model` answered (signed out): no kinds, no rules. */
export function emptyModel() {
  return indexModel({ kinds: [], relationships: [], protection_levels: [] });
}

/** How a kind is drawn: its display, or a neutral circle for an unknown kind. */
export function displayOf(model, kind) {
  return model.display[kind] || { color: UNKNOWN_COLOR, shape: "ellipse" };
}
