// The one error type at the HTTP edge: a closed set of codes, one status table, bilingual messages.
import { z } from "zod";
import type { ErrorDetails } from "./error-details";
import { type Message, type MessageKey, messages } from "./i18n";

export const ErrorCode = z.enum([
  "invalid_input",
  "unauthenticated",
  "payment_required",
  "forbidden",
  "not_found",
  "method_not_allowed",
  "conflict",
  "idempotency_mismatch",
  "payload_too_large",
  "unsupported_media_type",
  "rate_limited",
  "dependency_unavailable",
  "misconfigured",
  "internal",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const statusOf = {
  invalid_input: 400,
  unauthenticated: 401,
  payment_required: 402,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  idempotency_mismatch: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  dependency_unavailable: 503,
  misconfigured: 503,
  internal: 500,
} as const satisfies Record<ErrorCode, number>;

export type ErrorStatus = (typeof statusOf)[ErrorCode];

export interface ApiErrorInit {
  /** Which catalogue message to show; defaults to the code's own. */
  message?: MessageKey | Message;
  details?: ErrorDetails;
  headers?: Record<string, string>;
}

/** Thrown anywhere in a request; `onError` renders it. Domain code throws these, never bare strings. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: ErrorStatus;
  readonly msg: Message;
  readonly details: ErrorDetails | undefined;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, init: ApiErrorInit = {}) {
    const msg =
      typeof init.message === "object"
        ? init.message
        : (messages[init.message ?? (code as MessageKey)] ?? messages.internal);
    super(msg.en);
    this.name = "ApiError";
    this.code = code;
    this.status = statusOf[code];
    this.msg = msg;
    this.details = init.details;
    this.headers = init.headers ?? {};
  }
}
