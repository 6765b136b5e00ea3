/* The selected period: one shared state field, `state.period`, either null (no period: every
 * fact shows) or {from: "YYYY-MM-DD", to: "YYYY-MM-DD"}. The timeline sets it, the graph
 * shows only the facts of that period, and a saved workspace restores it with
 * `setPeriod(period)`. Listeners added with `onPeriod` run after each change.
 *
 * Dates in the data are "YYYY", "YYYY-MM" or "YYYY-MM-DD": a fact dated "2016" spans the
 * whole year, so it lies in any period that overlaps 2016. The helpers are pure.
 */

export const state = { period: null };
const listeners = [];

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const PARTIAL = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/;

/** The last day of month `m` (1-12) of year `y`. */
function lastDay(y, m) {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

const pad = (n) => String(n).padStart(2, "0");

/** [first day, last day] ("YYYY-MM-DD") a date of the data stands for; null when it is
 * not a date ("2016" → ["2016-01-01", "2016-12-31"]). */
export function dateBounds(value) {
  if (typeof value !== "string") return null;
  const m = PARTIAL.exec(value.trim());
  if (!m) return null;
  const y = Number(m[1]);
  if (m[3]) return [`${m[1]}-${m[2]}-${m[3]}`, `${m[1]}-${m[2]}-${m[3]}`];
  if (m[2]) return [`${m[1]}-${m[2]}-01`, `${m[1]}-${m[2]}-${pad(lastDay(y, Number(m[2])))}`];
  return [`${m[1]}-01-01`, `${m[1]}-12-31`];
}

/** The span [from, to] of a fact dated `date` (and ending `end`); null when undated. */
export function factSpan(date, end) {
  const a = dateBounds(date);
  const b = dateBounds(end);
  if (!a && !b) return null;
  return [(a || b)[0], (b || a)[1]];
}

/** The span of a relationship from its properties: `date`, or `start_date`/`end_date`. */
export function relationshipSpan(props = {}) {
  if (props.date) return factSpan(props.date, props.end_date);
  return factSpan(props.start_date, props.end_date);
}

/** Whether span [from, to] overlaps `period` (a null period holds every span). */
export function inPeriod(span, period) {
  if (!period) return true;
  if (!span) return false;
  return span[0] <= period.to && span[1] >= period.from;
}

/** `period` checked and put in order: {from, to} of two "YYYY-MM-DD" dates (swapped when
 * given the wrong way round), or null for no period. Throws on anything else. */
export function normalizePeriod(period) {
  if (period === null || period === undefined) return null;
  const { from, to } = period;
  if (!DAY.test(from || "") || !DAY.test(to || "")) {
    throw new Error(`a period is {from, to} of two YYYY-MM-DD dates, not ${JSON.stringify(period)}`);
  }
  return from <= to ? { from, to } : { from: to, to: from };
}

/** A Date as "YYYY-MM-DD" (UTC). */
export function isoDay(date) {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** Set the period (null: none) and tell the listeners; returns the period set. */
export function setPeriod(period) {
  const next = normalizePeriod(period);
  const same = (next && state.period && next.from === state.period.from && next.to === state.period.to)
    || (!next && !state.period);
  state.period = next;
  if (!same) listeners.forEach((fn) => fn(next));
  return next;
}

/** Run `fn(period)` after every change of the period. */
export function onPeriod(fn) {
  listeners.push(fn);
}
