// `ordersync ingest FILE… --retailer NAME [--format x12|csv] [--supplier-name S]` (DESIGN 3, "Inbox folder"): the
// inbox's work from the command line. One summary line per file on stdout; exit status 1 when any file failed. What
// it prints from a file or a file name has its control characters escaped (plain-text.ts visible()).
import { basename } from 'node:path';
import { Command, Option } from 'commander';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { findRetailerByName } from '../store/retailers.ts';
import { findRejectedResults } from '../store/supplier-documents.ts';
import { quoted, visible } from '../domain/plain-text.ts';
import { emptyFileProblem, formatOfFile, readRegularFile, summaryLine } from './files.ts';
import { ingestDocument } from './pipeline.ts';

/** Rejected rows or sets the summary names, at most. */
const SHOWN_REJECTIONS = 5;

interface IngestOptions {
  retailer: string;
  format?: 'x12' | 'csv';
  supplierName?: string;
}

/** Ingests each file in turn; returns how many failed (unreadable, unknown retailer, or not found). */
async function ingestFiles(files: string[], options: IngestOptions): Promise<number> {
  const config = loadConfig();
  const database = openDatabase(config.database);
  let failures = 0;
  try {
    await migrateToLatest(database.db);
    // As the API's ?supplier_name=: trimmed, and not blank.
    const supplierName = options.supplierName?.trim() ?? null;
    if (supplierName === '') throw new Error('--supplier-name: must not be blank');
    const retailer = await findRetailerByName(database.db, options.retailer);
    if (!retailer) throw new Error(`--retailer: no retailer named ${quoted(options.retailer)}`);
    for (const file of files) {
      // A link the operator names is read like the file it names; a pipe, device or socket is refused unopened
      // (files.ts: the inbox's rule, less the link checks, which protect against whoever writes to the inbox).
      const read = await readRegularFile(file, { followSymlinks: true, singleLink: false, maxBytes: config.documentMaxBytes });
      if (!read.ok) {
        failures++;
        console.log(summaryLine(file, null, read.reason));
        continue;
      }
      const bytes = read.bytes;
      // As the inbox and the API: an empty file (white space only) stores nothing, and is a failure (files.ts).
      const empty = emptyFileProblem(bytes);
      if (empty !== null) {
        failures++;
        console.log(summaryLine(file, null, empty));
        continue;
      }
      const format = options.format ?? formatOfFile(file, bytes);
      const { document, conflict, created, resumed } = await ingestDocument(database.db, retailer.id, {
        bytes, format, filename: basename(file), supplier_name: supplierName,
        content_type: format === 'x12' ? 'application/edi-x12' : 'text/csv',
      }, { heldLimit: config.heldUpdateLimit });
      if (conflict) {
        failures++;
        console.log(summaryLine(file, null, conflict));
        continue;
      }
      if (document.status !== 'processed') failures++;
      const repeated = !created && !resumed;
      console.log(summaryLine(file, document, document.error, { repeated }));
      // Why rows were rejected, the first few: a file applied with rejections is not a failure, but its sender
      // should hear of them (the rest: the document's results in the API or the console).
      if (!repeated && document.rejected > 0) {
        for (const result of await findRejectedResults(database.db, document.id, SHOWN_REJECTIONS)) {
          // An X12 set's reason already opens with its source ("ST 0001 (856) rejected: …"): said once here.
          const own = `${result.source} rejected: `;
          const reason = result.reason?.startsWith(own) ? result.reason.slice(own.length) : result.reason;
          console.log(visible(`  ${result.source}${result.po_number ? ` (${result.po_number})` : ''}: rejected: ${reason}`));
        }
        const more = Number(document.rejected) - SHOWN_REJECTIONS;
        if (more > 0) console.log(`  … and ${more} more rejected: GET /api/v2/supplier_documents/${document.id}`);
      }
    }
  } finally {
    await database.close();
  }
  return failures;
}

export function registerIngestCommand(program: Command): void {
  program.command('ingest').description('read supplier documents (X12 855/856/810 or CSV) from files and apply them')
    .argument('<files...>', 'the files to ingest')
    .requiredOption('--retailer <name>', 'the retailer the documents are for')
    .addOption(new Option('--format <format>', 'x12 or csv (default: X12 when the file starts with ISA, else CSV)').choices(['x12', 'csv']))
    .option('--supplier-name <name>', 'CSV: the supplier of every row when the file has no supplier column')
    .action(async (files: string[], options: IngestOptions) => {
      const failures = await ingestFiles(files, options);
      if (failures > 0) {
        console.error(`ordersync: ${failures} of ${files.length} file${files.length === 1 ? '' : 's'} failed`);
        process.exitCode = 1;
      }
    });
}
