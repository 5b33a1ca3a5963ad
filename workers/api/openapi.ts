// Factory for the gateway and every service sub-app: one validation hook, so every 400 looks the same.
import { OpenAPIHono, z } from "@hono/zod-openapi";
import { ApiError, ErrorCode } from "../../lib/errors";
import type { AppEnv } from "./context";
import { INTRO } from "./docs-intro";

export function createApp() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new ApiError("invalid_input", {
          details: result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
        });
      }
    },
  });
}

export type App = ReturnType<typeof createApp>;

/** The document's top level: served at /openapi.json and written to docs/openapi.json by `npm run openapi`. */
export const DOCUMENT = {
  openapi: "3.1.0",
  info: {
    title: "Kormo Mela API",
    version: "0.1.0",
    description: INTRO,
  },
};

/** The whole document, as served. */
export function openApiDocument(app: App) {
  return app.getOpenAPI31Document(DOCUMENT);
}

/** `security` of a route that needs an access token. */
export const bearerSecurity = [{ bearerAuth: [] }];

/** A JSON request or response body of `schema`. */
export const json = <S extends z.ZodType>(schema: S) => ({ "application/json": { schema } });

export const ErrorSchema = z
  .object({
    error: z.object({
      code: ErrorCode,
      message: z.string().openapi({ example: "The request is not valid." }),
      request_id: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi("Error");

/** Standard error responses to spread into a route's `responses`. */
export function errorResponses<const S extends readonly (400 | 401 | 402 | 403 | 404 | 409 | 413 | 422 | 429 | 503)[]>(
  ...statuses: S
) {
  const out: Record<number, { description: string; content: { "application/json": { schema: typeof ErrorSchema } } }> =
    {};
  for (const s of statuses) {
    out[s] = { description: `Error (${s})`, content: { "application/json": { schema: ErrorSchema } } };
  }
  return out as {
    [K in S[number]]: { description: string; content: { "application/json": { schema: typeof ErrorSchema } } };
  };
}
