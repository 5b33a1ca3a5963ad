// POST /provider/providers: the caller becomes a provider (unverified until KYC is approved).
import { ApiError } from "../../../../lib/errors";
import { fieldIssue, validationDetails } from "../../../../lib/issues";
import { sqlState } from "../../../../platform/pg/errors";
import { first } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, defineRoute, json } from "../../openapi";
import { createProvider, providerById, providerIdOfUser } from "../../queries/provider";
import { ProviderInputSchema, ProviderPrivateSchema, privateView } from "./schemas";

const route = defineRoute({
  operationId: "createProvider",
  errors: [403, 409],

  method: "post",
  path: "/providers",
  tags: ["provider"],
  summary: "Become a provider",
  description:
    "Creates the caller's provider profile (unverified until KYC is approved). One per user: a second call answers 409 with the id.",
  security: bearerSecurity,
  middleware: [requireAuth(["customer", "provider"])] as const,
  request: {
    body: {
      required: true,
      content: json(ProviderInputSchema, {
        display_name: "Rahima Akter",
        bio: "Ten years of home cooking for families in Gulshan and Banani.",
        languages: ["bn", "en"],
        services: [{ service_type: "cook", price_poisha: 40000, unit: "hour" }],
        location: { lat: 23.7925, lng: 90.4152 },
        service_radius_km: 5,
        area: { division: "Dhaka", district: "Dhaka", area: "Gulshan" },
      }),
    },
  },
  responses: {
    201: { description: "Created", content: json(ProviderPrivateSchema) },
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
          details: existing ? { kind: "existing", provider_id: existing.id } : undefined,
        });
      }
      if (sqlState(err) === "23503") {
        throw new ApiError("invalid_input", {
          details: validationDetails([fieldIssue("services", "unknown_service_type")]),
        });
      }
      throw err;
    }
    const created = await first(pool, providerById, { id: providerId });
    if (!created) throw new Error("the new provider is not readable");
    return c.json(privateView(created), 201);
  });
}
