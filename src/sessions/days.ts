/**
 * Calendar days in the bridge's local time zone: "today's watch time" means the user's today,
 * and a session running over midnight counts on both days.
 */

/** `YYYY-MM-DD` of a moment, local time. */
export function dayOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** The first millisecond of the local day after the one holding `ms` (DST-safe: built from the calendar). */
export function nextMidnight(ms: number): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
}

/** The `n` local days ending with the one holding `ms`, newest first. */
export function lastDays(ms: number, n: number): string[] {
  const d = new Date(ms);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(dayOf(new Date(d.getFullYear(), d.getMonth(), d.getDate() - i, 12).getTime()));
  return out;
}

/** Splits [from, to) at local midnights: `[day, ms]` pieces. */
export function splitByDay(from: number, to: number): [string, number][] {
  const out: [string, number][] = [];
  let t = from;
  while (t < to) {
    const end = Math.min(to, nextMidnight(t));
    out.push([dayOf(t), end - t]);
    t = end;
  }
  return out;
}
