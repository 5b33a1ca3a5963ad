// Availability as pure functions: a weekly plan in Asia/Dhaka time, minus time off, minus bookings.
// Dhaka is UTC+6 all year (no daylight saving), so local time is a fixed shift of UTC.

export const DHAKA_OFFSET_MS = 6 * 60 * 60 * 1000;
export const MINUTES_PER_WEEK = 7 * 24 * 60;
const MINUTE = 60_000;
const WEEK_MS = MINUTES_PER_WEEK * MINUTE;
/** 1970-01-05 was a Monday: week math counts from the first local Monday after the epoch. */
const FIRST_MONDAY_MS = 4 * 24 * 60 * MINUTE;

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** One entry of the weekly plan, local time, end exclusive; "24:00" means midnight at the end of the day. */
export interface WeeklySlot {
  day: Weekday;
  start: string;
  end: string;
}

export type Range = [number, number];
export interface Interval {
  start: Date;
  end: Date;
}

export function parseClock(hhmm: string): number | null {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(hhmm);
  if (!m) return null;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes <= 24 * 60 ? minutes : null;
}

export function mergeRanges(ranges: Range[]): Range[] {
  const sorted = ranges.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: Range[] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** The plan as merged minute-of-week ranges in [0, 10080). Throws on a malformed slot (callers validate first). */
export function weeklyRanges(slots: readonly WeeklySlot[]): Range[] {
  return mergeRanges(
    slots.map((s) => {
      const day = WEEKDAYS.indexOf(s.day);
      const start = parseClock(s.start);
      const end = parseClock(s.end);
      if (day < 0 || start === null || end === null || end <= start) throw new Error(`invalid slot ${s.day}`);
      return [day * 1440 + start, day * 1440 + end] as Range;
    }),
  );
}

/**
 * What the database stores: the week and a copy one week later, merged, in [0, 20160). Any window of at most one
 * week that fits the plan then lies inside one stored range, even when it wraps past Sunday midnight.
 */
export function storedWeekRanges(weekly: Range[]): Range[] {
  return mergeRanges([...weekly, ...weekly.map(([a, b]) => [a + MINUTES_PER_WEEK, b + MINUTES_PER_WEEK] as Range)]);
}

/** Back from the stored form to the plain week: clip to [0, 10080) and merge (wrapping ranges come back whole). */
export function baseWeekRanges(stored: Range[]): Range[] {
  return mergeRanges(stored.map(([a, b]) => [Math.max(a, 0), Math.min(b, MINUTES_PER_WEEK)] as Range));
}

/** Minute of the local (Dhaka) week, Monday 00:00 = 0. */
export function minuteOfWeek(at: Date): number {
  const local = at.getTime() + DHAKA_OFFSET_MS - FIRST_MONDAY_MS;
  const inWeek = ((local % WEEK_MS) + WEEK_MS) % WEEK_MS;
  return Math.floor(inWeek / MINUTE);
}

/** The window's minute-of-week range, as the stored ranges are searched (start may be up to 10079, end up to 20160). */
export function windowWeekRange(start: Date, end: Date): Range {
  const from = minuteOfWeek(start);
  return [from, from + Math.ceil((end.getTime() - start.getTime()) / MINUTE)];
}

export function coveredByPlan(stored: Range[], start: Date, end: Date): boolean {
  if (end.getTime() - start.getTime() > WEEK_MS) return false;
  const [a, b] = windowWeekRange(start, end);
  return stored.some(([lo, hi]) => lo <= a && b <= hi);
}

/** Absolute intervals of the weekly plan that meet [from, to), merged across day and week boundaries. */
export function expandPlan(weekly: Range[], from: Date, to: Date): Interval[] {
  const out: Range[] = [];
  const localFrom = from.getTime() + DHAKA_OFFSET_MS - FIRST_MONDAY_MS;
  let weekStart = Math.floor(localFrom / WEEK_MS) * WEEK_MS + FIRST_MONDAY_MS - DHAKA_OFFSET_MS;
  while (weekStart < to.getTime()) {
    for (const [a, b] of weekly) out.push([weekStart + a * MINUTE, weekStart + b * MINUTE]);
    weekStart += WEEK_MS;
  }
  return clip(mergeRanges(out), from.getTime(), to.getTime());
}

function clip(ranges: Range[], from: number, to: number): Interval[] {
  return ranges
    .map(([a, b]) => [Math.max(a, from), Math.min(b, to)] as Range)
    .filter(([a, b]) => b > a)
    .map(([a, b]) => ({ start: new Date(a), end: new Date(b) }));
}

export function subtract(base: Interval[], holes: Interval[]): Interval[] {
  let current: Range[] = base.map((i) => [i.start.getTime(), i.end.getTime()]);
  for (const h of mergeRanges(holes.map((i) => [i.start.getTime(), i.end.getTime()]))) {
    const next: Range[] = [];
    for (const [a, b] of current) {
      if (h[1] <= a || h[0] >= b) next.push([a, b]);
      else {
        if (h[0] > a) next.push([a, h[0]]);
        if (h[1] < b) next.push([h[1], b]);
      }
    }
    current = next;
  }
  return current.map(([a, b]) => ({ start: new Date(a), end: new Date(b) }));
}

/** Free time: the plan, minus time off, minus active bookings, within [from, to). */
export function freeIntervals(
  weekly: Range[],
  timeOff: Interval[],
  busy: Interval[],
  from: Date,
  to: Date,
): Interval[] {
  return subtract(expandPlan(weekly, from, to), [...timeOff, ...busy]);
}

/** True when [start, end) is entirely free. */
export function isFree(weekly: Range[], timeOff: Interval[], busy: Interval[], start: Date, end: Date): boolean {
  const free = freeIntervals(weekly, timeOff, busy, start, end);
  return free.length === 1 && free[0]?.start.getTime() === start.getTime() && free[0]?.end.getTime() === end.getTime();
}

export const ALWAYS: WeeklySlot[] = WEEKDAYS.map((day) => ({ day, start: "00:00", end: "24:00" }));

/** Windows longer than a week cannot be checked against a weekly plan in one step; nothing here books that long. */
export function durationOk(start: Date, end: Date): boolean {
  return end.getTime() > start.getTime() && end.getTime() - start.getTime() <= WEEK_MS;
}
