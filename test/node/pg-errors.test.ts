import { describe, expect, it } from "vitest";
import { isDependencyFailure, sqlState } from "../../platform/pg/errors";

const withCode = (code: string) => Object.assign(new Error("x"), { code });

describe("dependency failures", () => {
  it("reads connection-level SQLSTATEs as a dependency down and statement errors as not", () => {
    expect(isDependencyFailure(withCode("57P01"))).toBe(true); // admin shutdown: a restart
    expect(isDependencyFailure(withCode("08006"))).toBe(true);
    expect(isDependencyFailure(withCode("53300"))).toBe(true); // too many connections
    expect(isDependencyFailure(withCode("22021"))).toBe(false); // bad input
    expect(isDependencyFailure(withCode("23505"))).toBe(false); // unique violation: a bug or a race, not an outage
    expect(sqlState(withCode("22021"))).toBe("22021");
  });

  it("recognises a dropped socket, a refused bridge and an unreachable Redis", () => {
    expect(isDependencyFailure(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isDependencyFailure(new TypeError("fetch failed"))).toBe(true);
    expect(isDependencyFailure(Object.assign(new Error("boom"), { name: "UpstashError" }))).toBe(true);
    expect(isDependencyFailure(new Error("outer", { cause: new Error("ECONNREFUSED 127.0.0.1:5432") }))).toBe(true);
  });

  it("does not excuse our own bugs as an outage", () => {
    expect(isDependencyFailure(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isDependencyFailure("a string")).toBe(false);
    expect(isDependencyFailure(null)).toBe(false);
  });
});
