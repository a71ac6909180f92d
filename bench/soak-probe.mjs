// Loaded into the service by `npm run soak` (node --import): every SOAK_SAMPLE_MS it sends the soak its own
// process figures over the IPC channel — RSS and V8 heap in bytes, and the event-loop delay p99 in ms since the
// last sample (perf_hooks.monitorEventLoopDelay, 10 ms resolution).
import { monitorEventLoopDelay } from 'node:perf_hooks';

const interval = Number(process.env.SOAK_SAMPLE_MS || 10_000);
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
setInterval(() => {
  const memory = process.memoryUsage();
  process.send?.({ rss: memory.rss, heapUsed: memory.heapUsed, eventLoopP99Ms: delay.percentile(99) / 1e6 });
  delay.reset();
}, interval).unref();
