import { Redis } from "@upstash/redis/cloudflare";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { cached } from "../../platform/search-cache";

// A real Upstash client pointed at a port nothing listens on: Redis is down, as the client really sees it.
const downRedis = () =>
  new Redis({ url: "http://127.0.0.1:9", token: "t", retry: { retries: 0 }, enableAutoPipelining: false });

describe("search cache with Redis down", () => {
  it("computes the answer without the cache instead of failing the search", async () => {
    let computed = 0;
    const out = await cached(
      downRedis(),
      { paramsKey: "k", versionKeys: ["v"], schema: z.object({ n: z.number() }) },
      async () => {
        computed++;
        return { n: 7 };
      },
    );
    expect(out).toEqual({ value: { n: 7 }, hit: false, degraded: true });
    expect(computed).toBe(1);
  });

  it("still lets a failure of the computation itself through", async () => {
    await expect(
      cached(downRedis(), { paramsKey: "k", versionKeys: ["v"], schema: z.number() }, async () => {
        throw new Error("query failed");
      }),
    ).rejects.toThrow("query failed");
  });
});
