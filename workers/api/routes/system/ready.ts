// GET /ready: readiness. Checks Postgres and Redis through the real drivers and names whichever failed.
import { z } from "@hono/zod-openapi";
import { ApiError } from "../../../../lib/errors";
import { run, statement } from "../../../../platform/pg/sql";
import { type App, defineRoute } from "../../openapi";

const CHECK_TIMEOUT_MS = 2_000;
const ping = statement({ params: {}, row: z.unknown(), text: "SELECT 1" });
const CheckStatus = z.enum(["ok", "down"]);
const ReadySchema = z
  .object({ status: z.literal("ok"), checks: z.object({ postgres: CheckStatus, redis: CheckStatus }) })
  .openapi("Ready");

async function probe(fn: () => Promise<unknown>): Promise<z.infer<typeof CheckStatus>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([fn(), timeout]);
    return "ok";
  } catch {
    return "down";
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

const route = defineRoute({
  operationId: "getReadiness",

  method: "get",
  path: "/ready",
  tags: ["system"],
  summary: "Readiness: Postgres and Redis reachable",
  responses: {
    200: { description: "Ready", content: { "application/json": { schema: ReadySchema } } },
  },
});

export function registerReady(app: App) {
  app.openapi(route, async (c) => {
    const { pool, redis } = c.var.services;
    const [postgres, redisStatus] = await Promise.all([
      probe(() => run(pool(), ping, {})),
      probe(async () => {
        if ((await redis().ping()) !== "PONG") throw new Error("unexpected PING reply");
      }),
    ]);
    const checks = { postgres, redis: redisStatus };
    const down = Object.entries(checks)
      .filter(([, s]) => s === "down")
      .map(([name]) => name);
    if (down.length > 0) {
      throw new ApiError("dependency_unavailable", {
        message: {
          en: `Not ready: ${down.join(", ")} unreachable.`,
          bn: `প্রস্তুত নয়: ${down.join(", ")} পাওয়া যাচ্ছে না।`,
        },
        details: { kind: "readiness", checks },
      });
    }
    return c.json({ status: "ok" as const, checks: { postgres: "ok" as const, redis: "ok" as const } }, 200);
  });
}
