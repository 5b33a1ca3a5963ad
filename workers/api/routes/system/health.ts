// GET /health: liveness. Registered on the gateway and on every service prefix (/auth/health, /booking/health, …).
import { z } from "@hono/zod-openapi";
import { type App, defineRoute } from "../../openapi";

const HealthSchema = z.object({ status: z.literal("ok") }).openapi("Health");

export function registerHealth(app: App, tag: string) {
  const service = tag === "system" ? "" : tag;
  const route = defineRoute({
    operationId: service ? `get${service[0]?.toUpperCase()}${service.slice(1)}Health` : "getHealth",
    method: "get",
    path: "/health",
    tags: [tag],
    summary: service ? `Liveness probe of the ${service} service` : "Liveness probe of the gateway",
    description: "Answers 200 without touching Postgres or Redis; /ready checks those.",
    responses: { 200: { description: "Alive", content: { "application/json": { schema: HealthSchema } } } },
  });
  app.openapi(route, (c) => c.json({ status: "ok" as const }, 200));
}
