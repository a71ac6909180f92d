// A sandbox in a process of its own for `npm run bench:sync`, so that the upstream's work does not share a CPU
// with the engine being measured. Started by bench/sync.ts with fork(); argv[2] is JSON {kind, options}.
// Sends {url} once listening; answers 'stats' with {stats}; 'close' ends it.
import { createShipStationSandbox } from '../src/sandbox/shipstation.ts';
import { createStockySandbox } from '../src/sandbox/stocky.ts';

const spec = JSON.parse(process.argv[2]) as { kind: 'shipstation' | 'stocky'; options: Record<string, unknown> };
const app = spec.kind === 'shipstation' ? createShipStationSandbox(spec.options) : createStockySandbox(spec.options);
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.send!({ url });
process.on('message', async (message) => {
  if (message === 'stats') process.send!({ stats: app.sandbox.stats });
  if (message === 'close') {
    await app.close();
    process.exit(0);
  }
});
// The bench process gone (crashed, killed): do not outlive it.
process.on('disconnect', () => process.exit(0));
