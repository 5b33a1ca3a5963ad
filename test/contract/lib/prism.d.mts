// Types of prism.mjs for the TypeScript suites.
export function startPrism(options: {
  root: string;
  spec: string;
  upstream: string;
  errors: boolean;
  logFile: string;
  log?: (message: string) => void;
}): Promise<{ url: string; logFile: string; output: () => string; close: () => Promise<void> }>;
