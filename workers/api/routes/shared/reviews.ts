// Shared by the /booking and /provider review endpoints: the review's shapes, the reputation figures, and the
// redaction of what people type (contact details never reach another user through a review or a reply).
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ReviewSide, type Role } from "../../../../lib/enums";
import { ApiError } from "../../../../lib/errors";
import { messages } from "../../../../lib/i18n";
import { text } from "../../../../lib/input";
import { redact } from "../../../../lib/redact";
import { REVIEW_TEXT_MAX } from "../../../../lib/review-policy";
import type { AppEnv } from "../../context";
import { Refusal } from "../../queries/idempotency";
import { type REVIEW_PARTIES, SubmittedReview } from "../../queries/reviews";

const stars = z.number().int().min(1).max(5);

export const SubRatingsSchema = z
  .object({ punctuality: stars.optional(), quality: stars.optional(), behaviour: stars.optional() })
  .openapi("SubRatings", { description: "The customer's review only: punctuality, quality of work, behaviour (1–5)." });

export const ReviewInputSchema = z
  .object({
    rating: stars.openapi({ description: "Overall stars, 1 to 5." }),
    text: text({ max: REVIEW_TEXT_MAX, multiline: true })
      .optional()
      .openapi({
        description: `Up to ${REVIEW_TEXT_MAX} characters. Contact details (phone numbers, e-mail, links, handles, wallet numbers) are replaced by [•••].`,
      }),
    ratings: SubRatingsSchema.optional(),
  })
  .openapi("ReviewInput");

export const ReviewReplySchema = z
  .object({
    text: z.string(),
    created_at: z.string().datetime(),
    edited_at: z.string().datetime().nullable(),
  })
  .openapi("ReviewReply");

export const ReviewSchema = z
  .object({
    id: z.number().int(),
    booking_id: z.number().int(),
    author_role: ReviewSide,
    rating: stars,
    ratings: z
      .object({ punctuality: stars.nullable(), quality: stars.nullable(), behaviour: stars.nullable() })
      .nullable(),
    text: z.string().nullable(),
    redacted: z.boolean().openapi({ description: "Whether contact details were taken out of the text." }),
    created_at: z.string().datetime(),
    published_at: z.string().datetime().nullable().openapi({
      description:
        "Null while the review is blind: the other side cannot see it until both have written or the window closes.",
    }),
    hidden: z.boolean().openapi({ description: "Hidden by an admin (kept, never deleted); counts for nothing." }),
    reply: z.union([ReviewReplySchema, z.null()]),
  })
  .openapi("Review");

export const SubmittedReviewSchema = ReviewSchema.extend({
  window_closes_at: z.string().datetime().openapi({
    description: "When the window closes: whatever was written is published then, if it was not before.",
  }),
}).openapi("SubmittedReview");

export const REVIEW_EXAMPLE = {
  id: 311,
  booking_id: 1042,
  author_role: "customer",
  rating: 5,
  ratings: { punctuality: 5, quality: 4, behaviour: 5 },
  text: "Came on time and cooked a lovely biryani. Call me on [•••] for the recipe.",
  redacted: true,
  created_at: "2027-01-10T08:15:00.000Z",
  published_at: null,
  hidden: false,
  reply: null,
} as const;

/** A rate with the number of cases it is out of (value null when there are none). */
const FigureSchema = z.object({ value: z.number().nullable(), n: z.number().int() });

export const ReliabilitySchema = z
  .object({
    acceptance_rate: FigureSchema.openapi({ description: "Requests accepted, of those answered or timed out." }),
    median_response_minutes: FigureSchema.openapi({ description: "Median time to accept or decline a request." }),
    cancel_rate: FigureSchema.openapi({
      description: "Late provider cancellations and no-shows per accepted booking.",
    }),
    completed_jobs: z.number().int().openapi({ description: "Completed bookings that were paid (or cash, due)." }),
  })
  .openapi("ReliabilityFigures");

/** The text as another person may read it: contact details replaced, and how many. */
export function redacted(raw: string | undefined): { body: string | null; counts: Record<string, number> } {
  if (raw === undefined || raw === "") return { body: null, counts: {} };
  const r = redact(raw);
  const counts: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.counts)) if (v) counts[k] = v;
  return { body: r.text, counts };
}

/** Renders a refusal (fresh or replayed from its key) as the error it is, in the caller's language. */
export function refuse(r: Refusal, replayed: boolean): never {
  const headers: Record<string, string> = replayed ? { "Idempotent-Replayed": "true" } : {};
  if (r.details?.kind === "retry") headers["Retry-After"] = String(r.details.retry_after_s);
  throw new ApiError(r.code, { message: messages[r.message], details: r.details, headers });
}

const StoredSubmission = z.union([
  z.object({ ok: z.literal(true), status: z.literal(201), body: SubmittedReview }),
  Refusal,
]);

/** The answer a key stored for a submission, replayed as it was first given. */
export function replayReview(c: Context<AppEnv>, stored: unknown) {
  const answer = StoredSubmission.parse(stored);
  if (!answer.ok) return refuse(answer, true);
  return c.json(answer.body, 201, { "Idempotent-Replayed": "true" });
}

type ReviewParties = z.infer<typeof REVIEW_PARTIES.row>;

/**
 * A review and the caller's side of its booking (null: neither party). 404 for someone who may not know it
 * exists: it is neither public (a published, visible review of a provider) nor theirs, and they are no admin.
 */
export function reviewFor(
  row: ReviewParties | undefined,
  userId: number,
  role: Role,
): { row: ReviewParties; side: ReviewSide | null } {
  if (!row) throw new ApiError("not_found");
  const side = row.customer_id === userId ? "customer" : row.provider_user_id === userId ? "provider" : null;
  const r = row.review;
  const isPublic = r.author_role === "customer" && r.published_at !== null && !r.hidden;
  if (side === null && role !== "admin" && !isPublic) throw new ApiError("not_found");
  return { row, side };
}
