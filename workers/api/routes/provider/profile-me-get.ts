// GET /provider/providers/me: the caller's own provider profile, private fields included.
import { requireAuth } from "../../auth/require-auth";
import { type App, bearerSecurity, defineRoute, json } from "../../openapi";
import { myProvider } from "../../queries/provider";
import { ProviderPrivateSchema, privateView } from "./schemas";

const route = defineRoute({
  operationId: "getMyProvider",
  errors: [404],

  method: "get",
  path: "/providers/me",
  tags: ["provider"],
  summary: "My provider profile",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  responses: { 200: { description: "Profile", content: json(ProviderPrivateSchema) } },
});

export function registerProfileMeGet(app: App) {
  app.openapi(route, async (c) => c.json(privateView(await myProvider(c)), 200));
}
