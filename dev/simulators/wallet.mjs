// What the wallet simulators (bKash, Nagad) share: amounts as decimal taka strings, reference codes, failure
// injection, and the test hooks under /__sim/.
import { randomBytes } from "node:crypto";
import { readBody, sendJson } from "./http.mjs";

const AMOUNT = /^\d{1,9}\.\d{2}$/;

/** "250.00": two decimals and above zero. Real gateways also take "250"; insisting pins our adapter's format. */
export const validAmount = (s) => typeof s === "string" && AMOUNT.test(s) && Number(s) > 0;
export const poisha = (amount) => Number(amount.replace(".", ""));
export const taka = (p) => (p / 100).toFixed(2);
/** n upper-case letters and digits, as the wallets' transaction ids look. */
export const refCode = (n) =>
  Array.from(randomBytes(n), (b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[b % 36]).join("");

/**
 * Failure injection shared by the wallet simulators (POST /__sim/fail {mode, count, path_suffix}):
 * "insufficient_balance" applies to the customer's approval page, "500" and "timeout" to API calls. A timeout
 * performs the operation and then withholds the answer for `holdMs`, as a gateway that went quiet would.
 */
export function walletFaults({ holdMs = 30_000 } = {}) {
  const MODES = ["insufficient_balance", "500", "timeout"];
  const held = new Set();
  let failure = { mode: "", count: 0, suffix: "" };
  return {
    /** Consumes one injected failure if it applies to this kind of request ("approval" or "api") and path. */
    take(kind, path) {
      if (failure.count <= 0 || !path.endsWith(failure.suffix)) return "";
      if ((failure.mode === "insufficient_balance") !== (kind === "approval")) return "";
      failure.count -= 1;
      return failure.mode;
    },
    /** Applies a /__sim/fail body; returns the error text for a bad mode. */
    configure(body) {
      if (!MODES.includes(body.mode)) return `mode must be one of ${MODES.join(", ")}`;
      failure = { mode: body.mode, count: Number(body.count ?? 1), suffix: String(body.path_suffix ?? "") };
      return null;
    },
    get state() {
      return failure;
    },
    reset() {
      failure = { mode: "", count: 0, suffix: "" };
    },
    /** Answers after `holdMs`, unless the client hangs up first. */
    hold(res, status, body) {
      const timer = setTimeout(() => {
        held.delete(timer);
        sendJson(res, status, body);
      }, holdMs);
      held.add(timer);
      res.on("close", () => {
        clearTimeout(timer);
        held.delete(timer);
      });
    },
    /** Drops every withheld answer (simulator shutdown). */
    cancelAll() {
      for (const timer of held) clearTimeout(timer);
      held.clear();
    },
  };
}

/**
 * The /__sim/ hooks both wallets answer: POST /__sim/fail {mode, count, path_suffix}, POST /__sim/reset (`reset`
 * clears the simulator's own state), GET /__sim/payments/{id} and POST /__sim/payments/{id} {amount} (rewrites the
 * recorded amount: the gateway's record disagrees with the merchant's). `more` maps "METHOD /path" to extra hooks.
 */
export function walletHooks({ faults, payments, reset, more = {} }) {
  return async (req, res, path) => {
    if (req.method === "POST" && path === "/__sim/fail") {
      const error = faults.configure(JSON.parse((await readBody(req)) || "{}"));
      return error ? sendJson(res, 400, { error }) : sendJson(res, 200, faults.state);
    }
    if (req.method === "POST" && path === "/__sim/reset") {
      reset();
      faults.reset();
      return sendJson(res, 200, { reset: true });
    }
    const extra = more[`${req.method} ${path}`];
    if (extra) return extra(req, res);
    const p = path.startsWith("/__sim/payments/") && payments.get(decodeURIComponent(path.slice(16)));
    if (!p) return sendJson(res, 404, { error: "not found" });
    if (req.method === "POST") {
      const { amount } = JSON.parse((await readBody(req)) || "{}");
      if (!validAmount(amount)) return sendJson(res, 400, { error: 'amount must be like "100.00"' });
      p.amount = amount;
    }
    return sendJson(res, 200, p);
  };
}
