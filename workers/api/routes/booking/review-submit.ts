// POST /booking/bookings/{id}/review: the customer reviews the provider, or the provider the customer, once each,
// within the window after completion. Blind until both have written or the window closes; the second review
// publishes both in the same statement that writes it.
import { z } from "@hono/zod-openapi";
import { ApiError } from "../../../../lib/errors";
import { fieldIssue, validationDetails } from "../../../../lib/issues";
import { decideReview, firstName, guardParams, otherSide, windowClosesAt } from "../../../../lib/review-policy";
import { first } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json } from "../../openapi";
import { claim, type Idem, release, storeRefusal } from "../../queries/idempotency";
import { REVIEW_CONTEXT, SUBMIT_REVIEW } from "../../queries/reviews";
import { announce } from "../../reviews/announce";
import { publicationEvents } from "../../reviews/events";
import { IdempotencyHeaderRequired, requestHash } from "../shared/booking";
import { pathId } from "../shared/params";
import {
  REVIEW_EXAMPLE,
  ReviewInputSchema,
  redacted,
  refuse,
  replayReview,
  SubmittedReviewSchema,
} from "../shared/reviews";

const route = defineRoute({
  operationId: "submitReview",
  errors: [403, 404, 409, 422],
  idempotent: true,
  method: "post",
  path: "/bookings/{id}/review",
  tags: ["booking"],
  summary: "Review a completed booking",
  description:
    "The booking's customer reviews the provider (stars, optional sub-ratings and text) or its provider reviews the " +
    "customer (stars and text), once each, until the window closes (REVIEW_WINDOW_DAYS after completion, 14 by " +
    "default; 409 after, or when already reviewed, or when the booking is not completed). Double-blind: neither " +
    "side sees the other's review until both have written one or the window closes, and the second review " +
    "publishes both at once. Contact details in the text are replaced by [•••]. Accounts that ever signed in on " +
    "the same device cannot review each other (403). Requires an Idempotency-Key.",
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: {
    params: z.object({ id: pathId }),
    headers: IdempotencyHeaderRequired,
    body: {
      required: true,
      content: json(ReviewInputSchema, {
        rating: 5,
        ratings: { punctuality: 5, quality: 4, behaviour: 5 },
        text: "Came on time and cooked a lovely biryani.",
      }),
    },
  },
  responses: {
    201: {
      description: "The review as written; published_at is set if this publication made both visible",
      content: json(SubmittedReviewSchema, { ...REVIEW_EXAMPLE, window_closes_at: "2027-01-24T08:00:00.000Z" }),
    },
  },
});

export function registerReviewSubmit(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const me = caller(c);
    const cfg = c.var.config;
    const path = `/booking/bookings/${id}/review`;
    const idem: Idem = {
      key: c.req.valid("header")["idempotency-key"],
      method: "POST",
      path,
      requestHash: await requestHash("POST", path, body),
    };
    const db = c.var.services.sql();
    const claimed = await claim(db, me.userId, idem, (key) => first(db, REVIEW_CONTEXT, { ...key, booking_id: id }));
    if (!claimed.go) return "replay" in claimed ? replayReview(c, claimed.replay) : refuse(claimed.refusal, false);
    const ctx = claimed.row;
    try {
      const side = ctx.customer_id === me.userId ? "customer" : ctx.provider_user_id === me.userId ? "provider" : null;
      if (
        ctx.status === null ||
        ctx.customer_id === null ||
        ctx.provider_id === null ||
        ctx.provider_user_id === null
      ) {
        await release(db, me.userId, idem);
        throw new ApiError("not_found");
      }
      const closesAt = ctx.completed_at ? windowClosesAt(ctx.completed_at, cfg.REVIEW_WINDOW_DAYS) : null;
      const decision = decideReview(
        {
          status: ctx.status,
          side,
          admin: me.role === "admin",
          closesAt,
          reviewed: side === "customer" ? ctx.customer_reviewed === true : ctx.provider_reviewed === true,
          paid: ctx.paid === true,
          sharedDevice: ctx.shared_device === true,
        },
        new Date(),
      );
      if (!decision.ok) {
        const { ok: _, ...r } = decision;
        await storeRefusal(db, me.userId, idem, { ok: false, ...r });
        return refuse({ ok: false, ...r }, false);
      }
      if (decision.side === "provider" && body.ratings !== undefined) {
        const refusal = {
          ok: false as const,
          code: "invalid_input" as const,
          message: "invalid_input" as const,
          details: validationDetails([fieldIssue("ratings", "customer_review_only")]),
        };
        await storeRefusal(db, me.userId, idem, refusal);
        return refuse(refusal, false);
      }
      const text = redacted(body.text);
      const parties = {
        booking_id: id,
        customer_id: ctx.customer_id,
        provider_id: ctx.provider_id,
        provider_user_id: ctx.provider_user_id,
        service_type: ctx.service_type ?? "",
      };
      const review = {
        booking_id: id,
        author_role: decision.side,
        author_id: me.userId,
        subject_id: decision.side === "customer" ? ctx.provider_user_id : ctx.customer_id,
        rating: body.rating,
        punctuality: body.ratings?.punctuality ?? null,
        quality: body.ratings?.quality ?? null,
        behaviour: body.ratings?.behaviour ?? null,
        body: text.body,
        redactions: text.counts,
        reviewer_name: firstName(decision.side === "customer" ? ctx.customer_name : ctx.provider_name),
        reviewer_area: ctx.area,
      };
      const events = publicationEvents(parties, [decision.side, otherSide(decision.side)], closesAt ?? new Date());
      const out = await first(db, SUBMIT_REVIEW, {
        review: JSON.stringify(review),
        guards: JSON.stringify(guardParams()),
        window_s: cfg.REVIEW_WINDOW_DAYS * 86_400,
        events: JSON.stringify(events),
        prior_weight: cfg.ratingPrior.weight,
        prior_mean: cfg.ratingPrior.mean,
        key_user: me.userId,
        key: idem.key,
      });
      if (!out) throw new Error("submit_review answered nothing");
      const result = out.result;
      if (result.outcome !== "created") {
        // Another request of the same side, or the window closing, got there between our read and our write.
        const refusal = {
          ok: false as const,
          code: "conflict" as const,
          message: result.outcome === "already" ? ("already_reviewed" as const) : ("review_window_closed" as const),
          details: { kind: "state" as const, status: ctx.status },
        };
        await storeRefusal(db, me.userId, idem, refusal);
        return refuse(refusal, false);
      }
      // After the answer: the events, the trust score and the cached searches follow the commit without holding up
      // the caller (announce never throws; what it cannot do, the cron does within a minute).
      c.executionCtx.waitUntil(announce(c.env, db, c.var.services.redis(), result.published));
      return c.json(result.review, 201);
    } catch (err) {
      // Nothing committed (the write is one statement): the retry with the same key runs again.
      if (!(err instanceof ApiError)) await release(db, me.userId, idem).catch(() => {});
      throw err;
    }
  });
}
