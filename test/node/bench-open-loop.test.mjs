// The open-loop bench's arithmetic: arrival schedules, the blend, percentiles, the per-kind summary and the curve's verdict.
import { describe, expect, it } from "vitest";
import {
  arrivalOffsets,
  failures,
  parseWeights,
  percentile,
  seeded,
  summarize,
  sustainedRate,
  weightedPicker,
} from "../../bench/lib/open-loop.mjs";

describe("arrivalOffsets", () => {
  it("spaces uniform arrivals exactly 1000/rate ms apart over the whole duration", () => {
    const at = arrivalOffsets(50, 2, { process: "uniform" });
    expect(at).toHaveLength(100);
    expect(at[0]).toBe(0);
    for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeCloseTo(20, 9);
    expect(at.at(-1)).toBeLessThan(2000);
  });

  it("draws Poisson arrivals with the requested mean rate, in order, inside the step", () => {
    const at = arrivalOffsets(200, 60, { rand: seeded(1) });
    expect(at.length).toBeGreaterThan(200 * 60 * 0.97);
    expect(at.length).toBeLessThan(200 * 60 * 1.03);
    expect(at.every((t, i) => t >= 0 && t < 60_000 && (i === 0 || t >= at[i - 1]))).toBe(true);
    // Exponential gaps: their standard deviation equals their mean (uniform gaps would have none).
    const gaps = at.slice(1).map((t, i) => t - at[i]);
    const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((s, g) => s + (g - mean) ** 2, 0) / gaps.length);
    expect(mean).toBeCloseTo(5, 0);
    expect(sd / mean).toBeGreaterThan(0.9);
    expect(sd / mean).toBeLessThan(1.1);
  });

  it("gives the same schedule for the same seed", () => {
    expect(arrivalOffsets(25, 4, { rand: seeded(9) })).toEqual(arrivalOffsets(25, 4, { rand: seeded(9) }));
  });

  it("schedules nothing for a zero rate and refuses an unknown process", () => {
    expect(arrivalOffsets(0, 10)).toEqual([]);
    expect(() => arrivalOffsets(10, 1, { process: "bursty" })).toThrow(/unknown arrival process/);
  });
});

describe("weightedPicker", () => {
  it("falls on each kind in proportion to its weight", () => {
    const pick = weightedPicker({ search: 70, write: 5, login: 25, none: 0 });
    const rand = seeded(3);
    const counts = {};
    for (let i = 0; i < 100_000; i++) {
      const k = pick(rand());
      counts[k] = (counts[k] ?? 0) + 1;
    }
    expect(counts.search / 1000).toBeCloseTo(70, 0);
    expect(counts.write / 1000).toBeCloseTo(5, 0);
    expect(counts.none).toBeUndefined();
  });

  it("maps the edges of [0, 1) onto the first and last kinds", () => {
    const pick = weightedPicker({ a: 1, b: 1 });
    expect(pick(0)).toBe("a");
    expect(pick(0.4999)).toBe("a");
    expect(pick(0.5)).toBe("b");
    expect(pick(0.999999)).toBe("b");
  });

  it("refuses weights that sum to nothing", () => {
    expect(() => weightedPicker({ a: 0 })).toThrow(/positive sum/);
  });
});

describe("parseWeights", () => {
  it("reads kind:weight pairs and refuses unknown kinds or bad numbers", () => {
    expect(parseWeights("search:60, write:40", ["search", "write"])).toEqual({ search: 60, write: 40 });
    expect(() => parseWeights("serch:60", ["search"])).toThrow(/unknown kind "serch"/);
    expect(() => parseWeights("search:lots", ["search"])).toThrow(/must be a number/);
  });
});

describe("percentile", () => {
  it("takes the nearest rank of an ascending array", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 95)).toBe(95);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });
});

describe("summarize", () => {
  it("counts each outcome apart and measures latency over 2xx and expected 4xx only", () => {
    const s = summarize([
      { ms: 10, status: 200 },
      { ms: 20, status: 201 },
      { ms: 30, status: 409, expected: true },
      { ms: 1, status: 401 },
      { ms: 2, status: 503 },
      { ms: 5000, status: 0, error: "timeout" },
      { ms: 3, status: 0, error: "error" },
    ]);
    expect(s).toMatchObject({
      count: 7,
      ok2xx: 2,
      expected4xx: { 409: 1 },
      other4xx: { 401: 1 },
      fivexx: 1,
      errors: 1,
      timeouts: 1,
      p50: 20,
      p99: 30,
    });
    expect(failures(s)).toBe(4);
  });

  it("has no percentiles when nothing succeeded", () => {
    expect(summarize([{ ms: 1, status: 500 }])).toMatchObject({ p50: null, p95: null, p99: null, fivexx: 1 });
  });
});

describe("sustainedRate", () => {
  const step = (rate, p95, failed = 0, count = 1000) => ({ rate, p95, failed, count });
  const opts = { failuresOf: (s) => s.failed, countOf: (s) => s.count };

  it("is the highest rate whose p95 stays within 2x of the first step's, every step so far", () => {
    const steps = [step(25, 10), step(50, 12), step(100, 19.9), step(200, 35), step(400, 15)];
    expect(sustainedRate(steps, (s) => s.p95, opts)).toBe(100);
  });

  it("stops at a step with more than 1% failures even if its latency is fine", () => {
    const steps = [step(25, 10), step(50, 11, 11), step(100, 12)];
    expect(sustainedRate(steps, (s) => s.p95, opts)).toBe(25);
  });

  it("is null when the first step has no latency or fails itself", () => {
    expect(sustainedRate([step(25, null)], (s) => s.p95, opts)).toBeNull();
    expect(sustainedRate([step(25, 10, 500)], (s) => s.p95, opts)).toBeNull();
    expect(sustainedRate([], (s) => s.p95, opts)).toBeNull();
  });
});
