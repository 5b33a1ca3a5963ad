// Contract check for every answer a route test receives: the status is one the operation documents, the headers it
// marks required are there, every header of ours that is sent is documented for that status, and the JSON body
// validates against the documented schema (JSON Schema 2020-12, @cfworker/json-schema: no eval, runs in workerd).
// The document is docs/openapi.json, which test/node/openapi.test.ts keeps equal to what the gateway serves.
import { Validator } from "@cfworker/json-schema";
import document from "../../../docs/openapi.json";

type Json = Record<string, unknown>;
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, unknown>;
    responses: Record<string, Response>;
    headers: Record<string, Header>;
  };
};
type Header = { required?: boolean };
type Response = {
  $ref?: string;
  headers?: Record<string, Header & { $ref?: string }>;
  content?: Record<string, { schema: unknown }>;
};
type Operation = { operationId: string; responses: Record<string, Response> };

const doc = document as unknown as Doc;

/** Headers the gateway itself sets: when one is sent, the operation must document it for that status. */
const OUR_HEADERS = ["x-request-id", "retry-after", "idempotent-replayed", "www-authenticate", "x-cache", "location"];

/** `#/components/schemas/X` becomes `#/$defs/X`, so one standalone schema carries everything it refers to. */
function rewrite(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(rewrite);
  if (v && typeof v === "object") {
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      out[k] = k === "$ref" && typeof x === "string" ? x.replace("#/components/schemas/", "#/$defs/") : rewrite(x);
    }
    return out;
  }
  return v;
}
const defs = rewrite(doc.components.schemas) as Json;

const validators = new Map<string, Validator>();
function validatorFor(key: string, schema: unknown): Validator {
  let v = validators.get(key);
  if (!v) {
    v = new Validator({ ...(rewrite(schema) as Json), $defs: defs }, "2020-12", false);
    validators.set(key, v);
  }
  return v;
}

const routes = Object.entries(doc.paths).map(([path, ops]) => ({
  re: new RegExp(`^${path.replace(/\{[^}]+\}/g, "[^/]+")}$`),
  ops,
}));

/** The documented operation for a method and path, if any. */
export function operationOf(method: string, pathname: string): Operation | undefined {
  for (const { re, ops } of routes) if (re.test(pathname)) return ops[method.toLowerCase()];
  return undefined;
}

const resolve = (r: Response): Response =>
  r.$ref ? (doc.components.responses[r.$ref.split("/").pop() as string] as Response) : r;
const resolveHeader = (h: Header & { $ref?: string }): Header =>
  h.$ref ? (doc.components.headers[h.$ref.split("/").pop() as string] as Header) : h;

/** Every way the answer differs from the document; empty when it conforms. */
export function contractProblems(
  method: string,
  url: string,
  res: { status: number; headers: Headers; body: unknown; text: string },
): string[] {
  const { pathname } = new URL(url);
  // The document itself and the docs page are not operations of the API.
  if (pathname === "/openapi.json" || pathname === "/docs" || pathname.startsWith("/docs/")) return [];
  const op = operationOf(method, pathname);
  const problems: string[] = [];
  let response: Response;
  let where: string;
  if (!op) {
    // Not an operation of the document (an unknown path, another method): only our error envelope may answer.
    if (res.status !== 404 && res.status !== 405 && res.status !== 400 && res.status !== 413 && res.status !== 415) {
      return [`${method} ${pathname} is not documented, yet answered ${res.status}`];
    }
    response = resolve({ $ref: "#/components/responses/InvalidInput" });
    where = `${method} ${pathname} (undocumented) ${res.status}`;
  } else {
    const declared = op.responses[String(res.status)];
    // `default` documents 500 only: any other status must be listed by the operation itself.
    if (!declared && res.status !== 500)
      return [`${op.operationId} answered ${res.status}, which it does not document`];
    response = resolve(declared ?? (op.responses.default as Response));
    where = `${op.operationId} ${res.status}`;
  }
  const documented = new Map(
    Object.entries(response.headers ?? {}).map(([k, h]) => [k.toLowerCase(), resolveHeader(h)]),
  );
  for (const [name, h] of documented) {
    if (h.required && !res.headers.has(name)) problems.push(`${where}: required header ${name} is missing`);
  }
  for (const name of OUR_HEADERS) {
    if (res.headers.has(name) && !documented.has(name)) problems.push(`${where}: header ${name} is not documented`);
  }
  const type = res.headers.get("content-type") ?? "";
  const content = response.content;
  if (!content) {
    if (res.text !== "") problems.push(`${where}: a body is sent but none is documented`);
    return problems;
  }
  const media = type.split(";")[0]?.trim() ?? "";
  const entry = content[media];
  if (!entry) return [...problems, `${where}: content-type ${media || "(none)"} is not documented`];
  if (media === "application/json") {
    const result = validatorFor(where, entry.schema).validate(res.body);
    if (!result.valid) {
      for (const e of result.errors.slice(0, 5)) problems.push(`${where}: ${e.instanceLocation} ${e.error}`);
    }
  }
  return problems;
}

/** Throws when an answer breaks the contract, naming every difference. */
export function assertContract(
  method: string,
  url: string,
  res: { status: number; headers: Headers; body: unknown; text: string },
) {
  const problems = contractProblems(method, url, res);
  if (problems.length) throw new Error(`contract: ${problems.join("; ")}`);
}
