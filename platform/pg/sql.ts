// SQL with named parameters: a statement is written once with `:name` placeholders and a zod shape for them,
// compiled at module load to the positional text the driver speaks, and its rows are parsed by one zod schema.
// Adding a parameter never renumbers the others, and a placeholder without a declared parameter (or the other way
// round) fails when the module loads, not in production.
import { z } from "zod";

export type ParamShape = Record<string, z.ZodType>;
export type ParamsOf<S extends ParamShape> = { [K in keyof S]: z.input<S[K]> };

export interface Statement<P, R> {
  /** Positional SQL ($1, $2, …) as sent to Postgres; also the prepared statement's identity. */
  readonly text: string;
  /** Parameter names in positional order. */
  readonly names: readonly string[];
  /** The one boundary where a row from Postgres becomes a typed value. */
  readonly row: z.ZodType<R>;
  /** The positional values for one call. */
  bind(params: P): unknown[];
}

/**
 * Anything that runs positional SQL: a pool or pooled client of the Neon driver, or a PgConnection (which prepares
 * every statement it runs, so the server plans each text once per connection).
 */
export interface Runner {
  query(text: string, values: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/**
 * Finds `:name` placeholders outside string literals, quoted identifiers and comments. `::type` casts are not
 * placeholders (the colon before a name must not follow another colon or a word character).
 */
export function compileNamed(text: string): { text: string; names: string[] } {
  const names: string[] = [];
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === "'" || ch === '"') {
      const end = closing(text, i, ch);
      out += text.slice(i, end);
      i = end;
    } else if (ch === "-" && text[i + 1] === "-") {
      const end = text.indexOf("\n", i);
      const stop = end === -1 ? text.length : end;
      out += text.slice(i, stop);
      i = stop;
    } else if (ch === ":" && text[i + 1] !== ":" && !/[:\w]/.test(text[i - 1] ?? "")) {
      const m = /^[a-z_][a-z0-9_]*/i.exec(text.slice(i + 1));
      if (!m) {
        out += ch;
        i++;
        continue;
      }
      const name = m[0];
      let n = names.indexOf(name);
      if (n === -1) n = names.push(name) - 1;
      out += `$${n + 1}`;
      i += 1 + name.length;
    } else {
      out += ch;
      i++;
    }
  }
  return { text: out, names };
}

function closing(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === quote) {
      if (text[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return text.length;
}

/**
 * Declares a statement. `params` names every placeholder the text uses (and no other); `row` parses each row.
 * Statements without parameters pass `params: {}`.
 */
export function statement<S extends ParamShape, R>(def: {
  params: S;
  row: z.ZodType<R>;
  text: string;
}): Statement<ParamsOf<S>, R> {
  const compiled = compileNamed(def.text);
  const declared = Object.keys(def.params);
  const unused = declared.filter((n) => !compiled.names.includes(n));
  const undeclared = compiled.names.filter((n) => !declared.includes(n));
  if (unused.length || undeclared.length) {
    throw new Error(
      `SQL parameters do not match their declaration: ${[
        ...undeclared.map((n) => `:${n} is not declared`),
        ...unused.map((n) => `${n} is declared but unused`),
      ].join(", ")}`,
    );
  }
  const names = compiled.names;
  return {
    text: compiled.text,
    names,
    row: def.row,
    bind(params) {
      const values = params as Record<string, unknown>;
      return names.map((n) => {
        const v = values[n];
        if (v === undefined) throw new Error(`SQL parameter :${n} is missing`);
        return v;
      });
    },
  };
}

/** Rows that carry no data the caller reads (a write whose effect is the answer). */
export const NoRow = z.unknown();

/** Runs a statement and parses every row. */
export async function rows<P, R>(db: Runner, stmt: Statement<P, R>, params: P): Promise<R[]> {
  const res = await db.query(stmt.text, stmt.bind(params));
  return res.rows.map((r) => stmt.row.parse(r));
}

/** The first row, or undefined. */
export async function first<P, R>(db: Runner, stmt: Statement<P, R>, params: P): Promise<R | undefined> {
  return (await rows(db, stmt, params))[0];
}

/** The number of rows the statement touched. */
export async function run<P, R>(db: Runner, stmt: Statement<P, R>, params: P): Promise<number> {
  const res = await db.query(stmt.text, stmt.bind(params));
  return res.rowCount ?? 0;
}

// Column codecs shared by row schemas. Postgres bigint arrives as text through the driver; ids here fit in a double.
export const bigintNumber = z.union([z.number(), z.string().regex(/^-?\d+$/)]).transform((v) => Number(v));
export const timestamp = z.union([z.date(), z.string()]).transform((v) => (v instanceof Date ? v : new Date(v)));
