/* The selected period of the explorer (the timeline's selection): `state.period` is
 * {from, to} (ISO dates, either may be null) or null for all dates; `setPeriod` changes it
 * and tells the listeners added with `onPeriod`.
 *
 * A stand-in for the timeline's own module: workspaces save `state.period` and restore it
 * with `setPeriod`, so they keep working whichever module provides these two names. */

export const state = { period: null };
const listeners = [];

export function setPeriod(p) {
  state.period = p && (p.from || p.to) ? { from: p.from || null, to: p.to || null } : null;
  listeners.forEach((fn) => fn(state.period));
}

export function onPeriod(fn) {
  listeners.push(fn);
}
