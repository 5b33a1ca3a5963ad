// GET /provider/providers/me: the caller's own provider profile, private fields included.
import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, errorResponses, json } from "../../openapi";
import { myProvider } from "../../queries/provider";
import { ProviderPrivateSchema, privateView } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/providers/me",
  tags: ["provider"],
  summary: "My provider profile",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  responses: { 200: { description: "Profile", content: json(ProviderPrivateSchema) }, ...errorResponses(401, 404) },
});

export function registerProfileMeGet(app: App) {
  app.openapi(route, async (c) => c.json(privateView(await myProvider(c)), 200));
}
