// Matching as pure functions: the window a job request may ask for, the score that orders a wave's candidates, and
// which candidates a wave offers the job to. The request's object (durable-objects/job-request/) reads the
// candidates from Postgres and applies these; nothing here does I/O.
import type { PriceUnit } from "./enums";
import type { ErrorDetails } from "./error-details";
import type { MessageKey } from "./i18n";
import { withinHorizon } from "./input";
import { quote } from "./pricing";

/** A provider free for the request's whole window, offering its service, within reach of the job. */
export interface Candidate {
  provider_id: number;
  /** Metres from the job to the provider's public point (search's point, 100-300 m from the real one). */
  distance_m: number;
  /** How far the provider may be asked to come: min(their service radius, MATCH_MAX_RADIUS_KM). */
  reach_m: number;
  /** The unit price of the service (poisha per `unit`). */
  price_poisha: number;
  unit: PriceUnit;
  rating_avg: number;
  rating_count: number;
  /** Offers sent to this provider, for any request, within the last LOAD_WINDOW_MIN minutes. */
  recent_offers: number;
  /** Offers this provider holds open right now for other requests whose windows overlap this one. */
  open_overlapping?: number;
  /** The provider's trust score (lib/reputation.ts, 0-100 in search listings) scaled to [0, 1]. */
  trust?: number | null;
}

/**
 * The score's weights. Distance, rating, price fit and trust add; recent offer load subtracts, so the same top
 * provider is not sent every job in the area, and so does holding an open offer for an overlapping time already
 * (`busy`: they can win only one of those, so they are asked again only when nobody comparable is free). The trust
 * score (verification, completed jobs, the Bayesian rating, reliability, tenure) takes 0.2 of the rating's weight:
 * the rating term stays for what the score leaves out (a provider's rating count shrinks it further here).
 */
export const RANK_WEIGHTS = { distance: 0.4, rating: 0.1, price: 0.15, load: 0.15, busy: 0.25, trust: 0.2 } as const;

/**
 * Requests made at the same moment for the same area rank the same providers first and would all wait on the same
 * three. A fixed nudge per (request, provider), at most SPREAD, lets each request prefer its own among providers
 * that score within SPREAD of each other, so a storm fans out; clearly better providers still come first.
 */
export const SPREAD = 0.03;

/** The nudge in [0, 1): a hash of the pair, the same every time the request ranks that provider. */
export function nudge(requestId: number, providerId: number): number {
  let h = (Math.imul(requestId, 0x9e3779b1) ^ Math.imul(providerId, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 4_294_967_296;
}

/** A provider with few ratings is pulled toward an ordinary 3.5 stars: n ratings count n / (n + 10). */
export const RATING_PRIOR = 3.5;
export const RATING_CONFIDENCE_N = 10;
/** Offers within this many minutes count as load; LOAD_CAP of them is the full penalty. */
export const LOAD_WINDOW_MIN = 60;
export const LOAD_CAP = 6;

/** Each term of the score in [0, 1]: what the documentation (README, Matching) describes. */
export function scoreTerms(c: Candidate, quotePoisha: number, cheapestPoisha: number) {
  const confidence = c.rating_count / (c.rating_count + RATING_CONFIDENCE_N);
  return {
    distance: 1 - Math.min(c.distance_m / Math.max(c.reach_m, 1), 1),
    rating: (confidence * c.rating_avg + (1 - confidence) * RATING_PRIOR) / 5,
    price: quotePoisha > 0 ? Math.min(cheapestPoisha / quotePoisha, 1) : 1,
    load: Math.min(c.recent_offers / LOAD_CAP, 1),
    busy: (c.open_overlapping ?? 0) > 0 ? 1 : 0,
    trust: c.trust ?? 0,
  };
}

/**
 * score = 0.40·closeness + 0.10·rating + 0.20·trust + 0.15·price fit − 0.15·load − 0.25·busy,
 * where closeness = 1 − distance/reach, rating = the average shrunk toward 3.5★ over 5, price fit = the cheapest
 * quote among the candidates over this one's, load = recent offers / LOAD_CAP (at most 1), busy = 1 when the
 * provider holds an open offer for an overlapping time.
 */
export function score(c: Candidate, quotePoisha: number, cheapestPoisha: number): number {
  const t = scoreTerms(c, quotePoisha, cheapestPoisha);
  const w = RANK_WEIGHTS;
  return (
    w.distance * t.distance +
    w.rating * t.rating +
    w.price * t.price +
    w.trust * t.trust -
    w.load * t.load -
    w.busy * t.busy
  );
}

export interface Ranked extends Candidate {
  quote_poisha: number;
  score: number;
}

/**
 * The candidates in offer order: each priced for the window, those above the customer's ceiling left out, best
 * score first (ties: nearer, then the lower provider id, so a wave is reproducible). With `requestId` each score
 * gets that request's nudge (SPREAD): the object ranks that way; without it the order is the score's alone.
 */
export function rank(
  cands: readonly Candidate[],
  window: { start: Date; end: Date },
  maxPricePoisha?: number | null,
  requestId?: number,
) {
  const priced = cands
    .map((c) => ({ ...c, quote_poisha: quote(c.price_poisha, c.unit, window.start, window.end) }))
    .filter((c) => maxPricePoisha === null || maxPricePoisha === undefined || c.quote_poisha <= maxPricePoisha);
  const cheapest = Math.min(...priced.map((c) => c.quote_poisha));
  return priced
    .map(
      (c): Ranked => ({
        ...c,
        score:
          score(c, c.quote_poisha, cheapest) + (requestId === undefined ? 0 : SPREAD * nudge(requestId, c.provider_id)),
      }),
    )
    .sort((a, b) => b.score - a.score || a.distance_m - b.distance_m || a.provider_id - b.provider_id);
}

/** The next wave of request `requestId`: its best `k` candidates. */
export function pickWave(
  cands: readonly Candidate[],
  window: { start: Date; end: Date },
  k: number,
  maxPricePoisha: number | null | undefined,
  requestId?: number,
): Ranked[] {
  return rank(cands, window, maxPricePoisha, requestId).slice(0, k);
}

export interface WindowPolicy {
  minNoticeMin: number;
  minDurationMin: number;
  maxDurationH: number;
  horizonDays: number;
}

/**
 * Why a request's window cannot be booked at all, before anyone is asked (the same bounds a booking has: the
 * provider's object checks them again when the winner's booking is made). Undefined when it may go ahead.
 */
export function windowRefusal(
  start: Date,
  end: Date,
  p: WindowPolicy,
  now = new Date(),
): { message: MessageKey; details: ErrorDetails } | undefined {
  const minutes = (end.getTime() - start.getTime()) / 60_000;
  if (start.getTime() < now.getTime() + p.minNoticeMin * 60_000) {
    return { message: "too_soon", details: { kind: "limit", name: "min_notice_minutes", limit: p.minNoticeMin } };
  }
  if (!withinHorizon(start, now, p.horizonDays)) {
    return { message: "too_far_ahead", details: { kind: "limit", name: "horizon_days", limit: p.horizonDays } };
  }
  if (minutes < p.minDurationMin || minutes > p.maxDurationH * 60) {
    return {
      message: "bad_duration",
      details: { kind: "range", name: "duration_minutes", min: p.minDurationMin, max: p.maxDurationH * 60 },
    };
  }
  return undefined;
}
