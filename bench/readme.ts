// `npm run bench:readme`: the README's performance table from bench/results.json.
import { regenerateReadme, RESULTS_FILE } from './lib/readme.ts';

regenerateReadme();
process.stdout.write(`README.md: performance table regenerated from ${RESULTS_FILE}\n`);
