// The generated OpenAPI document is valid OpenAPI 3.1 according to an independent validator.
import { validate } from "@readme/openapi-parser";
import { describe, expect, it } from "vitest";
import { buildApp } from "../../workers/api/app";

describe("OpenAPI document", () => {
  it("validates as OpenAPI 3.1 with every route's schemas resolvable", async () => {
    const doc = buildApp().getOpenAPI31Document({
      openapi: "3.1.0",
      info: { title: "Kormo Mela API", version: "test" },
    });
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(Object.keys(doc.paths ?? {}).length).toBeGreaterThan(10);
  });
});
