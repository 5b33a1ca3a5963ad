// Printable pages (receipts, statements): amounts in taka, times in Dhaka, text in the reader's language, and every
// value escaped. Self-contained HTML (inline style, no script), so it prints and saves as it is.
import type { Lang } from "../../../../lib/enums";

const BN_DIGITS = "০১২৩৪৫৬৭৮৯";
const bnDigits = (s: string) => s.replace(/\d/g, (d) => BN_DIGITS[Number(d)] as string);

/** The pages load nothing and run nothing: only their own inline style. */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
}

/** ৳১,২৫০.৫০ or Tk 1,250.50 (poisha shown only when there are some); negative with a minus sign. */
export function taka(poisha: number, lang: Lang): string {
  const sign = poisha < 0 ? "−" : "";
  const abs = Math.abs(poisha);
  const text = new Intl.NumberFormat("en-IN", {
    minimumFractionDigits: abs % 100 === 0 ? 0 : 2,
    maximumFractionDigits: 2,
  }).format(abs / 100);
  return lang === "bn" ? `${sign}৳${bnDigits(text)}` : `${sign}Tk ${text}`;
}

export function dhakaTime(d: Date, lang: Lang): string {
  const s = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Asia/Dhaka",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  }).format(d);
  return lang === "bn" ? bnDigits(s) : s;
}

/** One page: a title, label/value pairs, a table of items, and totals. */
export function page(p: {
  lang: Lang;
  title: string;
  facts: [string, string][];
  head: string[];
  rows: string[][];
  totals: [string, string][];
  note?: string;
}): string {
  const e = escapeHtml;
  const cells = (r: string[], tag: "td" | "th") => `<tr>${r.map((c) => `<${tag}>${e(c)}</${tag}>`).join("")}</tr>`;
  return `<!doctype html><html lang="${p.lang}"><head><meta charset="utf-8"><title>${e(p.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,"Noto Sans Bengali",sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#111}
table{width:100%;border-collapse:collapse;margin:1rem 0}td,th{padding:.35rem;border-bottom:1px solid #ddd;text-align:left}
td:last-child,th:last-child{text-align:right}dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
dt{color:#555}.totals td{font-weight:600}@media print{body{margin:0}}</style></head><body>
<h1>${e(p.title)}</h1><dl>${p.facts.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join("")}</dl>
<table><thead>${cells(p.head, "th")}</thead><tbody>${p.rows.map((r) => cells(r, "td")).join("")}</tbody>
<tfoot class="totals">${p.totals.map(([k, v]) => cells([k, v], "td")).join("")}</tfoot></table>
${p.note ? `<p>${e(p.note)}</p>` : ""}</body></html>`;
}
