import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compileNamed, rows, statement } from "../../platform/pg/sql";

describe("named SQL parameters", () => {
  it("numbers placeholders in order of first use and reuses a repeated name", () => {
    const c = compileNamed("SELECT :a, :b, :a::int");
    expect(c.text).toBe("SELECT $1, $2, $1::int");
    expect(c.names).toEqual(["a", "b"]);
  });

  it("leaves casts, string literals, quoted identifiers and comments alone", () => {
    const c = compileNamed(`SELECT x::text, ':no', "a:b", '{id}' -- :nope\n, :yes, '24:00', 'it''s :x'`);
    expect(c.names).toEqual(["yes"]);
    expect(c.text).toBe(`SELECT x::text, ':no', "a:b", '{id}' -- :nope\n, $1, '24:00', 'it''s :x'`);
  });

  it("refuses a placeholder that is not declared, and a declared parameter the text never uses", () => {
    expect(() => statement({ params: { a: z.number() }, row: z.unknown(), text: "SELECT :a, :b" })).toThrow(
      /:b is not declared/,
    );
    expect(() => statement({ params: { a: z.number(), c: z.number() }, row: z.unknown(), text: "SELECT :a" })).toThrow(
      /c is declared but unused/,
    );
  });

  it("binds values by name whatever the order of the object, and refuses a missing one", () => {
    const s = statement({ params: { a: z.number(), b: z.string() }, row: z.unknown(), text: "SELECT :b, :a" });
    expect(s.bind({ a: 1, b: "x" })).toEqual(["x", 1]);
    expect(() => s.bind({ a: 1 } as unknown as { a: number; b: string })).toThrow(/:b is missing/);
  });

  it("parses every row through the statement's schema", async () => {
    const s = statement({ params: { id: z.number() }, row: z.object({ n: z.coerce.number() }), text: "SELECT :id" });
    const seen: unknown[][] = [];
    const db = {
      query: async (_text: string, values: unknown[]) => {
        seen.push(values);
        return { rows: [{ n: "7" }], rowCount: 1 };
      },
    };
    expect(await rows(db, s, { id: 3 })).toEqual([{ n: 7 }]);
    expect(seen).toEqual([[3]]);
    const bad = { query: async () => ({ rows: [{ n: "seven" }], rowCount: 1 }) };
    await expect(rows(bad, s, { id: 3 })).rejects.toThrow();
  });
});
