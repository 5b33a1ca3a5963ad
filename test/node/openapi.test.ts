// The generated OpenAPI document is valid OpenAPI 3.1 according to an independent validator, and the committed copy
// (docs/openapi.json, what the typed client and mobile generators read) is the one the gateway serves.
import { readFileSync } from "node:fs";
import { validate } from "@readme/openapi-parser";
import { describe, expect, it } from "vitest";
import { buildApp } from "../../workers/api/app";
import { openApiDocument } from "../../workers/api/openapi";

const doc = openApiDocument(buildApp());

describe("OpenAPI document", () => {
  it("validates as OpenAPI 3.1 with every route's schemas resolvable", async () => {
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(Object.keys(doc.paths ?? {}).length).toBeGreaterThan(10);
  });

  it("is committed as docs/openapi.json exactly as served (run `npm run openapi` after changing a route)", () => {
    const committed = JSON.parse(readFileSync(new URL("../../docs/openapi.json", import.meta.url), "utf8"));
    expect(committed).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});
