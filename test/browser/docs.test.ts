// /docs in a real browser: the reference renders from the gateway alone, and nothing on the page reaches elsewhere.
import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { INTRO } from "../../workers/api/docs-intro";
import { launchBrowser, watchNetwork } from "./lib/harness.mjs";

interface Operation {
  summary?: string;
  tags?: string[];
}
const document = JSON.parse(readFileSync(new URL("../../docs/openapi.json", import.meta.url), "utf8")) as {
  paths: Record<string, Record<string, Operation>>;
};
const operations = Object.values(document.paths).flatMap((ops) => Object.values(ops));

/** A tag's summaries as the committed document has them (every service has its own Liveness probe: skip it). */
const summariesOf = (tag: string) =>
  operations.filter((o) => o.tags?.includes(tag) && o.summary !== "Liveness probe").map((o) => String(o.summary));

const base = inject("gatewayUrl");
let browser: Browser;
let page: Page;
let network: Awaited<ReturnType<typeof watchNetwork>>;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await browser.newPage();
  network = await watchNetwork(page, base);
  await page.goto(`${base}/docs`);
});

afterAll(async () => {
  await browser?.close();
});

describe("the API reference at /docs", () => {
  it("shows the introduction and the operations of every service", async () => {
    for (const heading of [...INTRO.matchAll(/^## (.+)$/gm)].map((m) => m[1] ?? "").slice(0, 4)) {
      await page.getByRole("heading", { name: heading }).first().waitFor({ state: "visible" });
    }
    for (const tag of ["auth", "search", "booking", "payments"]) {
      // A service's operations are listed once its group is opened in the sidebar.
      await page.locator(`a[href="#tag/${tag}"]`).first().click();
      for (const summary of summariesOf(tag).slice(0, 3)) {
        await page.getByText(summary, { exact: true }).first().waitFor({ state: "visible" });
      }
    }
  });

  it("sends a try-it request straight to the gateway", async () => {
    await page.getByText("Liveness probe of the gateway").first().click();
    await page
      .getByRole("button", { name: /Test Request\s*\(get \/health\)/ })
      .first()
      .click();
    const answered = page.waitForResponse((res) => res.url() === `${base}/health`);
    await page
      .getByRole("button", { name: /Send get request to \S*\/health$/ })
      .first()
      .click();
    expect((await answered).status()).toBe(200);
  });

  it("loaded everything from the gateway's own origin, with no failure and no CSP violation", () => {
    expect(network.requests).toContain(`GET ${base}/openapi.json`);
    expect(network.requests.some((r) => /^GET .*\/docs\/scalar-[\d.]+\.js$/.test(r))).toBe(true);
    expect(network.problems()).toEqual([]);
    expect(network.requests.every((r) => r.split(" ")[1]?.startsWith(`${base}/`))).toBe(true);
  });
});
