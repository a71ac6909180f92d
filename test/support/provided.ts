// Values the global setup hands to every test file (vitest's provide/inject).
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    /**
     * The PostgreSQL database this run uses (each test file makes its own schema in it), or null when
     * PostgreSQL is unreachable outside CI and its cases are skipped.
     */
    postgresUrl: string | null;
  }
}
