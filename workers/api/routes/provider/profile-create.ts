// POST /provider/providers: the caller becomes a provider (unverified until KYC is approved).
import { createRoute } from "@hono/zod-openapi";
import { ApiError } from "../../../../lib/errors";
import { sqlState } from "../../../../platform/pg/errors";
import { first } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, errorResponses, json } from "../../openapi";
import { createProvider, providerById, providerIdOfUser } from "../../queries/provider";
import { ProviderInputSchema, ProviderPrivateSchema, privateView } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/providers",
  tags: ["provider"],
  summary: "Become a provider",
  description:
    "Creates the caller's provider profile (unverified until KYC is approved). One per user: a second call answers 409 with the id.",
  security: bearerSecurity,
  middleware: [requireAuth(["customer", "provider"])] as const,
  request: { body: { required: true, content: json(ProviderInputSchema) } },
  responses: {
    201: { description: "Created", content: json(ProviderPrivateSchema) },
    ...errorResponses(400, 401, 403, 409),
  },
});

export function registerProfileCreate(app: App) {
  app.openapi(route, async (c) => {
    const input = c.req.valid("json");
    const me = caller(c);
    const pool = c.var.services.pool();
    let providerId: number;
    try {
      providerId = await createProvider(pool, me.userId, input);
    } catch (err) {
      if (sqlState(err) === "23505") {
        const existing = await first(pool, providerIdOfUser, { user_id: me.userId });
        throw new ApiError("conflict", {
          message: { en: "You are already a provider.", bn: "আপনি ইতিমধ্যে সেবাদাতা।" },
          details: { provider_id: existing?.id },
        });
      }
      if (sqlState(err) === "23503") {
        throw new ApiError("invalid_input", { details: [{ path: "services", message: "unknown service_type" }] });
      }
      throw err;
    }
    const created = await first(pool, providerById, { id: providerId });
    if (!created) throw new Error("the new provider is not readable");
    return c.json(privateView(created), 201);
  });
}
