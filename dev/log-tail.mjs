// The last lines of a log file without colour codes and blank spacer lines, which bury the cause of a failure.
import { readFileSync } from "node:fs";
import { stripVTControlCharacters } from "node:util";

export function logTail(file, lines = 20) {
  try {
    return stripVTControlCharacters(readFileSync(file, "utf8"))
      .split("\n")
      .filter((l) => l.trim())
      .slice(-lines)
      .join("\n");
  } catch {
    return "(no log)";
  }
}
