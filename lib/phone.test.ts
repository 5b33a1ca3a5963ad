import { describe, expect, it } from "vitest";
import { toAsciiDigits, toBanglaDigits } from "./digits";
import { normalizePhone, toMsisdn } from "./phone";

describe("normalizePhone", () => {
  it.each([
    ["01712345678", "+8801712345678"],
    ["8801712345678", "+8801712345678"],
    ["+8801712345678", "+8801712345678"],
    ["+880 1712-345678", "+8801712345678"],
    ["017 1234 5678", "+8801712345678"],
    ["00 880 1712 345678", "+8801712345678"],
    ["(017) 1234-5678", "+8801712345678"],
    ["০১৭১২৩৪৫৬৭৮", "+8801712345678"],
    ["+৮৮০ ১৭১২-৩৪৫৬৭৮", "+8801712345678"],
    ["০১৭12345৬৭৮", "+8801712345678"],
    ["01312345678", "+8801312345678"],
    ["01912345678", "+8801912345678"],
  ])("normalises %s to %s", (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
  });

  it.each([
    ["", "empty"],
    ["0171234567", "too short"],
    ["017123456789", "too long"],
    ["01212345678", "operator prefix 012 does not exist"],
    ["01112345678", "operator prefix 011 does not exist"],
    ["+9101712345678", "another country"],
    ["0171234567a", "a letter"],
    ["+88+01712345678", "two plus signs"],
    ["1712345678", "missing the leading zero"],
    ["٠١٧١٢٣٤٥٦٧٨", "Arabic-Indic digits"],
  ])("refuses %s (%s)", (input) => {
    expect(normalizePhone(input)).toBeNull();
  });
});

describe("digits", () => {
  it("maps every Bangla digit to ASCII and back", () => {
    expect(toAsciiDigits("০১২৩৪৫৬৭৮৯")).toBe("0123456789");
    expect(toBanglaDigits("0123456789")).toBe("০১২৩৪৫৬৭৮৯");
  });
});

describe("phone formats", () => {
  it("strips the plus for gateways", () => {
    expect(toMsisdn("+8801712345678")).toBe("8801712345678");
  });
});
