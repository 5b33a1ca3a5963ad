import { describe, expect, it } from "vitest";
import { ACTIONS, type Action, type Actor, decide, eventType, RULES, STATUSES, type Status } from "./booking-machine";

const ACTORS: Actor[] = ["customer", "provider", "admin", "timer"];
const start = new Date("2030-01-01T10:00:00Z");
const before = { now: new Date("2030-01-01T09:00:00Z"), start };
const after = { now: new Date("2030-01-01T10:00:00Z"), start };

/** The table, written out independently of RULES. */
const EXPECTED: Record<string, Actor[]> = {
  "PENDING accept ACCEPTED": ["provider"],
  "PENDING decline DECLINED": ["provider"],
  "PENDING cancel CANCELED": ["customer", "admin"],
  "PENDING expire EXPIRED": ["timer"],
  "ACCEPTED confirm CONFIRMED": ["customer"],
  "ACCEPTED expire EXPIRED": ["timer"],
  "ACCEPTED cancel CANCELED": ["customer", "provider", "admin"],
  "CONFIRMED complete COMPLETED": ["provider"],
  "CONFIRMED cancel CANCELED": ["customer", "provider", "admin"],
};

describe("booking state machine", () => {
  it("allows exactly the table's transitions, for exactly the named actors, and nothing else", () => {
    for (const from of STATUSES) {
      for (const action of ACTIONS) {
        const row = Object.entries(EXPECTED).find(([k]) => k.startsWith(`${from} ${action} `));
        for (const actor of ACTORS) {
          const d = decide(from, action, actor, after);
          if (!row) expect(d, `${from} ${action} ${actor}`).toEqual({ ok: false, reason: "illegal_transition" });
          else if (row[1].includes(actor)) expect(d).toEqual({ ok: true, to: row[0].split(" ")[2] as Status });
          else expect(d, `${from} ${action} ${actor}`).toEqual({ ok: false, reason: "forbidden" });
        }
      }
    }
    expect(RULES).toHaveLength(Object.keys(EXPECTED).length);
  });

  it("lets nothing leave a terminal status", () => {
    for (const from of ["COMPLETED", "CANCELED", "DECLINED", "EXPIRED"] as Status[]) {
      for (const action of ACTIONS as readonly Action[]) {
        for (const actor of ACTORS) expect(decide(from, action, actor, after).ok).toBe(false);
      }
    }
  });

  it("refuses completion before the start time, and allows it from the start on", () => {
    expect(decide("CONFIRMED", "complete", "provider", before)).toEqual({ ok: false, reason: "too_early" });
    expect(decide("CONFIRMED", "complete", "provider", after)).toEqual({ ok: true, to: "COMPLETED" });
  });

  it("names events after the target status", () => {
    expect(eventType("CONFIRMED")).toBe("booking.confirmed");
    expect(eventType("CANCELED")).toBe("booking.canceled");
  });
});
