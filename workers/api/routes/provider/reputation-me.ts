// GET /provider/providers/me/reputation: "why is my score this?": the provider's trust score computed now, every
// input it was computed from, each part's value, weight and points, and the reliability figures with their samples.
import { z } from "@hono/zod-openapi";
import { ApiError } from "../../../../lib/errors";
import { reliabilityFigures, type TrustPart, trustScore } from "../../../../lib/reputation";
import { first } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, defineRoute, json } from "../../openapi";
import { providerIdOfUser } from "../../queries/provider";
import { STORED_REPUTATION } from "../../queries/reputation";
import { refreshReputation } from "../../reviews/reputation";
import { ReliabilitySchema } from "../shared/reviews";

const Part = z.object({
  value: z.number().openapi({ description: "This part, from 0 to 1." }),
  weight: z.number(),
  points: z.number().openapi({ description: "What it adds to the score (out of 100); violations subtract." }),
});

const ReputationSchema = z
  .object({
    trust_score: z.number().openapi({ description: "0 to 100: what search's sort=relevance ranks by." }),
    computed_at: z.string().datetime(),
    formula: z.string(),
    parts: z.object({
      verification: Part,
      jobs: Part,
      rating: Part,
      reliability: Part,
      tenure: Part,
      violations: Part,
    }),
    inputs: z.object({
      verified: z.boolean(),
      tenure_days: z.number().int(),
      rating: z.number().openapi({ description: "The Bayesian rating." }),
      rating_count: z.number().int(),
      completed_jobs: z.number().int(),
      requests: z.number().int(),
      accepted: z.number().int(),
      responses: z.number().int(),
      response_median_s: z.number().nullable(),
      late_cancels: z.number().int(),
      no_shows: z.number().int(),
      contact_violations: z.number().int().openapi({
        description: "Chat cases an admin resolved (warn, suspend) over your sharing contacts; weight 0 for now.",
      }),
    }),
    reliability: ReliabilitySchema,
    prior: z.object({ weight: z.number(), mean: z.number() }).openapi({
      description: "The Bayesian rating's prior: as if every provider had `weight` reviews of `mean` stars.",
    }),
  })
  .openapi("Reputation");

const FORMULA =
  "100 × (0.25 verified + 0.15 jobs + 0.30 rating + 0.25 reliability + 0.05 tenure − 0 violations); jobs = " +
  "ln(1+completed)/ln(51), rating = (R−1)/4 with R = (m·C + Σ stars)/(m + n), reliability = 0.5 acceptance + " +
  "0.3 (1 − late cancels and no-shows) + 0.2 answer speed (each smoothed over 5 cases towards 0.8, 0.05, 0.5), " +
  "tenure = days/365; each part capped to [0, 1].";

const route = defineRoute({
  operationId: "getMyReputation",
  errors: [404],
  method: "get",
  path: "/providers/me/reputation",
  tags: ["provider"],
  summary: "My trust score, and every input behind it",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  responses: { 200: { description: "The score, its parts and its inputs", content: json(ReputationSchema) } },
});

const rounded = (p: TrustPart): TrustPart => ({
  value: Math.round(p.value * 10_000) / 10_000,
  weight: p.weight,
  points: Math.round(p.points * 100) / 100,
});

export function registerReputationMe(app: App) {
  app.openapi(route, async (c) => {
    const db = c.var.services.sql();
    const me = await first(db, providerIdOfUser, { user_id: caller(c).userId });
    if (!me) throw new ApiError("not_found", { message: "not_a_provider" });
    // Computed now (and saved, so search agrees): the answer is today's score, not the last refresh's.
    await refreshReputation(c.env, db, c.var.services.redis(), { ids: [me.id] });
    const stored = await first(db, STORED_REPUTATION, { provider_id: me.id });
    if (!stored) throw new ApiError("not_found", { message: "not_a_provider" });
    const score = trustScore(stored.inputs);
    return c.json(
      {
        trust_score: stored.trust_score,
        computed_at: stored.computed_at.toISOString(),
        formula: FORMULA,
        // Rounded for people to read; the score is computed from the unrounded parts.
        parts: {
          verification: rounded(score.parts.verification),
          jobs: rounded(score.parts.jobs),
          rating: rounded(score.parts.rating),
          reliability: rounded(score.parts.reliability),
          tenure: rounded(score.parts.tenure),
          violations: rounded(score.parts.violations),
        },
        inputs: stored.inputs,
        reliability: reliabilityFigures(stored.inputs),
        prior: c.var.config.ratingPrior,
      },
      200,
    );
  });
}
