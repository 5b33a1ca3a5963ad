import { describe, expect, it } from "vitest";
import {
  bayesianRating,
  DEFAULT_PRIOR,
  NO_HISTORY,
  type ReputationInputs,
  reliabilityFigures,
  reliabilityScore,
  roundRating,
  TRUST_WEIGHTS,
  trustScore,
} from "./reputation";

const verifiedNewcomer: ReputationInputs = { ...NO_HISTORY, verified: true };

/** Two years on the platform, 50 jobs, R = 4.76 over 200 reviews, 60 requests (54 accepted, 58 answered, median
 * 10 min), one late cancel. */
const veteran: ReputationInputs = {
  verified: true,
  tenure_days: 730,
  rating: 4.76,
  rating_count: 200,
  completed_jobs: 50,
  requests: 60,
  accepted: 54,
  responses: 58,
  response_median_s: 600,
  late_cancels: 1,
  no_shows: 0,
  contact_violations: 0,
};

describe("the Bayesian rating", () => {
  it("is the prior mean with no reviews, and moves towards the reviews as they add up", () => {
    expect(bayesianRating(0, 0, DEFAULT_PRIOR)).toBe(4);
    // (10 × 4 + 5) / (10 + 1) = 45 / 11
    expect(bayesianRating(5, 1, DEFAULT_PRIOR)).toBeCloseTo(4.090909, 6);
    // 200 reviews averaging 4.8: (40 + 960) / 210
    expect(bayesianRating(960, 200, DEFAULT_PRIOR)).toBeCloseTo(4.761905, 6);
    expect(roundRating(bayesianRating(1, 1, DEFAULT_PRIOR))).toBe(3.73);
  });

  it("keeps a provider with one 5-star review below one with 200 reviews at 4.8", () => {
    expect(bayesianRating(5, 1, DEFAULT_PRIOR)).toBeLessThan(bayesianRating(960, 200, DEFAULT_PRIOR));
    // Even with a weak prior (m = 1) one review is not enough: (4 + 5) / 2 = 4.5 < 4.796.
    const weak = { weight: 1, mean: 4 };
    expect(bayesianRating(5, 1, weak)).toBe(4.5);
    expect(bayesianRating(960, 200, weak)).toBeCloseTo(4.796, 3);
  });
});

describe("reliability", () => {
  it("reports raw shares with their sample sizes, and nothing where there were no cases", () => {
    expect(reliabilityFigures(NO_HISTORY)).toEqual({
      acceptance_rate: { value: null, n: 0 },
      median_response_minutes: { value: null, n: 0 },
      cancel_rate: { value: null, n: 0 },
      completed_jobs: 0,
    });
    expect(reliabilityFigures(veteran)).toEqual({
      acceptance_rate: { value: 0.9, n: 60 },
      median_response_minutes: { value: 10, n: 58 },
      cancel_rate: { value: 0.019, n: 54 },
      completed_jobs: 50,
    });
  });

  it("scores a newcomer at the priors: 0.5·0.8 + 0.3·0.95 + 0.2·0.5 = 0.785", () => {
    expect(reliabilityScore(NO_HISTORY)).toBeCloseTo(0.785, 9);
  });

  it("scores a history by its smoothed rates, as computed by hand", () => {
    // acceptance (54 + 4) / 65 = 0.892308; cancels (1 + 0.25) / 59 = 0.021186; speed 1 / (1 + 10/60) = 0.857143,
    // smoothed (58 · 0.857143 + 2.5) / 63 = 0.828798; 0.5·0.892308 + 0.3·0.978814 + 0.2·0.828798 = 0.905558.
    expect(reliabilityScore(veteran)).toBeCloseTo(0.905558, 6);
    // One request, accepted at once: not a perfect record yet.
    const one = { ...NO_HISTORY, requests: 1, accepted: 1, responses: 1, response_median_s: 0 };
    // (1 + 4) / 6 = 0.833333; (0 + 0.25) / 6 = 0.041667; (1 · 1 + 2.5) / 6 = 0.583333.
    expect(reliabilityScore(one)).toBeCloseTo(0.5 * 0.833333 + 0.3 * 0.958333 + 0.2 * 0.583333, 5);
  });
});

describe("the trust score", () => {
  it("weighs its parts to 1, with contact violations a zero-weight hook until chat reports them", () => {
    const sum = Object.values(TRUST_WEIGHTS).reduce((a: number, b: number) => a + b, 0);
    expect(sum).toBeCloseTo(1, 12);
    expect(TRUST_WEIGHTS.violations).toBe(0);
    const caught = trustScore({ ...veteran, contact_violations: 3 });
    expect(caught.score).toBe(trustScore(veteran).score);
    expect(caught.parts.violations).toEqual({ value: 1, weight: 0, points: -0 });
  });

  it("gives a verified newcomer 25 + 22.5 + 19.625 = 67.125, and an unverified one 25 less", () => {
    const s = trustScore(verifiedNewcomer);
    expect(s.parts.verification.points).toBe(25);
    expect(s.parts.rating.points).toBeCloseTo(22.5, 9);
    expect(s.parts.reliability.points).toBeCloseTo(19.625, 9);
    expect(s.parts.jobs.points).toBe(0);
    expect(s.parts.tenure.points).toBe(0);
    expect(s.score).toBeCloseTo(67.13, 2);
    expect(trustScore(NO_HISTORY).score).toBeCloseTo(42.13, 2);
  });

  it("gives the veteran 25 + 15 + 28.2 + 22.639 + 5 = 95.84", () => {
    const s = trustScore(veteran);
    expect(s.parts.jobs.value).toBe(1);
    expect(s.parts.tenure.value).toBe(1);
    expect(s.parts.rating.points).toBeCloseTo(28.2, 9);
    expect(s.parts.reliability.points).toBeCloseTo(22.638939, 5);
    expect(s.score).toBe(95.84);
  });

  it("ranks the prior-bound newcomer with one 5-star review below a steady provider with many reviews", () => {
    const oneReview = trustScore({ ...verifiedNewcomer, rating: 4.09, rating_count: 1, completed_jobs: 1 });
    const steady = trustScore({ ...verifiedNewcomer, rating: 4.76, rating_count: 200, completed_jobs: 200 });
    expect(oneReview.score).toBeLessThan(steady.score);
    // jobs saturate at 50: ln(201)/ln(51) > 1 is capped.
    expect(steady.parts.jobs.value).toBe(1);
  });
});
