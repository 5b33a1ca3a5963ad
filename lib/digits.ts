// Bangla digits (০-৯, U+09E6..U+09EF) are as valid as ASCII digits in anything a person types.
const BANGLA_ZERO = 0x09e6;

export function toAsciiDigits(input: string): string {
  return input.replace(/[\u09e6-\u09ef]/g, (d) => String(d.charCodeAt(0) - BANGLA_ZERO));
}

export function toBanglaDigits(input: string): string {
  return input.replace(/[0-9]/g, (d) => String.fromCharCode(BANGLA_ZERO + Number(d)));
}
