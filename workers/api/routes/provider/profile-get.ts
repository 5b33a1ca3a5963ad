// GET /provider/providers/{id}: a verified provider's public profile (no phone, user id or exact location).
import { createRoute, z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { ApiError } from "../../../../lib/errors";
import { idParam } from "../../../../lib/input";
import { first } from "../../../../platform/pg/sql";
import { type App, errorResponses, json } from "../../openapi";
import { providerById } from "../../queries/provider";
import { ProviderPublicSchema, publicView } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/providers/{id}",
  tags: ["provider"],
  summary: "A verified provider's public profile",
  request: { params: z.object({ id: idParam }) },
  responses: { 200: { description: "Profile", content: json(ProviderPublicSchema) }, ...errorResponses(400, 404) },
});

export function registerProfileGet(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const row = await first(pgReader(c.env, `provider:${id}`), providerById, { id });
    // Only verified providers are public; the rest do not exist for others.
    if (row?.verification_status !== "verified") throw new ApiError("not_found");
    return c.json(publicView(row), 200, { "Cache-Control": "public, max-age=60" });
  });
}
