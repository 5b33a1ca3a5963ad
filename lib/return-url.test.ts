import { describe, expect, it } from "vitest";
import { checkReturnUrl, parseReturnAllowlist, RETURN_URL_DEFAULT, returnLocation } from "./return-url";

const prod = parseReturnAllowlist(RETURN_URL_DEFAULT);
const allowed = (url: string, rules = prod) => checkReturnUrl(url, rules).ok;

describe("return URL allow-list", () => {
  it("admits the app's scheme and the app's web links, normalized", () => {
    expect(checkReturnUrl("kormomela://payments/return?x=1", prod)).toEqual({
      ok: true,
      url: "kormomela://payments/return?x=1",
    });
    expect(checkReturnUrl("HTTPS://KormoMela.app:443/pay/done", prod)).toEqual({
      ok: true,
      url: "https://kormomela.app/pay/done",
    });
    expect(allowed("https://kormomela.app")).toBe(true);
  });

  it("refuses look-alike hosts, other schemes, credentials, fragments and tricks", () => {
    for (const bad of [
      "https://kormomela.app.evil.com/",
      "https://evil.com/https://kormomela.app/",
      "https://kormomela.app@evil.com/",
      "https://user:pw@kormomela.app/",
      "https://evil.com?https://kormomela.app/",
      "https://kormomela.app./",
      "https://kormomela.app:8443/",
      "http://kormomela.app/",
      "https://xn--kormomel-2fg.app/",
      "https://kormomela.app/#frag",
      "https://kormomela.app/#",
      "//kormomela.app/",
      "/relative",
      "https:/\\evil.com",
      "https://kormomela.app\\@evil.com",
      " https://kormomela.app/",
      "https://kormo\tmela.app/",
      "javascript:alert(1)",
      "javascript://kormomela.app/%0aalert(1)",
      "data:text/html,hi",
      "kormomela2://x",
      "not a url",
      `https://kormomela.app/${"a".repeat(2100)}`,
    ]) {
      expect(allowed(bad), bad).toBe(false);
    }
  });

  it("matches a path prefix only at a segment boundary, after dot segments are resolved", () => {
    const rules = parseReturnAllowlist("https://kormomela.app/app");
    expect(allowed("https://kormomela.app/app", rules)).toBe(true);
    expect(allowed("https://kormomela.app/app/done", rules)).toBe(true);
    expect(allowed("https://kormomela.app/appx", rules)).toBe(false);
    expect(allowed("https://kormomela.app/app/../admin", rules)).toBe(false);
    expect(allowed("https://kormomela.app/app/%2e%2e/admin", rules)).toBe(false);
  });

  it("admits any port only where the entry says :*", () => {
    const rules = parseReturnAllowlist("kormomela://, http://localhost:*, http://127.0.0.1:*");
    expect(allowed("http://localhost:3000/done", rules)).toBe(true);
    expect(allowed("http://127.0.0.1/done", rules)).toBe(true);
    expect(allowed("http://localhost.evil.com:3000/", rules)).toBe(false);
    expect(allowed("https://localhost:3000/", rules)).toBe(false);
  });

  it("refuses entries that would open the gate", () => {
    for (const bad of ["https://", "javascript://", "https://a.app/?q=1", "https://u@a.app/", "kormomela://x", "x"]) {
      expect(() => parseReturnAllowlist(bad), bad).toThrow();
    }
  });
});

describe("return location", () => {
  it("keeps the return URL's query and sets exactly booking_id and outcome", () => {
    const to = new URL(returnLocation("kormomela://pay/done?tab=bookings&outcome=x", 42, "confirmed"));
    expect([...to.searchParams.entries()]).toEqual([
      ["tab", "bookings"],
      ["outcome", "confirmed"],
      ["booking_id", "42"],
    ]);
    expect(to.protocol).toBe("kormomela:");
  });
});
