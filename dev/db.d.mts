// Types for dev/db.mjs, so TypeScript tests can call the migration runner.
export declare const DEFAULT_DATABASE_URL: string;
export declare class SetupError extends Error {}
export declare function ensureDatabase(
  url?: string,
  opts?: { log?: (m: string) => void; fresh?: boolean },
): Promise<void>;
export declare function listMigrations(): { name: string; sql: string; checksum: string }[];
export declare function migrate(url?: string, opts?: { log?: (m: string) => void }): Promise<string[]>;
