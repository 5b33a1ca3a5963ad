// The introduction of the API reference: the rules every endpoint follows, shown first on /docs (OpenAPI info.description).
export const INTRO = `Verified service-provider marketplace for Bangladesh: customers find providers near them, book, pay (card, bKash,
Nagad or cash) and follow the booking on their phone. This page is generated from the routes themselves; the same
document is at \`/openapi.json\`.

## Signing in: phone number and SMS code

1. \`POST /auth/otp/request\` with \`{"phone": "01700-000001"}\` (local or +880 form) sends a six-digit code by SMS
   and answers **202** with \`expires_in\` (the code's remaining life, 5 minutes when new) and \`resend_after\` (60 s).
   The answer is the same whether or not the number has an account. A live code is never replaced: asking again
   re-sends the same code. Asking again within \`resend_after\` sends nothing and answers **429** \`rate_limited\`
   with \`Retry-After\`; further limits per number, per requester and per IP answer the same way.
2. \`POST /auth/otp/verify\` with the phone, the \`code\` (ASCII or Bangla digits), a \`device_id\`, the
   \`platform\` and optionally a \`device_name\` and a \`device_key\` answers **200** with a session:
   \`access_token\`, \`refresh_token\`, \`expires_in\`, \`session_id\` and the \`user\` (created on first sign-in).
   A wrong, expired or locked code is a **400** \`invalid_input\`; too many wrong tries lock the code for that
   requester, and enough from everyone together end it (ask for a new one).

## Access and refresh tokens

- The **access token** is a JWT (EdDSA, keys at \`/auth/.well-known/jwks.json\`) valid for 15 minutes. Send it as
  \`Authorization: Bearer <access_token>\`; it is checked at the edge, without a database.
- The **refresh token** (\`kmr_…\`, valid 30 days) is spent on use: \`POST /auth/token/refresh\` with
  \`Authorization: Bearer <refresh_token>\` answers a new pair, and the client must keep the new refresh token.
- **Reuse is theft.** Presenting a refresh token that was already rotated ends the whole session (every token of
  its family, ours and the copy's) and unregisters its push devices; the caller gets **401** and must sign in
  again. Only a second use within 10 seconds of the rotation (two tabs, a retried request) is treated as a race:
  it is refused with 401 without ending the session.
- \`POST /auth/logout\` ends this session, \`POST /auth/logout-all\` every session of the user; access tokens
  already issued stay valid until they expire.

## Device binding: DPoP and X-Device-Id

DPoP is optional and chosen at sign-in. A session opened with a \`device_key\` (a public P-256 or Ed25519 JWK from
the device keystore) is bound to that key: every refresh must carry a \`DPoP\` header (RFC 9449) signed by it,
with \`htm\`/\`htu\` equal to the refresh request, a fresh \`iat\` (±120 s) and a \`jti\` never used before;
otherwise **401**. Access tokens are plain bearer tokens either way: DPoP guards the long-lived refresh token.
A session without a device key may send \`X-Device-Id\` on refresh; when sent it must equal the \`device_id\`
given at sign-in, or the refresh is refused (401).

## Idempotency-Key: retrying booking steps safely

Steps that create a booking or move money take an \`Idempotency-Key\` header (8–255 printable ASCII characters, no
spaces, one per intended action, e.g. a UUID):

- **required** on \`POST /booking/bookings\` (book a provider) and \`POST /payments/bookings/{id}/refund\`:
  without one they answer 400;
- **optional but recommended** on the booking steps \`POST /booking/bookings/{id}/accept\`, \`/decline\`,
  \`/cancel\`, \`/confirm\` and \`/complete\`.

A key belongs to the signed-in user and lives 24 hours. A retry with the same key, method, path and body replays
the first answer, status and body alike (a created booking answers 201 again, a refusal the same error) with the
header \`Idempotent-Replayed: true\`, and nothing happens twice. The body is compared as parsed JSON (key order and
whitespace do not matter). The same key with a different body (or on another endpoint) is **422**
\`idempotency_mismatch\`; a retry while the first request is still running is **409** \`conflict\` (retry
shortly). Answers that say nothing final are not kept under the key: a 404 and a 429 may be retried with the same
key, and after a 503 \`dependency_unavailable\` (with \`Retry-After\`) or a lost connection the same request with
the same key should be sent again: it takes effect at most once, and a 409 meanwhile only means "not settled yet".

## Errors

Every error has one shape, whatever the endpoint:

\`\`\`json
{ "error": { "code": "invalid_input", "message": "The request is not valid.", "request_id": "…", "details": [] } }
\`\`\`

\`message\` is for people (in the caller's language), \`code\` is for programs, \`request_id\` (also the
\`X-Request-Id\` header; you may send your own) identifies the request in our logs, and \`details\` is present
when there is more to say (for a 400, the fields that failed and why). The codes:

| code | status | meaning |
| --- | --- | --- |
| \`invalid_input\` | 400 | the request is malformed or breaks a rule (see \`details\`) |
| \`unauthenticated\` | 401 | no token, or one that is invalid, expired or ended |
| \`payment_required\` | 402 | the payment was declined |
| \`forbidden\` | 403 | signed in, but not allowed to do this |
| \`not_found\` | 404 | no such thing, or not one the caller may see |
| \`method_not_allowed\` | 405 | the path exists, the method does not |
| \`conflict\` | 409 | the current state does not allow it (or the same key is still running) |
| \`payload_too_large\` | 413 | the body is over the size limit |
| \`unsupported_media_type\` | 415 | the body is not JSON |
| \`idempotency_mismatch\` | 422 | the Idempotency-Key was used for a different request |
| \`rate_limited\` | 429 | too many requests; wait \`Retry-After\` seconds |
| \`dependency_unavailable\` | 503 | a backing service is down; retry after \`Retry-After\` |
| \`misconfigured\` | 503 | this deployment lacks a setting the request needs |
| \`internal\` | 500 | a fault of ours, logged under the \`request_id\` |

## Languages

Send \`Accept-Language: bn\` for Bangla or \`en\` for English (the default; quality values are honoured, e.g.
\`bn-BD, en;q=0.8\`). Error messages and notifications follow it.

## Lists and cursors

Lists answer \`{"items": [...], "next_cursor": "…"}\`. Pass \`next_cursor\` back as \`cursor\` for the next page;
\`null\` means there is none. A cursor is valid only for the same query (same parameters): used with others it
is refused with 400.

## Money and time

Money is an integer number of **poisha** (1 taka = 100 poisha) in fields ending in \`_poisha\`; there are no
fractional amounts. Times are ISO 8601 strings in UTC (e.g. \`2026-12-01T09:30:00.000Z\`); Asia/Dhaka is used only
where a rule is about a local day, and the field's description says so.
`;
