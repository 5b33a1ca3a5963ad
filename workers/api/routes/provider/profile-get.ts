// GET /provider/providers/{id}: a verified provider's public profile (no phone, user id or exact location), with
// the Bayesian rating, its sample size and the reliability figures (from the last reputation refresh).
import { z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { ApiError } from "../../../../lib/errors";
import { NO_HISTORY, reliabilityFigures } from "../../../../lib/reputation";
import { first } from "../../../../platform/pg/sql";
import { type App, defineRoute, json } from "../../openapi";
import { providerById } from "../../queries/provider";
import { STORED_REPUTATION } from "../../queries/reputation";
import { pathId } from "../shared/params";
import { ProviderPublicSchema, publicView } from "./schemas";

const route = defineRoute({
  operationId: "getProvider",
  errors: [404],

  method: "get",
  path: "/providers/{id}",
  tags: ["provider"],
  summary: "A verified provider's public profile",
  request: { params: z.object({ id: pathId }) },
  responses: { 200: { description: "Profile", content: json(ProviderPublicSchema) } },
});

export function registerProfileGet(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const db = pgReader(c.env, `provider:${id}`);
    const [row, reputation] = await Promise.all([
      first(db, providerById, { id }),
      first(db, STORED_REPUTATION, { provider_id: id }),
    ]);
    // Only verified providers are public; the rest do not exist for others.
    if (row?.verification_status !== "verified") throw new ApiError("not_found");
    const figures = reliabilityFigures(reputation?.inputs ?? NO_HISTORY);
    return c.json(publicView(row, figures), 200, { "Cache-Control": "public, max-age=60" });
  });
}
