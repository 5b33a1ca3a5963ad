import { describe, expect, it } from "vitest";
import { decimalParam, idParam, instant, integerParam, isCleanText, text, token, withinHorizon } from "./input";

describe("client text", () => {
  const name = text({ max: 10, min: 1 });
  const notes = text({ max: 50, multiline: true });

  it("refuses NUL and other control characters wherever they stand", () => {
    for (const bad of ["a\u0000b", "\u0000", "x\u0007", "a\u001bb", "a\u007f", "a\u0085", "evil\u202ename"]) {
      expect(name.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it("allows line breaks and tabs only in multi-line text", () => {
    expect(name.safeParse("a\nb").success).toBe(false);
    expect(notes.parse("line one\n\tline two")).toBe("line one\n\tline two");
    expect(notes.safeParse("a\u0000\nb").success).toBe(false);
  });

  it("refuses a lone surrogate, which has no UTF-8 encoding", () => {
    expect(isCleanText("a\ud800b")).toBe(false);
    expect(isCleanText("a\udc00")).toBe(false);
    expect(isCleanText("😀")).toBe(true);
  });

  it("normalizes to NFC and trims, then counts code points", () => {
    expect(name.parse("  Cafe\u0301 ")).toBe("Café");
    expect(text({ max: 2 }).parse("😀😀")).toBe("😀😀");
    expect(text({ max: 2 }).safeParse("😀😀😀").success).toBe(false);
    expect(name.safeParse("   ").success).toBe(false);
  });

  it("keeps Bangla text as typed", () => {
    expect(name.parse("রহিম মিয়া")).toBe("রহিম মিয়া".normalize("NFC"));
  });
});

describe("tokens", () => {
  it("takes printable ASCII byte for byte and refuses spaces and controls", () => {
    expect(token(20).parse("fcm:abc-123_XYZ")).toBe("fcm:abc-123_XYZ");
    expect(token(20).safeParse(" abc").success).toBe(false);
    expect(token(20).safeParse("ab\u0000").success).toBe(false);
    expect(token(3).safeParse("abcd").success).toBe(false);
  });
});

describe("ids", () => {
  it("accepts only a canonical positive decimal integer", () => {
    expect(idParam.parse("1")).toBe(1);
    expect(idParam.parse("9007199254740991")).toBe(9007199254740991);
    for (const bad of ["0", "01", "0x1", "1e0", "+1", " 1 ", "1.0", "-1", "", "9007199254740992", "١"]) {
      expect(idParam.safeParse(bad).success, bad).toBe(false);
    }
  });
});

describe("numbers in query strings", () => {
  it("refuses empty, hex, exponent and out-of-range values", () => {
    const lat = decimalParam({ min: -90, max: 90 });
    expect(lat.parse("23.7925")).toBe(23.7925);
    expect(lat.parse("-0.5")).toBe(-0.5);
    for (const bad of ["", "0x10", "1e1", "Infinity", "NaN", "91", " 23", "23."]) {
      expect(lat.safeParse(bad).success, bad).toBe(false);
    }
    const limit = integerParam({ min: 1, max: 50 });
    expect(limit.parse("50")).toBe(50);
    expect(limit.safeParse("51").success).toBe(false);
    expect(limit.safeParse("1.5").success).toBe(false);
  });
});

describe("instants", () => {
  it("accepts ISO 8601 with an offset inside 2020-2100 and refuses year 0000 and 99999", () => {
    expect(instant.safeParse("2026-12-01T10:00:00Z").success).toBe(true);
    expect(instant.safeParse("2026-12-01T16:00:00+06:00").success).toBe(true);
    for (const bad of ["0000-01-01T00:00:00Z", "+099999-01-01T00:00:00Z", "2101-01-01T00:00:00Z", "2026-12-01", "x"]) {
      expect(instant.safeParse(bad).success, bad).toBe(false);
    }
  });

  it("knows the booking horizon", () => {
    const now = new Date("2026-12-01T00:00:00Z");
    expect(withinHorizon(new Date("2027-11-30T00:00:00Z"), now, 365)).toBe(true);
    expect(withinHorizon(new Date("2027-12-02T00:00:00Z"), now, 365)).toBe(false);
  });
});
