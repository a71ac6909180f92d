// The console's static files: its stylesheet and script, and htmx straight from node_modules (no CDN, no build
// step). A fixed list read once at start: nothing else on disk can be asked for.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';

const require = createRequire(import.meta.url);
const own = (name: string) => fileURLToPath(new URL(`../assets/${name}`, import.meta.url));

const FILES: Record<string, { path: string; type: string }> = {
  'console.css': { path: own('console.css'), type: 'text/css; charset=utf-8' },
  'console.js': { path: own('console.js'), type: 'text/javascript; charset=utf-8' },
  'htmx.min.js': { path: require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript; charset=utf-8' },
};

export const consoleAssets: FastifyPluginAsync = async (app) => {
  const loaded = new Map(Object.entries(FILES).map(([name, file]) => [name, { body: readFileSync(file.path), type: file.type }]));
  app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
    const file = loaded.get(request.params.name);
    if (!file) return reply.callNotFound();
    return reply.type(file.type).header('Cache-Control', 'public, max-age=300').send(file.body);
  });
};
