// Column helpers every table file shares: timestamps in UTC, and a zod enum's values as drizzle's text enum.
import { timestamp } from "drizzle-orm/pg-core";

export const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
export const createdAt = () => ts("created_at").notNull().defaultNow();
export const updatedAt = () => ts("updated_at").notNull().defaultNow();

/** A zod enum's values as the non-empty tuple drizzle's text enums take. */
export function values<const T extends string>(e: { options: T[] }): [T, ...T[]] {
  const [head, ...rest] = e.options;
  if (head === undefined) throw new Error("an enum needs at least one value");
  return [head, ...rest];
}
