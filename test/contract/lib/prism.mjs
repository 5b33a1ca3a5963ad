// Stoplight Prism as a validating proxy in front of a running gateway: a child process on a free loopback port,
// its output kept in a file so a failing suite can print it.
import { spawn } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { freePort } from "../../faults/lib/stack.mjs";

const START_TIMEOUT_MS = 60_000;

/**
 * `prism proxy <spec> <upstream> [--errors]`. With `errors` (the strict proxy) Prism refuses a request the document
 * does not allow and turns a response violation into a 500 of its own; without it (the observer) it forwards
 * everything and only reports violations in `sl-violations`. Returns { url, logFile, output, close }.
 */
export async function startPrism({ root, spec, upstream, errors, logFile, log = () => {} }) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const out = openSync(logFile, "w");
  const child = spawn(
    join(root, "node_modules/.bin/prism"),
    ["proxy", spec, upstream, ...(errors ? ["--errors"] : []), "--port", String(port), "--host", "127.0.0.1"],
    { cwd: root, detached: true, stdio: ["ignore", out, out], env: { ...process.env, FORCE_COLOR: "0" } },
  );
  const output = () => stripVTControlCharacters(readFileSync(logFile, "utf8"));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-(/** @type {number} */ (child.pid)), "SIGTERM");
    } catch {}
    const done = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(r, 5_000, false))]);
    if (!done) {
      try {
        process.kill(-(/** @type {number} */ (child.pid)), "SIGKILL");
      } catch {}
    }
  };
  const started = Date.now();
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prism exited (${child.exitCode}):\n${output()}`);
      if (Date.now() - started > START_TIMEOUT_MS) throw new Error(`prism did not answer:\n${output()}`);
      try {
        // Any answer will do: it comes from Prism once it listens (the upstream is already healthy).
        await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
        break;
      } catch {}
      await new Promise((r) => setTimeout(r, 300));
    }
  } catch (err) {
    await close();
    throw err;
  }
  log(`prism ${errors ? "--errors" : "(observing)"} up in ${((Date.now() - started) / 1000).toFixed(1)} s at ${url}`);
  return { url, logFile, output, close };
}
