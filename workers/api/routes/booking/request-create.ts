// POST /booking/requests: a household asks for a service at a place and time; the request's object then offers the
// job to the best free verified providers in waves until one accepts. Requires an Idempotency-Key.
import { z } from "@hono/zod-openapi";
import { jobRequest } from "../../../../durable-objects/job-request/client";
import { PaymentMethod } from "../../../../lib/enums";
import { ApiError } from "../../../../lib/errors";
import { idValue, instant, text, token } from "../../../../lib/input";
import { fieldIssue, validationDetails } from "../../../../lib/issues";
import { windowRefusal } from "../../../../lib/matching";
import { redact } from "../../../../lib/redact";
import { gatewayFor } from "../../../../platform/payments/index";
import { PgHttp } from "../../../../platform/pg/http";
import { first, run } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, defineRoute, json } from "../../openapi";
import { CREATE_PATH, CREATE_REQUEST, DROP_EXPIRED_KEY, REQUEST_BY_KEY } from "../../queries/matching";
import { IdempotencyHeaderRequired, requestHash } from "../shared/booking";
import { LatLng } from "../shared/geo";
import { JobRequestSchema, REQUEST_EXAMPLE } from "../shared/matching";
import { withDefault } from "../shared/params";

const Body = z
  .object({
    service_type: z.string().regex(/^[a-z][a-z_]{1,31}$/),
    location: LatLng,
    address: text({ max: 500, multiline: true }).optional(),
    start_date: instant,
    end_date: instant,
    payment_method: withDefault(PaymentMethod, "cash"),
    payment_method_id: token(255).optional(),
    max_price_poisha: idValue.optional().openapi({ description: "Providers who would charge more are not asked." }),
    notes: text({ max: 1000, multiline: true }).optional(),
  })
  .refine((b) => new Date(b.end_date) > new Date(b.start_date), { message: "end_after_start", path: ["end_date"] })
  .openapi("JobRequestCreate");

const route = defineRoute({
  operationId: "createJobRequest",
  errors: [409, 422, 429],
  idempotent: true,
  method: "post",
  path: "/requests",
  tags: ["booking"],
  summary: "Ask for a provider (matching)",
  description:
    "The platform finds the provider: verified, offering the service, free for the whole window, within their " +
    "service radius (and MATCH_MAX_RADIUS_KM). They are ranked by distance, rating, price fit and how many offers " +
    "they had lately, and offered the job MATCH_WAVE_SIZE (3) at a time for MATCH_OFFER_WINDOW_S (60 s) each, until " +
    "one accepts (MATCHED: `booking_id` is an ACCEPTED booking to confirm and pay) or MATCH_SEARCH_MIN (10) minutes " +
    "pass (NO_PROVIDER). A customer may have MATCH_MAX_OPEN_PER_CUSTOMER (3) requests searching at once (429). " +
    "The same key and body replay the answer with `Idempotent-Replayed: true`; another body under the key is 422. " +
    "A refusal (400, 429) keeps nothing, so the same request may be sent again with its key.",
  security: [{ bearerAuth: [] }],
  middleware: [requireAuth()] as const,
  request: {
    headers: IdempotencyHeaderRequired,
    body: {
      required: true,
      content: json(Body, {
        service_type: "driver",
        location: { lat: 23.7925, lng: 90.4152 },
        address: "House 12, Road 5, Gulshan 1, Dhaka 1212",
        start_date: "2027-01-10T09:00:00+06:00",
        end_date: "2027-01-10T12:00:00+06:00",
        payment_method: "cash",
        max_price_poisha: 100_000,
        notes: "Airport run, two suitcases.",
      }),
    },
  },
  responses: {
    201: {
      description: "Created, SEARCHING (or a replay of the same request)",
      content: json(JobRequestSchema, REQUEST_EXAMPLE),
    },
  },
});

export function registerCreateJobRequest(app: App) {
  app.openapi(route, async (c) => {
    const key = c.req.valid("header")["idempotency-key"];
    const body = c.req.valid("json");
    const cfg = c.var.config;
    if (!gatewayFor(body.payment_method, cfg))
      throw new ApiError("invalid_input", { message: "payment_method_unavailable" });
    if (body.payment_method === "card" && !body.payment_method_id) {
      throw new ApiError("invalid_input", { message: "payment_method_id_required" });
    }
    const refusal = windowRefusal(new Date(body.start_date), new Date(body.end_date), {
      minNoticeMin: cfg.BOOKING_MIN_NOTICE_MIN,
      minDurationMin: cfg.BOOKING_MIN_DURATION_MIN,
      maxDurationH: cfg.BOOKING_MAX_DURATION_H,
      horizonDays: cfg.BOOKING_HORIZON_DAYS,
    });
    if (refusal) throw new ApiError("invalid_input", refusal);
    const me = caller(c);
    const hash = await requestHash("POST", CREATE_PATH, body);
    // One atomic statement over the stateless HTTP path, as the providers' objects write: no connection held.
    const pg = new PgHttp(cfg);
    const params = {
      user_id: me.userId,
      key,
      request_hash: hash,
      max_open: cfg.MATCH_MAX_OPEN_PER_CUSTOMER,
      service_type: body.service_type,
      lat: body.location.lat,
      lng: body.location.lng,
      address: body.address ?? null,
      notes: body.notes ?? null,
      offer_notes: body.notes === undefined ? null : redact(body.notes).text.slice(0, 2000),
      start_date: body.start_date,
      end_date: body.end_date,
      payment_method: body.payment_method,
      payment_method_id: body.payment_method_id ?? null,
      max_price_poisha: body.max_price_poisha ?? null,
      search_s: Math.round(cfg.MATCH_SEARCH_MIN * 60),
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      const made = await first(pg, CREATE_REQUEST, params);
      if (!made) throw new ApiError("internal");
      if (made.view) {
        // Started after the answer (a new object costs more than the insert): if the start is lost, a retry of the
        // create replays and starts it, and the cron wakes any search that has not moved 30 s after creation.
        const id = made.view.id;
        c.executionCtx.waitUntil(
          jobRequest(c.env, id)
            .start({ requestId: id })
            .catch(() => undefined),
        );
        return c.json(made.view, 201);
      }
      const prior = await first(pg, REQUEST_BY_KEY, { user_id: me.userId, key });
      if (prior && !prior.live) {
        await run(pg, DROP_EXPIRED_KEY, { user_id: me.userId, key });
        continue;
      }
      if (prior) {
        if (prior.method !== "POST" || prior.path !== CREATE_PATH || prior.request_hash !== hash || !prior.answer) {
          throw new ApiError("idempotency_mismatch");
        }
        // A replay also makes sure the search runs: the first attempt may have failed after its commit.
        await jobRequest(c.env, prior.answer.id).start({ requestId: prior.answer.id });
        c.header("Idempotent-Replayed", "true");
        return c.json(prior.answer, 201);
      }
      if (!made.service_known) {
        throw new ApiError("invalid_input", {
          details: validationDetails([fieldIssue("service_type", "unknown_service_type")]),
        });
      }
      if (made.searching >= cfg.MATCH_MAX_OPEN_PER_CUSTOMER) {
        throw new ApiError("rate_limited", {
          message: "too_many_open_requests",
          details: { kind: "limit", name: "open_requests_per_customer", limit: cfg.MATCH_MAX_OPEN_PER_CUSTOMER },
          headers: { "Retry-After": "60" },
        });
      }
    }
    throw new ApiError("conflict", { headers: { "Retry-After": "1" } });
  });
}
