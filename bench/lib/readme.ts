// The README's performance table, generated from bench/results.json (written by `npm run bench`); regenerate
// with `npm run bench:readme`. Only the text between the two markers is replaced.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './common.ts';

export const RESULTS_FILE = join(root, 'bench', 'results.json');
const README = join(root, 'README.md');
const START = '<!-- bench:reads:start -->';
const END = '<!-- bench:reads:end -->';

export interface Row {
  what: string;
  measured: string;
  ratio: string;
  target: string;
  /** null: reported, no target to meet. */
  met: boolean | null;
}

export interface Results {
  when: string;
  node: string;
  pos: number;
  pgPos: number;
  cores: number;
  loadBefore: number;
  loadAfter: number;
  rows: Row[];
  [more: string]: unknown;
}

export function renderTable(results: Results): string {
  const lines = [
    `Run of ${results.when.slice(0, 16).replace('T', ' ')} UTC, Node ${results.node}, ${results.pos.toLocaleString('en-US')} POs on SQLite` +
      ` (${results.pgPos.toLocaleString('en-US')} on PostgreSQL), ${results.cores} cores; load average ${results.loadBefore.toFixed(1)} before and` +
      ` ${results.loadAfter.toFixed(1)} after (the machine was shared with other work: compare the ratios, not the absolute figures).`,
    '',
    '| what | measured | ratio | DESIGN 7 target | met |',
    '|---|---|---|---|---|',
    ...results.rows.map((r) => `| ${r.what} | ${r.measured} | ${r.ratio} | ${r.target} | ${r.met === null ? '—' : r.met ? 'yes' : '**no**'} |`),
  ];
  return lines.join('\n');
}

/** Rewrites the README's table from the results file. */
export function regenerateReadme(results: Results = JSON.parse(readFileSync(RESULTS_FILE, 'utf8'))): void {
  const readme = readFileSync(README, 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} section`);
  writeFileSync(README, readme.slice(0, start + START.length) + '\n' + renderTable(results) + '\n' + readme.slice(end));
}
