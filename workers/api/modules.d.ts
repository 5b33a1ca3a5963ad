// Non-JavaScript modules the gateway imports, typed as wrangler's module rules (wrangler.toml [[rules]]) load them.
declare module "@scalar/api-reference/dist/browser/standalone.js" {
  /** Scalar's standalone browser bundle, as text (a `Text` module rule). */
  const source: string;
  export default source;
}
