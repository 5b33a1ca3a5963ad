import { describe, expect, it } from "vitest";
import {
  type Candidate,
  LOAD_CAP,
  nudge,
  pickWave,
  RANK_WEIGHTS,
  rank,
  SPREAD,
  score,
  scoreTerms,
  windowRefusal,
} from "./matching";

const window = { start: new Date("2031-01-10T03:00:00Z"), end: new Date("2031-01-10T05:00:00Z") };
const base: Candidate = {
  provider_id: 1,
  distance_m: 1000,
  reach_m: 10_000,
  price_poisha: 25_000,
  unit: "hour",
  rating_avg: 4.5,
  rating_count: 40,
  recent_offers: 0,
};
const c = (over: Partial<Candidate>): Candidate => ({ ...base, ...over });

describe("the matching score", () => {
  it("weighs closeness, rating, trust, price fit and load as documented", () => {
    expect(RANK_WEIGHTS).toEqual({ distance: 0.4, rating: 0.1, price: 0.15, load: 0.15, busy: 0.25, trust: 0.2 });
    const t = scoreTerms(c({ distance_m: 2500, recent_offers: 3 }), 50_000, 40_000);
    expect(t.distance).toBeCloseTo(0.75);
    expect(t.rating).toBeCloseTo((0.8 * 4.5 + 0.2 * 3.5) / 5);
    expect(t.price).toBeCloseTo(0.8);
    expect(t.load).toBeCloseTo(3 / LOAD_CAP);
    expect(score(c({ distance_m: 2500, recent_offers: 3 }), 50_000, 40_000)).toBeCloseTo(
      0.4 * 0.75 + 0.1 * t.rating + 0.15 * 0.8 - 0.15 * 0.5,
    );
    // A full trust score is worth 0.2: as much as half the radius.
    expect(score(c({ trust: 1 }), 50_000, 50_000) - score(c({ trust: 0 }), 50_000, 50_000)).toBeCloseTo(0.2);
  });

  it("prefers nearer, better rated, cheaper and less busy providers, each alone", () => {
    const [near, far] = rank([c({ provider_id: 2, distance_m: 6000 }), c({ provider_id: 3, distance_m: 500 })], window);
    expect([near?.provider_id, far?.provider_id]).toEqual([3, 2]);
    expect(
      rank([c({ provider_id: 2, rating_avg: 3.9 }), c({ provider_id: 3, rating_avg: 4.9 })], window)[0]?.provider_id,
    ).toBe(3);
    expect(rank([c({ provider_id: 2, price_poisha: 40_000 }), c({ provider_id: 3 })], window)[0]?.provider_id).toBe(3);
    expect(rank([c({ provider_id: 2 }), c({ provider_id: 3, recent_offers: 6 })], window)[0]?.provider_id).toBe(2);
  });

  it("trusts a few perfect ratings less than many good ones", () => {
    const fresh = c({ provider_id: 2, rating_avg: 5, rating_count: 1 });
    const proven = c({ provider_id: 3, rating_avg: 4.7, rating_count: 200 });
    expect(rank([fresh, proven], window)[0]?.provider_id).toBe(3);
  });

  it("lets a busy top provider fall behind a free one close by, so one provider is not sent every job", () => {
    const top = c({ provider_id: 2, distance_m: 300, rating_avg: 4.9, recent_offers: LOAD_CAP });
    const next = c({ provider_id: 3, distance_m: 900, rating_avg: 4.6 });
    expect(rank([top, next], window).map((r) => r.provider_id)).toEqual([3, 2]);
  });

  it("asks a provider already holding an open offer for an overlapping time only when nobody comparable is free", () => {
    const held = c({ provider_id: 2, distance_m: 200, open_overlapping: 1 });
    const free = c({ provider_id: 3, distance_m: 3000 });
    expect(rank([held, free], window).map((r) => r.provider_id)).toEqual([3, 2]);
    expect(rank([held, c({ provider_id: 3, distance_m: 9500, rating_avg: 3.6 })], window)[0]?.provider_id).toBe(2);
  });

  it("prices each candidate for the window and leaves out those above the customer's ceiling", () => {
    const ranked = rank(
      [c({ provider_id: 2, price_poisha: 30_000 }), c({ provider_id: 3, price_poisha: 60_000, unit: "visit" })],
      window,
      60_000,
    );
    expect(ranked.map((r) => [r.provider_id, r.quote_poisha])).toEqual([
      [2, 60_000],
      [3, 60_000],
    ]);
    expect(rank([c({ price_poisha: 30_001 })], window, 60_000)).toEqual([]);
  });

  it("offers a wave of the best k, reproducibly (ties: nearer, then the lower id)", () => {
    const cands = [5, 4, 3, 2, 1].map((id) => c({ provider_id: id }));
    expect(pickWave(cands, window, 3, null).map((r) => r.provider_id)).toEqual([1, 2, 3]);
    expect(pickWave([], window, 3, null)).toEqual([]);
  });

  it("fans simultaneous requests out over providers who score alike, but never past a clearly better one", () => {
    const alike = Array.from({ length: 30 }, (_, i) => c({ provider_id: 100 + i }));
    const firsts = new Set(
      Array.from({ length: 40 }, (_, r) => pickWave(alike, window, 3, null, 1000 + r)[0]?.provider_id),
    );
    expect(firsts.size).toBeGreaterThan(10);
    expect(pickWave(alike, window, 3, null, 7)).toEqual(pickWave(alike, window, 3, null, 7));
    const better = c({ provider_id: 99, distance_m: 100, rating_avg: 4.9 });
    for (let r = 0; r < 40; r++) expect(pickWave([...alike, better], window, 1, null, r)[0]?.provider_id).toBe(99);
    for (let r = 0; r < 200; r++) expect(nudge(r, 5)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...Array.from({ length: 500 }, (_, r) => nudge(r, 9)))).toBeLessThan(1);
    expect(SPREAD).toBe(0.03);
  });
});

describe("a request's window", () => {
  const policy = { minNoticeMin: 60, minDurationMin: 30, maxDurationH: 72, horizonDays: 365 };
  const now = new Date("2031-01-01T00:00:00Z");
  const at = (h: number) => new Date(now.getTime() + h * 3_600_000);

  it("takes what a booking would take, and refuses what it would refuse, with the limit", () => {
    expect(windowRefusal(at(2), at(4), policy, now)).toBeUndefined();
    expect(windowRefusal(at(0.5), at(2), policy, now)?.message).toBe("too_soon");
    expect(windowRefusal(at(24 * 400), at(24 * 400 + 2), policy, now)?.details).toEqual({
      kind: "limit",
      name: "horizon_days",
      limit: 365,
    });
    expect(windowRefusal(at(2), at(2.25), policy, now)?.message).toBe("bad_duration");
    expect(windowRefusal(at(2), at(80), policy, now)?.message).toBe("bad_duration");
  });
});
