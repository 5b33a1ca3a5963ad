import { describe, expect, it } from "vitest";
import {
  ALWAYS,
  baseWeekRanges,
  coveredByPlan,
  expandPlan,
  freeIntervals,
  isFree,
  minuteOfWeek,
  storedWeekRanges,
  weeklyRanges,
} from "./availability";

const d = (iso: string) => new Date(iso);
const iso = (xs: { start: Date; end: Date }[]) => xs.map((x) => [x.start.toISOString(), x.end.toISOString()]);

describe("minuteOfWeek", () => {
  it("counts from Monday 00:00 in Dhaka, which is Sunday 18:00 UTC", () => {
    expect(minuteOfWeek(d("2030-01-06T18:00:00Z"))).toBe(0); // 2030-01-07 is a Monday
    expect(minuteOfWeek(d("2030-01-07T03:00:00Z"))).toBe(9 * 60); // Mon 09:00 Dhaka
    expect(minuteOfWeek(d("2030-01-06T17:59:00Z"))).toBe(7 * 1440 - 1); // Sun 23:59 Dhaka
  });
});

describe("weekly plan", () => {
  it("merges touching and overlapping slots, including a day that runs to 24:00 into the next", () => {
    const ranges = weeklyRanges([
      { day: "mon", start: "09:00", end: "13:00" },
      { day: "mon", start: "12:00", end: "24:00" },
      { day: "tue", start: "00:00", end: "02:00" },
    ]);
    expect(ranges).toEqual([[9 * 60, 1440 + 120]]);
  });

  it("refuses a slot that ends before it starts or uses a bad clock", () => {
    expect(() => weeklyRanges([{ day: "mon", start: "17:00", end: "09:00" }])).toThrow();
    expect(() => weeklyRanges([{ day: "mon", start: "9am", end: "17:00" }])).toThrow();
    expect(() => weeklyRanges([{ day: "mon", start: "24:30", end: "24:45" }])).toThrow();
  });

  it("covers a window across Dhaka midnight only when both evenings and mornings are in the plan", () => {
    const plan = storedWeekRanges(
      weeklyRanges([
        { day: "fri", start: "20:00", end: "24:00" },
        { day: "sat", start: "00:00", end: "06:00" },
      ]),
    );
    // Fri 2030-01-11 22:00 Dhaka = 16:00Z, to Sat 02:00 Dhaka = 20:00Z.
    expect(coveredByPlan(plan, d("2030-01-11T16:00:00Z"), d("2030-01-11T20:00:00Z"))).toBe(true);
    expect(coveredByPlan(plan, d("2030-01-11T16:00:00Z"), d("2030-01-12T01:00:00Z"))).toBe(false);
    expect(coveredByPlan(plan, d("2030-01-11T13:00:00Z"), d("2030-01-11T15:00:00Z"))).toBe(false);
  });

  it("covers a window that wraps past Sunday midnight into Monday", () => {
    const plan = storedWeekRanges(
      weeklyRanges([
        { day: "sun", start: "22:00", end: "24:00" },
        { day: "mon", start: "00:00", end: "03:00" },
      ]),
    );
    // Sun 2030-01-13 23:00 Dhaka = 17:00Z, to Mon 01:00 Dhaka = 19:00Z.
    expect(coveredByPlan(plan, d("2030-01-13T17:00:00Z"), d("2030-01-13T19:00:00Z"))).toBe(true);
  });

  it("recovers the plain week from the stored form", () => {
    const weekly = weeklyRanges([
      { day: "sun", start: "22:00", end: "24:00" },
      { day: "mon", start: "00:00", end: "03:00" },
      { day: "wed", start: "09:00", end: "17:00" },
    ]);
    expect(baseWeekRanges(storedWeekRanges(weekly))).toEqual(weekly);
  });

  it("lets an around-the-clock plan cover any window up to a week", () => {
    const plan = storedWeekRanges(weeklyRanges(ALWAYS));
    expect(plan).toEqual([[0, 20160]]);
    expect(coveredByPlan(plan, d("2030-03-05T11:17:00Z"), d("2030-03-11T11:17:00Z"))).toBe(true);
    expect(coveredByPlan(plan, d("2030-03-05T11:17:00Z"), d("2030-03-13T11:17:00Z"))).toBe(false);
  });
});

describe("free intervals", () => {
  const weekdays9to17 = weeklyRanges(
    (["mon", "tue", "wed", "thu", "fri"] as const).map((day) => ({ day, start: "09:00", end: "17:00" })),
  );

  it("expands the plan into UTC intervals", () => {
    // Mon 2030-01-07 .. Wed 2030-01-09 (Dhaka), 09:00-17:00 Dhaka = 03:00-11:00Z.
    expect(iso(expandPlan(weekdays9to17, d("2030-01-07T00:00:00Z"), d("2030-01-09T00:00:00Z")))).toEqual([
      ["2030-01-07T03:00:00.000Z", "2030-01-07T11:00:00.000Z"],
      ["2030-01-08T03:00:00.000Z", "2030-01-08T11:00:00.000Z"],
    ]);
  });

  it("subtracts time off and bookings, and clips to the asked range", () => {
    const free = freeIntervals(
      weekdays9to17,
      [{ start: d("2030-01-07T05:00:00Z"), end: d("2030-01-07T06:00:00Z") }],
      [{ start: d("2030-01-07T09:00:00Z"), end: d("2030-01-07T12:00:00Z") }],
      d("2030-01-07T04:00:00Z"),
      d("2030-01-07T23:00:00Z"),
    );
    expect(iso(free)).toEqual([
      ["2030-01-07T04:00:00.000Z", "2030-01-07T05:00:00.000Z"],
      ["2030-01-07T06:00:00.000Z", "2030-01-07T09:00:00.000Z"],
    ]);
  });

  it("merges a night shift across Dhaka midnight into one interval", () => {
    const night = weeklyRanges([
      { day: "fri", start: "20:00", end: "24:00" },
      { day: "sat", start: "00:00", end: "06:00" },
    ]);
    expect(iso(expandPlan(night, d("2030-01-11T00:00:00Z"), d("2030-01-12T12:00:00Z")))).toEqual([
      ["2030-01-11T14:00:00.000Z", "2030-01-12T00:00:00.000Z"],
    ]);
  });

  it("says a window is free only when nothing in it is missing", () => {
    const busy = [{ start: d("2030-01-08T04:00:00Z"), end: d("2030-01-08T05:00:00Z") }];
    expect(isFree(weekdays9to17, [], busy, d("2030-01-08T05:00:00Z"), d("2030-01-08T07:00:00Z"))).toBe(true);
    expect(isFree(weekdays9to17, [], busy, d("2030-01-08T03:30:00Z"), d("2030-01-08T04:30:00Z"))).toBe(false);
    expect(isFree(weekdays9to17, [], [], d("2030-01-08T10:00:00Z"), d("2030-01-08T12:00:00Z"))).toBe(false);
  });
});
