// Types for dev/lint/deps.mjs, so TypeScript tests can run the architecture check.
export type Layer = "lib" | "db" | "platform" | "durable-objects" | "workers/api" | "workers/notifications" | "clients";
export type Rule =
  | "layering"
  | "worker-to-worker"
  | "outside-layers"
  | "test-import"
  | "endpoint-to-endpoint"
  | "ledger-write"
  | "file-length";
export interface Violation {
  file: string;
  line: number;
  rule: Rule;
  message: string;
}
export declare const ROOTS: string[];
export declare const GENERATED: Set<string>;
export declare const MAX_LINES: number;
export declare const ALLOWED: Record<Layer, Layer[]>;
export declare function layerOf(path: string): Layer | null;
export declare function isTest(path: string): boolean;
export declare function isEndpoint(path: string): boolean;
export declare function sourceFiles(root: string): string[];
export declare function checkTree(root: string): Violation[];
export declare function formatViolation(v: Violation): string;
