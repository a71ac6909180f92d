// Entry of the document reader's worker thread (read-batches.ts). A worker does not inherit the loader the main
// thread registered (bin/ordersync.js), so it registers tsx's own before loading the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./read-worker.ts');
