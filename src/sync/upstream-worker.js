// Entry of the upstream worker thread (worker-client.ts). A worker does not inherit the loader the main thread
// registered (bin/ordersync.js registers tsx in-process, vitest transforms through vite), so it registers tsx's own
// before loading the TypeScript (as src/ingest/read-worker.js does).
import { register } from 'tsx/esm/api';

register();
await import('./upstream-worker.ts');
