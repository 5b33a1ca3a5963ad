// GET /provider/services: the service catalog, in Bangla and English.
import { z } from "@hono/zod-openapi";
import { pgReader } from "../../../../durable-objects/pg-reader/client";
import { rows } from "../../../../platform/pg/sql";
import { type App, defineRoute, json } from "../../openapi";
import { serviceCatalog } from "../../queries/provider";

const Service = z
  .object({ service_type: z.string(), name: z.object({ en: z.string(), bn: z.string() }) })
  .openapi("Service");

const route = defineRoute({
  operationId: "listServices",

  method: "get",
  path: "/services",
  tags: ["provider"],
  summary: "The service catalog",
  responses: { 200: { description: "Services", content: json(z.object({ services: z.array(Service) })) } },
});

export function registerServices(app: App) {
  app.openapi(route, async (c) => {
    const catalog = await rows(pgReader(c.env, "catalog"), serviceCatalog, {});
    const services = catalog.map((s) => ({ service_type: s.service_type, name: { en: s.name_en, bn: s.name_bn } }));
    return c.json({ services }, 200, { "Cache-Control": "public, max-age=300" });
  });
}
