// GET /auth/.well-known/jwks.json: the public keys that verify access tokens, for other services and gateways.
import { z } from "@hono/zod-openapi";
import type { App } from "../../openapi";
import { defineRoute } from "../../openapi";

const Jwks = z
  .object({
    keys: z.array(z.object({ kty: z.string(), crv: z.string(), x: z.string(), kid: z.string() }).passthrough()),
  })
  .openapi("Jwks");

const route = defineRoute({
  operationId: "getJwks",

  method: "get",
  path: "/.well-known/jwks.json",
  tags: ["auth"],
  summary: "Public signing keys (JWK set)",
  responses: { 200: { description: "JWK set", content: { "application/json": { schema: Jwks } } } },
});

export function registerJwks(app: App) {
  app.openapi(route, async (c) => {
    const ring = await c.var.services.keys();
    return c.json(ring.publicJwks as z.infer<typeof Jwks>, 200, { "Cache-Control": "public, max-age=300" });
  });
}
