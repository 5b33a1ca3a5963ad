// Parameters as the document should show them: the output side. A query or path value is text on the wire, but a
// generator should see `limit` as an integer from 1 to 50 and `lat` as a number, not as a string with a pattern;
// a body field with a default is optional to send.
import { z } from "@hono/zod-openapi";
import { decimalParam, idParam, integerParam } from "../../../../lib/input";

/** A decimal query parameter within bounds, documented as a number. */
export const queryDecimal = (opts: { min: number; max: number; example?: number }) =>
  decimalParam(opts).openapi({
    type: "number",
    minimum: opts.min,
    maximum: opts.max,
    pattern: undefined,
    ...(opts.example === undefined ? {} : { example: opts.example }),
  });

/** A whole-number query parameter within bounds, documented as an integer. */
export const queryInteger = (opts: { min: number; max: number }) =>
  integerParam(opts).openapi({ type: "integer", minimum: opts.min, maximum: opts.max, pattern: undefined });

/** A resource id in a path, documented as a positive integer. */
export const pathId = z.string().pipe(idParam).openapi({
  type: "integer",
  minimum: 1,
  maximum: Number.MAX_SAFE_INTEGER,
  pattern: undefined,
  example: 42,
});

/** A body field a client may leave out: documented optional with its default, parsed to the value. */
export const withDefault = <S extends z.ZodType>(schema: S, value: z.output<S>) =>
  schema
    .optional()
    .transform((v) => (v === undefined ? value : v))
    .openapi({ default: value });
