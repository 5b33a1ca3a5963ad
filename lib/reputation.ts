// Reputation, pure: the Bayesian rating, the reliability figures a public profile shows (with their sample sizes),
// and the trust score that search's sort=relevance ranks by, with every input and its share of the score, so a
// provider can see why the score is what it is. README "Reviews and reputation" states the same formulas.

/** The Bayesian prior: a provider starts as if they had `weight` reviews of `mean` stars (config m and C). */
export interface RatingPrior {
  weight: number;
  mean: number;
}

/** The documented defaults (REPUTATION_PRIOR_WEIGHT, REPUTATION_PRIOR_MEAN). */
export const DEFAULT_PRIOR: RatingPrior = { weight: 10, mean: 4 };

/**
 * (m·C + Σ stars) / (m + n): one 5-star review moves a provider only a little above the prior, two hundred at 4.8
 * put them near 4.8. No decay by age: see README ("Reviews and reputation") for why.
 */
export function bayesianRating(sum: number, count: number, prior: RatingPrior): number {
  return (prior.weight * prior.mean + sum) / (prior.weight + count);
}

/** Rounded as the database stores it (numeric(3,2)) and the API shows it. */
export const roundRating = (r: number) => Math.round(r * 100) / 100;

/** What the trust score is computed from, as the refresh reads it from Postgres (the audit trail and the reviews). */
export interface ReputationInputs {
  /** KYC approved: verification_status = verified. */
  verified: boolean;
  /** Whole days since the provider profile was created. */
  tenure_days: number;
  /** The Bayesian rating as stored (providers.rating_avg) and the reviews it counts. */
  rating: number;
  rating_count: number;
  /** COMPLETED bookings whose money was kept (paid, or cash recorded as due). */
  completed_jobs: number;
  /** Requests that left PENDING by the provider's answer or the accept timeout (a customer's withdrawal is not one). */
  requests: number;
  accepted: number;
  /** Requests the provider answered (accepted or declined) and the median time they took, in seconds. */
  responses: number;
  response_median_s: number | null;
  /** Provider cancellations within FREE_CANCEL_HOURS of the start. */
  late_cancels: number;
  /** CONFIRMED bookings the customer cancelled at or after the start: the provider did not come. */
  no_shows: number;
  /**
   * Confirmed contact-sharing violations in chat: cases an admin resolved by warning or suspending the provider over
   * contact sharing. Counted and shown; its weight is 0 until the product gives it one (TRUST_WEIGHTS.violations).
   */
  contact_violations: number;
}

/** A provider with no history yet (no score computed): every count zero. */
export const NO_HISTORY: ReputationInputs = {
  verified: false,
  tenure_days: 0,
  rating: DEFAULT_PRIOR.mean,
  rating_count: 0,
  completed_jobs: 0,
  requests: 0,
  accepted: 0,
  responses: 0,
  response_median_s: null,
  late_cancels: 0,
  no_shows: 0,
  contact_violations: 0,
};

/** The score's parts and their weights (they sum to 1; violations subtract, with weight 0 until it is given one). */
export const TRUST_WEIGHTS = {
  verification: 0.25,
  jobs: 0.15,
  rating: 0.3,
  reliability: 0.25,
  tenure: 0.05,
  violations: 0,
} as const;
export type TrustComponent = keyof typeof TRUST_WEIGHTS;

/**
 * Reliability blends three smoothed rates: a small sample is pulled towards a prior, as ratings are, so one accepted
 * request is not a 100 % acceptance rate. `smoothing` is the prior's weight in requests.
 */
export const RELIABILITY = {
  smoothing: 5,
  acceptancePrior: 0.8,
  cancelPrior: 0.05,
  responsePrior: 0.5,
  /** A median answer this many minutes long scores 0.5 (an instant answer 1). */
  responseHalfMinutes: 60,
  parts: { acceptance: 0.5, cancels: 0.3, response: 0.2 },
} as const;

/** Where the counting parts stop adding: 50 completed jobs, a year of tenure, 3 violations take the whole weight. */
export const SATURATION = { jobs: 50, tenureDays: 365, violations: 3 } as const;

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
const smoothed = (hits: number, n: number, prior: number) =>
  (hits + RELIABILITY.smoothing * prior) / (n + RELIABILITY.smoothing);

/** A rate as the public profile shows it: the raw share and how many cases it is out of (null when none). */
export interface Figure {
  value: number | null;
  n: number;
}

export interface ReliabilityFigures {
  acceptance_rate: Figure;
  median_response_minutes: Figure;
  /** Late provider cancellations and no-shows per accepted booking. */
  cancel_rate: Figure;
  completed_jobs: number;
}

const rate = (hits: number, n: number): Figure => ({ value: n > 0 ? Math.round((hits / n) * 1000) / 1000 : null, n });

/** The raw figures, for people to read: shares of what happened, each with its sample size. */
export function reliabilityFigures(i: ReputationInputs): ReliabilityFigures {
  return {
    acceptance_rate: rate(i.accepted, i.requests),
    median_response_minutes: {
      value: i.responses > 0 && i.response_median_s !== null ? Math.round(i.response_median_s / 6) / 10 : null,
      n: i.responses,
    },
    cancel_rate: rate(i.late_cancels + i.no_shows, i.accepted),
    completed_jobs: i.completed_jobs,
  };
}

/** Reliability in [0, 1]: smoothed acceptance, smoothed absence of late cancels and no-shows, answer speed. */
export function reliabilityScore(i: ReputationInputs): number {
  const acceptance = smoothed(i.accepted, i.requests, RELIABILITY.acceptancePrior);
  const cancels = smoothed(i.late_cancels + i.no_shows, i.accepted, RELIABILITY.cancelPrior);
  const speed =
    i.response_median_s === null
      ? RELIABILITY.responsePrior
      : 1 / (1 + i.response_median_s / 60 / RELIABILITY.responseHalfMinutes);
  const n = i.response_median_s === null ? 0 : i.responses;
  const response = (n * speed + RELIABILITY.smoothing * RELIABILITY.responsePrior) / (n + RELIABILITY.smoothing);
  const p = RELIABILITY.parts;
  return clamp01(p.acceptance * acceptance + p.cancels * (1 - cancels) + p.response * response);
}

export interface TrustPart {
  /** The part's value in [0, 1]. */
  value: number;
  weight: number;
  /** What it adds to the score out of 100 (violations subtract), unrounded. */
  points: number;
}

export interface TrustScore {
  /** 0 to 100, two decimals: what search's sort=relevance orders by. */
  score: number;
  parts: Record<TrustComponent, TrustPart>;
}

/**
 * 100 × (0.25 verified + 0.15 jobs + 0.30 rating + 0.25 reliability + 0.05 tenure − 0 violations), each part in
 * [0, 1]: verified 1 or 0; jobs ln(1 + completed) / ln(1 + 50), capped at 1; rating (R − 1) / 4 for the Bayesian R;
 * reliability as reliabilityScore; tenure days / 365, capped at 1; violations count / 3, capped at 1.
 */
export function trustScore(i: ReputationInputs): TrustScore {
  const values: Record<TrustComponent, number> = {
    verification: i.verified ? 1 : 0,
    jobs: clamp01(Math.log1p(i.completed_jobs) / Math.log1p(SATURATION.jobs)),
    rating: clamp01((i.rating - 1) / 4),
    reliability: reliabilityScore(i),
    tenure: clamp01(i.tenure_days / SATURATION.tenureDays),
    violations: clamp01(i.contact_violations / SATURATION.violations),
  };
  const part = (k: TrustComponent): TrustPart => {
    const sign = k === "violations" ? -1 : 1;
    const points = sign * 100 * TRUST_WEIGHTS[k] * values[k];
    return { value: values[k], weight: TRUST_WEIGHTS[k], points };
  };
  const parts: Record<TrustComponent, TrustPart> = {
    verification: part("verification"),
    jobs: part("jobs"),
    rating: part("rating"),
    reliability: part("reliability"),
    tenure: part("tenure"),
    violations: part("violations"),
  };
  const total = Object.values(parts).reduce((sum, p) => sum + p.points, 0);
  return { score: Math.round(Math.min(100, Math.max(0, total)) * 100) / 100, parts };
}
