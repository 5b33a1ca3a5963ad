// Idempotency-Key for the operations that take one: a fresh UUID per logical call, kept across its automatic retries.
import type { Middleware } from "openapi-fetch";
import type { paths } from "./schema";

type Method = "get" | "put" | "post" | "delete" | "patch";
const HEADER = "idempotency-key";

type HeaderOf<Op> = Op extends { parameters: { header?: infer H } } ? NonNullable<H> : never;
type TakesKey<Op> = [HeaderOf<Op>] extends [never] ? false : typeof HEADER extends keyof HeaderOf<Op> ? true : false;

/** "POST /booking/bookings" and the like: every operation whose document declares an Idempotency-Key header. */
export type IdempotentOperation = {
  [P in keyof paths]: {
    [M in keyof paths[P] & Method]: TakesKey<paths[P][M]> extends true ? `${Uppercase<M>} ${P & string}` : never;
  }[keyof paths[P] & Method];
}[keyof paths];

/**
 * The same list at run time. Typed as a record over IdempotentOperation, so a regenerated document that adds or
 * drops such an operation fails the typecheck until this table says the same.
 */
const IDEMPOTENT: Record<IdempotentOperation, true> = {
  "POST /booking/bookings": true,
  "POST /booking/bookings/{id}/accept": true,
  "POST /booking/bookings/{id}/decline": true,
  "POST /booking/bookings/{id}/confirm": true,
  "POST /booking/bookings/{id}/complete": true,
  "POST /booking/bookings/{id}/cancel": true,
  "POST /booking/bookings/{id}/review": true,
  "POST /booking/requests": true,
  "POST /payments/bookings/{id}/refund": true,
};

export const takesIdempotencyKey = (method: string, schemaPath: string): boolean =>
  `${method.toUpperCase()} ${schemaPath}` in IDEMPOTENT;

/**
 * Lets callers leave the key out even where a regenerated document marks the header required: the middleware
 * supplies it. A key the caller passes (params.header) is sent as given.
 */
type Loosen<Op> = Op extends { parameters: { header: infer H } }
  ? typeof HEADER extends keyof H
    ? Omit<Op, "parameters"> & {
        parameters: Omit<Op["parameters"], "header"> & { header?: Omit<H, typeof HEADER> & { [HEADER]?: string } };
      }
    : Op
  : Op;
export type OptionalIdempotencyKey<Ps> = { [P in keyof Ps]: { [M in keyof Ps[P]]: Loosen<Ps[P][M]> } };
export type ClientPaths = OptionalIdempotencyKey<paths>;

/** Adds a fresh key to a keyed operation that has none; the retry middleware resends the same request, key and all. */
export const idempotencyMiddleware = (newKey: () => string = () => crypto.randomUUID()): Middleware => ({
  onRequest({ request, schemaPath }) {
    if (takesIdempotencyKey(request.method, schemaPath) && !request.headers.has(HEADER)) {
      request.headers.set(HEADER, newKey());
    }
    return request;
  },
});
