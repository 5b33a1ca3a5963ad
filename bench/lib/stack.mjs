// Finds the dev stack the bench measures, or runs `node dev/dev.mjs` for the duration of the bench.
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { logTail } from "../../dev/log-tail.mjs";

const START_TIMEOUT_MS = 120_000;
// dev.mjs needs up to ~5 s to stop wrangler and then closes its bridges; SIGKILL before that would orphan workerd.
const STOP_TIMEOUT_MS = 20_000;

/** Expected failures (stack will not start, port taken by a broken stack): reported without a stack trace. */
export class StackError extends Error {}

/** null when nothing answers; otherwise the /health answer, so a broken stack is told apart from no stack. */
async function probe(base) {
  try {
    const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) });
    return { ok: res.ok, summary: `${res.status} ${(await res.text()).slice(0, 200)}` };
  } catch {
    return null;
  }
}

/**
 * up() reuses a healthy stack at `base` or starts one; down() stops only a stack that up() started.
 * The handle exists before up() resolves so a Ctrl-C during start-up can still tear the child down.
 */
export function devStack({ root, base, port, log }) {
  const logFile = join(root, ".dev/bench-dev.log");
  let child;
  let exited;

  async function down() {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    log("stopping the dev stack the bench started");
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
    const done = await Promise.race([
      exited.then(() => true),
      new Promise((r) => setTimeout(r, STOP_TIMEOUT_MS, false)),
    ]);
    if (!done) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
      log(`dev.mjs did not stop within ${STOP_TIMEOUT_MS / 1000} s and was killed; check for stray workerd processes`);
    }
  }

  async function up() {
    const existing = await probe(base);
    if (existing?.ok) {
      log(`using the dev stack already running at ${base} (it stays running)`);
      return;
    }
    if (existing) {
      throw new StackError(`${base}/health answers ${existing.summary}; that stack is not healthy and owns the port`);
    }
    mkdirSync(join(root, ".dev"), { recursive: true });
    const out = openSync(logFile, "w");
    log(`no stack at ${base}; starting \`node dev/dev.mjs\` (log: .dev/bench-dev.log)`);
    // Own process group: a terminal Ctrl-C reaches only the bench, which then stops the stack in order.
    child = spawn(process.execPath, [join(root, "dev/dev.mjs")], {
      cwd: root,
      detached: true,
      stdio: ["ignore", out, out],
      env: { ...process.env, PORT: String(port) },
    });
    closeSync(out); // the child has its own copy of the descriptor
    exited = new Promise((resolve) => child.once("exit", resolve));

    const started = Date.now();
    let last = null;
    const lastAnswer = () => `last /health answer: ${last?.summary ?? "none"}`;
    while (Date.now() - started < START_TIMEOUT_MS) {
      if (child.exitCode !== null) {
        throw new StackError(
          `dev.mjs exited (${child.exitCode}) before the stack was healthy; ${lastAnswer()}\nlog tail:\n${logTail(logFile)}`,
        );
      }
      last = await probe(base);
      // Healthy is not ready: dev.mjs still logs the test numbers in (tokens.env) after /health answers, and a
      // scenario that logs in at the same moment would race it for the same one-time codes.
      if (last?.ok && readFileSync(logFile, "utf8").includes("Kormo Mela is running")) {
        log(`stack up after ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new StackError(
      `the stack was not healthy within ${START_TIMEOUT_MS / 1000} s; ${lastAnswer()}\nlog tail:\n${logTail(logFile)}`,
    );
  }

  return { up, down };
}
