// The HTTP contract: the app factory (one validation hook, so every 400 looks the same), the error envelope and its
// typed details, and defineRoute, which adds to each operation what the gateway's middleware can answer on it
// (shared error responses, response headers, Accept-Language), so the document says exactly what the server does.
import { createRoute, OpenAPIHono, type RouteConfig, z } from "@hono/zod-openapi";
import { WalletOutcome } from "../../lib/enums";
import { ISSUE_CODES, LIMIT_NAMES } from "../../lib/error-details";
import { ApiError, ErrorCode } from "../../lib/errors";
import { fromZodIssue, issueMessages, validationDetails } from "../../lib/issues";
import type { AppEnv } from "./context";
import { INTRO } from "./docs-intro";

export function createApp() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issues = result.error.issues.map(fromZodIssue);
        // A missing Idempotency-Key gets its own words: what to send, not only which header failed.
        const keyMissing =
          result.target === "header" &&
          issues.some((i) => i.path === "idempotency-key" && i.message === issueMessages.required);
        throw new ApiError("invalid_input", {
          ...(keyMissing ? { message: "idempotency_key_required" as const } : {}),
          details: validationDetails(issues),
        });
      }
    },
  });
}

export type App = ReturnType<typeof createApp>;

export const SERVERS = [
  { url: "https://api.kormomela.app", description: "Production" },
  { url: "https://api.staging.kormomela.app", description: "Staging" },
  { url: "http://127.0.0.1:8080", description: "Local dev stack (`npm run dev`)" },
];

export const TAGS = [
  { name: "system", description: "Liveness and readiness of the gateway." },
  { name: "auth", description: "Phone OTP login, access and refresh tokens (rotated), sessions per device, JWKS." },
  { name: "provider", description: "Provider profiles, weekly availability, KYC uploads and admin review." },
  { name: "search", description: "Verified providers near a point, free for a window; cached at the edge." },
  { name: "booking", description: "The booking process: create, accept, confirm (pay into escrow), complete, cancel." },
  { name: "payments", description: "Wallet return URLs, the Stripe webhook, refunds." },
  { name: "notifications", description: "Push devices and notification preferences." },
  {
    name: "chat",
    description:
      "Masked chat per booking: a WebSocket (ticket first) or REST; contact details are hidden; report, block, moderation.",
  },
];

/** The document's top level: served at /openapi.json and written to docs/openapi.json by `npm run openapi`. */
export const DOCUMENT = {
  openapi: "3.1.0",
  info: {
    title: "Kormo Mela API",
    version: "0.1.0",
    description: INTRO,
    license: { name: "Proprietary", identifier: "LicenseRef-Kormo-Mela" },
    contact: { name: "Kormo Mela engineering", url: "https://kormomela.app" },
  },
  servers: SERVERS,
  tags: TAGS,
};

/** `security` of a route that needs an access token. */
export const bearerSecurity = [{ bearerAuth: [] }];

/** A JSON request or response body of `schema`, with an example (sent to the server by the examples test). */
export const json = <S extends z.ZodType>(schema: S, example?: z.input<S>) => ({
  "application/json": example === undefined ? { schema } : { schema, example },
});

// ---------------------------------------------------------------------------------------------------------------
// The error envelope.

const IssueSchema = z
  .object({
    path: z.string().openapi({ description: "The field, dotted (`location.lat`, `services.0.price_poisha`)." }),
    code: z.enum(ISSUE_CODES),
    message: z.string().openapi({ description: "In the caller's language (Accept-Language bn or en)." }),
  })
  .openapi("ValidationIssue");

const detail = <K extends string, S extends z.ZodRawShape>(kind: K, name: string, description: string, shape: S) =>
  z.object({ kind: z.literal(kind), ...shape }).openapi(name, { description });

export const ErrorDetailsSchema = z
  .discriminatedUnion("kind", [
    detail("validation", "ValidationDetails", "400: the fields that failed, each with its path.", {
      issues: z.array(IssueSchema).min(1),
    }),
    detail("state", "StateDetails", "409/402: the current status that does not allow the step.", {
      status: z.string(),
      payment: z.string().nullable().optional(),
    }),
    detail("limit", "LimitDetails", "A configured limit the request ran into (400, 409 or 429).", {
      name: z.enum(LIMIT_NAMES),
      limit: z.number().int(),
    }),
    detail("range", "RangeDetails", "400: the allowed range of a quantity.", {
      name: z.literal("duration_minutes"),
      min: z.number().int(),
      max: z.number().int(),
    }),
    detail("amount_mismatch", "AmountMismatchDetails", "409: the gateway reported a different amount.", {
      expected_poisha: z.number().int(),
      reported_poisha: z.number().int(),
    }),
    detail("refundable", "RefundableDetails", "409: how much can still be refunded.", {
      refundable_poisha: z.number().int(),
    }),
    detail("gateway", "GatewayDetails", "A payment gateway refused or did not answer.", {
      gateway: z.string().optional(),
      error: z.string(),
    }),
    detail("retry", "RetryDetails", "Try again after a while (also in Retry-After).", {
      retry_after_s: z.number().int(),
      reason: z.enum(["in_progress", "rate_limited", "unavailable"]),
    }),
    detail("existing", "ExistingDetails", "409: the resource exists already.", { provider_id: z.number().int() }),
    detail("signature", "SignatureDetails", "400: why a webhook signature was refused.", { reason: z.string() }),
    detail("readiness", "ReadinessDetails", "503 from /ready: each dependency's state.", {
      checks: z.record(z.string(), z.enum(["ok", "down"])),
    }),
    detail("wallet_return", "WalletReturnDetails", "A wallet return that did not confirm: the booking and outcome.", {
      booking_id: z.number().int(),
      outcome: WalletOutcome,
    }),
  ])
  .openapi("ErrorDetails");

export const ErrorSchema = z
  .object({
    error: z.object({
      code: ErrorCode,
      message: z.string().openapi({ example: "The request is not valid." }),
      request_id: z.string().openapi({ example: "8c1f0a52-1d7e-4b7a-9a43-6f0f2b0c9d11" }),
      details: ErrorDetailsSchema.optional(),
    }),
  })
  .openapi("Error");

// ---------------------------------------------------------------------------------------------------------------
// Shared responses and headers: components registered once on the gateway, referenced by every operation.

type ErrorStatus = 400 | 401 | 402 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

const ERROR_RESPONSES: Record<ErrorStatus | "default", { name: string; description: string; codes: string }> = {
  400: { name: "InvalidInput", description: "The request is not valid", codes: "invalid_input" },
  401: { name: "Unauthenticated", description: "No valid access token", codes: "unauthenticated" },
  402: { name: "PaymentRequired", description: "The payment was declined or is missing", codes: "payment_required" },
  403: { name: "Forbidden", description: "The caller may not do this", codes: "forbidden" },
  404: { name: "NotFound", description: "No such resource (or not visible to the caller)", codes: "not_found" },
  409: { name: "Conflict", description: "Conflicts with the current state", codes: "conflict" },
  413: { name: "PayloadTooLarge", description: "The body is larger than allowed", codes: "payload_too_large" },
  415: {
    name: "UnsupportedMediaType",
    description: "The body is not application/json",
    codes: "unsupported_media_type",
  },
  422: {
    name: "IdempotencyMismatch",
    description: "The Idempotency-Key was used with a different request",
    codes: "idempotency_mismatch",
  },
  429: { name: "RateLimited", description: "Too many requests; see Retry-After", codes: "rate_limited" },
  503: {
    name: "Unavailable",
    description: "A dependency is unavailable (retry after Retry-After) or the deployment is misconfigured",
    codes: "dependency_unavailable, misconfigured",
  },
  default: { name: "Internal", description: "An unexpected error", codes: "internal" },
};

export type HeaderName = "RequestId" | "RetryAfter" | "IdempotentReplayed" | "WWWAuthenticate" | "XCache" | "Location";

/** The shared response headers, registered as components (see registerContract). */
function registerHeaders(r: App["openAPIRegistry"]) {
  const string = { type: "string" } as const;
  r.registerComponent("headers", "RequestId", {
    description: "This request's id (also in error bodies); send X-Request-Id to choose it.",
    required: true,
    schema: string,
  });
  r.registerComponent("headers", "RetryAfter", {
    description: "Seconds to wait before retrying.",
    schema: { type: "integer", minimum: 1 },
  });
  r.registerComponent("headers", "IdempotentReplayed", {
    description: "`true` when this is the stored answer of an earlier request with the same Idempotency-Key.",
    schema: { type: "string", enum: ["true"] },
  });
  r.registerComponent("headers", "WWWAuthenticate", {
    description: "The authentication scheme, when no token was sent.",
    schema: string,
  });
  r.registerComponent("headers", "XCache", {
    description: "HIT or MISS: whether the answer came from the edge cache; BYPASS when the cache was skipped.",
    schema: { type: "string", enum: ["HIT", "MISS", "BYPASS"] },
  });
  r.registerComponent("headers", "Location", { description: "Where to go next.", required: true, schema: string });
}
const headerRef = (name: HeaderName) => ({ $ref: `#/components/headers/${name}` });
const WIRE_HEADER: Record<HeaderName, string> = {
  RequestId: "X-Request-Id",
  RetryAfter: "Retry-After",
  IdempotentReplayed: "Idempotent-Replayed",
  WWWAuthenticate: "WWW-Authenticate",
  XCache: "X-Cache",
  Location: "Location",
};

/** Response headers of a status, as references to the shared components. */
export function responseHeaders(...names: HeaderName[]) {
  return Object.fromEntries(["RequestId" as const, ...names].map((n) => [WIRE_HEADER[n], headerRef(n)]));
}

function errorHeaders(status: ErrorStatus | "default", idempotent: boolean): HeaderName[] {
  const names: HeaderName[] = [];
  if (status === 401) names.push("WWWAuthenticate");
  if (status === 429 || status === 503 || status === 409) names.push("RetryAfter");
  if (idempotent) names.push("IdempotentReplayed");
  return names;
}

const errorResponse = (status: ErrorStatus | "default", idempotent: boolean) => {
  const e = ERROR_RESPONSES[status];
  return {
    description: `${e.description} (error.code: ${e.codes})`,
    headers: responseHeaders(...errorHeaders(status, idempotent)),
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  };
};

/** Registers the shared components on the gateway's registry (once, in buildApp). */
export function registerContract(app: App) {
  const r = app.openAPIRegistry;
  r.register("Error", ErrorSchema);
  registerHeaders(r);
  for (const status of Object.keys(ERROR_RESPONSES) as (keyof typeof ERROR_RESPONSES)[]) {
    const s = status === "default" ? "default" : (Number(status) as ErrorStatus);
    // 422 belongs to idempotent operations only, which inline their errors (to add Idempotent-Replayed).
    if (s === 422) continue;
    r.registerComponent("responses", ERROR_RESPONSES[s].name, errorResponse(s, false));
  }
  r.registerComponent("parameters", "AcceptLanguage", {
    name: "Accept-Language",
    in: "header",
    required: false,
    description: "bn or en (q-values honoured); error messages and validation messages answer in it. Default en.",
    schema: { type: "string", example: "bn" },
  });
  r.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "Access token from /auth/otp/verify or /auth/token/refresh",
  });
  r.registerComponent("securitySchemes", "refreshToken", {
    type: "http",
    scheme: "bearer",
    description: "Opaque refresh token (kmr_…)",
  });
}

// ---------------------------------------------------------------------------------------------------------------
// defineRoute.

interface Contract {
  /** Stable and unique: generated clients name their methods after it (createBooking, acceptBooking…). */
  operationId: string;
  /** The statuses this operation's own code can answer with, beyond what the middleware adds. */
  errors?: readonly ErrorStatus[];
  /** Whether the operation takes an Idempotency-Key (its answers may then be replays). */
  idempotent?: boolean;
  /** The body is documented but read raw by the handler (no media-type gate, so no 415). */
  rawBody?: boolean;
}

/**
 * createRoute plus the contract every operation shares: `security: []` unless the route says otherwise; 400 (input
 * hygiene runs on every request), 503 (configuration, dependencies) and `default` (500) everywhere; 401 behind a
 * token; 413 on every method that can carry a body; 415 with a JSON body; X-Request-Id on every answer, Retry-After on 409/429/503, WWW-Authenticate on
 * 401, Idempotent-Replayed on idempotent operations; the Accept-Language parameter.
 */
export function defineRoute<P extends string, R extends Omit<RouteConfig, "path"> & { path: P } & Contract>(r: R) {
  const { errors = [], idempotent = false, rawBody = false, ...config } = r;
  const route = createRoute(config);
  const view: RouteConfig = route;
  view.security ??= [];
  const statuses = new Set<ErrorStatus>([400, 503, ...errors]);
  if (view.security.length > 0) statuses.add(401);
  // The body limit applies to every request that can carry one, whether the operation reads a body or not.
  if (view.method !== "get" && view.method !== "head") statuses.add(413);
  if (view.request?.body && !rawBody) statuses.add(415);
  for (const response of Object.values(view.responses)) {
    if ("$ref" in response) continue;
    const extra = idempotent ? responseHeaders("IdempotentReplayed") : responseHeaders();
    const own = response.headers instanceof z.ZodObject ? undefined : response.headers;
    response.headers = { ...extra, ...own };
  }
  for (const s of [...statuses].sort()) {
    view.responses[s] = idempotent
      ? errorResponse(s, true)
      : { $ref: `#/components/responses/${ERROR_RESPONSES[s].name}` };
  }
  view.responses.default = { $ref: "#/components/responses/Internal" };
  const parameters = view.parameters ?? [];
  parameters.unshift({ $ref: "#/components/parameters/AcceptLanguage" });
  view.parameters = parameters;
  return route;
}

/** The whole document, as served. */
export function openApiDocument(app: App) {
  return app.getOpenAPI31Document(DOCUMENT);
}
