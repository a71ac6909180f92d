// Loaded into the service by `npm run soak` (node --import): every SOAK_SAMPLE_MS it sends the soak its own
// process figures over the IPC channel — RSS and V8 heap in bytes, RSS split into anonymous and file-backed pages
// (Linux /proc/self/status RssAnon/RssFile; null elsewhere), and the event-loop delay p99 in ms since the last
// sample (perf_hooks.monitorEventLoopDelay, 10 ms resolution).
//
// Why the split: SQLite maps the database file into memory (mmap_size, db/database.ts), so every page of the
// file that is read counts in RSS as file-backed memory, which grows with the file and which the kernel can drop
// at any time. A leak is anonymous memory (the JavaScript heap, native allocations, SQLite's own page cache).
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const interval = Number(process.env.SOAK_SAMPLE_MS || 10_000);
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();

/** RssAnon and RssFile in bytes from /proc/self/status, or nulls where there is no such file. */
function rssParts() {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    const anon = kib('RssAnon');
    const file = kib('RssFile');
    return Number.isFinite(anon) && Number.isFinite(file) ? { rssAnon: anon, rssFile: file } : { rssAnon: null, rssFile: null };
  } catch {
    return { rssAnon: null, rssFile: null };
  }
}

setInterval(() => {
  const memory = process.memoryUsage();
  process.send?.({ rss: memory.rss, heapUsed: memory.heapUsed, ...rssParts(), eventLoopP99Ms: delay.percentile(99) / 1e6 });
  delay.reset();
}, interval).unref();
