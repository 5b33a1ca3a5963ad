import { describe, expect, it } from "vitest";
import { openCursor, signCursor } from "./cursor";

const SECRET = "a-test-secret-of-at-least-32-characters!";

describe("signed cursors", () => {
  it("round-trips a position within its scope", async () => {
    const c = await signCursor(SECRET, "q:abc|u:7", [120, 3, 42]);
    expect(await openCursor(SECRET, "q:abc|u:7", c)).toEqual([120, 3, 42]);
  });

  it("refuses a cursor from another query or another user", async () => {
    const c = await signCursor(SECRET, "q:abc|u:7", [1]);
    expect(await openCursor(SECRET, "q:abd|u:7", c)).toBeNull();
    expect(await openCursor(SECRET, "q:abc|u:8", c)).toBeNull();
  });

  it("refuses a hand-made cursor whose numbers would reach SQL as non-integers", async () => {
    const payload = btoa(JSON.stringify([1.5, 1e308])).replace(/=+$/, "");
    expect(await openCursor(SECRET, "q", `${payload}.AAAAAAAAAAAAAAAAAAAAAA`)).toBeNull();
    expect(await openCursor(SECRET, "q", payload)).toBeNull();
    expect(await openCursor(SECRET, "q", "not a cursor")).toBeNull();
    expect(await openCursor(SECRET, "q", "")).toBeNull();
  });

  it("refuses a signed cursor whose payload was edited", async () => {
    const c = await signCursor(SECRET, "q", [5]);
    const [, tag] = c.split(".");
    const forged = `${btoa(JSON.stringify([6])).replace(/=+$/, "")}.${tag}`;
    expect(await openCursor(SECRET, "q", forged)).toBeNull();
  });

  it("never signs a position that is not a short list of finite numbers", async () => {
    await expect(signCursor(SECRET, "q", [Number.NaN])).rejects.toThrow();
    await expect(signCursor(SECRET, "q", [Number.POSITIVE_INFINITY])).rejects.toThrow();
    expect(await openCursor(SECRET, "q", await signCursor(SECRET, "q", [0.5, 2]))).toEqual([0.5, 2]);
    await expect(signCursor(SECRET, "q", [])).rejects.toThrow();
  });

  it("a cursor signed with another secret does not open", async () => {
    const c = await signCursor("another-secret-of-at-least-32-characters", "q", [1]);
    expect(await openCursor(SECRET, "q", c)).toBeNull();
  });
});
