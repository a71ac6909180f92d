// Page layout for the PDF documents (pdfkit): a header with the issuer and the document's key fields,
// address blocks, tables that break across pages with their header row repeated, a totals box, and a
// running header and footer with page numbers drawn once every page exists. Pure: data in, bytes out.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { openSync, type Font } from 'fontkit';
import PDFDocument from 'pdfkit';
import type { Address } from '../domain/address.ts';

type Doc = PDFKit.PDFDocument;

// Noto Sans (TrueType files of the @expo-google-fonts/noto-sans package, SIL Open Font License), embedded and
// subset by pdfkit: Latin with every accent, Greek and Cyrillic, €, dashes and quotes, so "Müller", "Ελλάδα",
// "Łódź" and "Москва" print as written. It has no CJK ideographs or kana (a CJK font is 5–20 MB and slows
// every document): those print as `?` (README "PO documents").
const fontFile = (path: string) => createRequire(import.meta.url).resolve(`@expo-google-fonts/noto-sans/${path}`);
const FONT_FILES = { regular: fontFile('400Regular/NotoSans_400Regular.ttf'), bold: fontFile('700Bold/NotoSans_700Bold.ttf') };
const FONT = 'NotoSans';
const BOLD = 'NotoSans-Bold';
let fontBytes: { regular: Buffer; bold: Buffer } | undefined;
/** The font files' bytes, read once per process rather than once per document. */
function fonts(): { regular: Buffer; bold: Buffer } {
  return fontBytes ??= { regular: readFileSync(FONT_FILES.regular), bold: readFileSync(FONT_FILES.bold) };
}
let coverage: { regular: Font; bold: Font } | undefined;
/** The fonts' glyph tables, read once: a character prints when both weights have it. */
function fontsHave(codePoint: number): boolean {
  coverage ??= { regular: openSync(FONT_FILES.regular) as Font, bold: openSync(FONT_FILES.bold) as Font };
  return coverage.regular.hasGlyphForCodePoint(codePoint) && coverage.bold.hasGlyphForCodePoint(codePoint);
}
const INK = '#1a1a1a';
const MUTED = '#5f6368';
const ACCENT = '#1f3a5f';
const RULE = '#c8ccd0';
const FAINT_RULE = '#e3e5e8';
const HEADER_FILL = '#eef1f4';

/** US Letter with room above and below the content for the running header and the footer. */
const MARGINS = { top: 54, bottom: 54, left: 48, right: 48 };

// --- values --------------------------------------------------------------------------------------------

const groupThousands = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Cents as a decimal amount with two decimals and thousands separators, exact: 123456 → `1,234.56`. */
export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`not a whole number of cents: ${cents}`);
  const abs = Math.abs(cents);
  const whole = groupThousands(String(Math.floor(abs / 100)));
  return `${cents < 0 ? '-' : ''}${whole}.${String(abs % 100).padStart(2, '0')}`;
}

/** `USD 1,234.56`. */
export function formatMoney(cents: number, currency: string): string {
  return `${currency} ${formatCents(cents)}`;
}

export function formatQuantity(quantity: number): string {
  return `${quantity < 0 ? '-' : ''}${groupThousands(String(Math.abs(Math.trunc(quantity))))}`;
}

function zoneOrUtc(zone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return 'UTC';
  }
}

function wallClock(instant: string, zone: string): Record<string, string> | null {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return null;
  const parts: Record<string, string> = {};
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zoneOrUtc(zone), hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', timeZoneName: 'short',
  });
  for (const part of format.formatToParts(date)) parts[part.type] = part.value;
  return parts;
}

/** The calendar day of an instant in `zone`, `YYYY-MM-DD`; text that is not an instant is shown as it is. */
export function formatInstantDate(instant: string, zone: string): string {
  const p = wallClock(instant, zone);
  return p ? `${p.year}-${p.month}-${p.day}` : instant;
}

/** `2026-11-24 10:12 PST`: an instant as wall-clock time in `zone`. */
export function formatInstant(instant: string, zone: string): string {
  const p = wallClock(instant, zone);
  return p ? `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${p.timeZoneName}` : instant;
}

/** An address as the lines an envelope would show; empty parts left out. */
export function addressLines(address: Address | null): string[] {
  if (!address) return [];
  const cityLine = [address.city, [address.state, address.postal_code].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  return [address.name, address.company, address.line1, address.line2, cityLine, address.country]
    .filter((part): part is string => typeof part === 'string' && part.trim() !== '');
}

const isShowable = (char: string) => {
  const code = char.codePointAt(0)!;
  return code === 0x0a || (code >= 0x20 && !(code >= 0x7f && code <= 0x9f) && fontsHave(code));
};

/**
 * Text the embedded font can show (see FONT_FILES: Latin, Greek, Cyrillic and more, not CJK). A character it
 * lacks loses its accents when that makes it showable; anything else becomes `?`, which beats an empty box.
 */
export function printable(text: string): string {
  let out = '';
  for (const char of text.normalize('NFC')) {
    if (isShowable(char)) out += char;
    else if (char === '\t' || char === '\r') out += ' ';
    else {
      const plain = char.normalize('NFD').replace(/\p{M}+/gu, '');
      out += plain !== '' && plain !== char && [...plain].every(isShowable) ? plain : '?';
    }
  }
  return out;
}

/** A copy of `value` with every string in it made printable. */
export function printableData<T>(value: T): T {
  if (typeof value === 'string') return printable(value) as T;
  if (Array.isArray(value)) return value.map((item) => printableData(item)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, printableData(item)])) as T;
  }
  return value;
}

// --- the document --------------------------------------------------------------------------------------

export interface DocumentMeta {
  /** PDF title, also the running header of pages after the first. */
  title: string;
  author: string;
  subject: string;
  /** Left part of every page's footer. */
  footer: string;
  /** Instant the document is made: its creation date. */
  createdAt: string;
}

/** Draws a document with `draw`, then the running header and footer on every page; resolves to the PDF. */
export function renderPdf(meta: DocumentMeta, draw: (doc: Doc) => void): Promise<Buffer> {
  const created = new Date(meta.createdAt);
  const doc = new PDFDocument({
    size: 'LETTER', margins: MARGINS, bufferPages: true,
    info: {
      Title: meta.title, Author: meta.author, Subject: meta.subject, Creator: 'OrderSync', Producer: 'OrderSync (pdfkit)',
      CreationDate: Number.isNaN(created.getTime()) ? new Date() : created,
    },
  });
  const chunks: Buffer[] = [];
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont(FONT, fonts().regular);
  doc.registerFont(BOLD, fonts().bold);
  doc.font(FONT).fontSize(10).fillColor(INK);
  draw(doc);
  drawPageFurniture(doc, meta);
  doc.end();
  return finished;
}

function drawPageFurniture(doc: Doc, meta: DocumentMeta): void {
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    const { width, height } = doc.page;
    const left = MARGINS.left;
    const contentWidth = width - MARGINS.left - MARGINS.right;
    // Writing inside the margins must not make pdfkit start a new page.
    const bottomMargin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    if (i > start) {
      doc.font(FONT).fontSize(8).fillColor(MUTED)
        .text(`${meta.title} (continued)`, left, 30, { width: contentWidth, lineBreak: false });
      doc.moveTo(left, 42).lineTo(left + contentWidth, 42).lineWidth(0.5).strokeColor(RULE).stroke();
    }
    const footerY = height - 38;
    doc.moveTo(left, footerY - 6).lineTo(left + contentWidth, footerY - 6).lineWidth(0.5).strokeColor(RULE).stroke();
    doc.font(FONT).fontSize(8).fillColor(MUTED)
      .text(meta.footer, left, footerY, { width: contentWidth - 90, lineBreak: false, ellipsis: true })
      .text(`Page ${i - start + 1} of ${count}`, left + contentWidth - 90, footerY, { width: 90, align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottomMargin;
  }
}

const contentLeft = (doc: Doc) => doc.page.margins.left;
const contentWidth = (doc: Doc) => doc.page.width - doc.page.margins.left - doc.page.margins.right;
const bottomLimit = (doc: Doc) => doc.page.height - doc.page.margins.bottom;

/** Starts a new page unless `height` more points fit on this one; returns the y to draw at. */
export function ensureSpace(doc: Doc, height: number): number {
  if (doc.y + height > bottomLimit(doc)) {
    doc.addPage();
    doc.y = doc.page.margins.top;
  }
  doc.x = contentLeft(doc);
  return doc.y;
}

// --- blocks --------------------------------------------------------------------------------------------

export interface HeaderField {
  label: string;
  value: string;
}

/** Issuer at the top left, the document's title and key fields at the top right, then a rule. */
export function drawDocumentHeader(doc: Doc, input: { issuer: string; title: string; fields: HeaderField[] }): void {
  const left = contentLeft(doc);
  const width = contentWidth(doc);
  const top = doc.page.margins.top;
  const half = width / 2;

  doc.font(BOLD).fontSize(16).fillColor(INK).text(input.issuer, left, top, { width: half - 12 });
  const leftBottom = doc.y;

  const right = left + half;
  doc.font(BOLD).fontSize(18).fillColor(ACCENT).text(input.title.toUpperCase(), right, top, { width: half, align: 'right' });
  let y = doc.y + 6;
  const labelWidth = 100;
  for (const field of input.fields) {
    doc.font(FONT).fontSize(8.5).fillColor(MUTED).text(field.label, right, y + 0.5, { width: labelWidth });
    doc.font(BOLD).fontSize(9).fillColor(INK);
    const valueHeight = doc.heightOfString(field.value, { width: half - labelWidth });
    doc.text(field.value, right + labelWidth, y, { width: half - labelWidth, align: 'right' });
    y += Math.max(valueHeight, 11) + 2;
  }

  const bottom = Math.max(leftBottom, y) + 10;
  doc.moveTo(left, bottom).lineTo(left + width, bottom).lineWidth(1).strokeColor(ACCENT).stroke();
  doc.x = left;
  doc.y = bottom + 12;
}

export interface PartyBlock {
  heading: string;
  lines: string[];
}

/** Side-by-side blocks (supplier, warehouse, ship-to): a small heading over each, first line bold. */
export function drawPartyBlocks(doc: Doc, blocks: PartyBlock[]): void {
  if (blocks.length === 0) return;
  const left = contentLeft(doc);
  const gap = 16;
  const width = (contentWidth(doc) - gap * (blocks.length - 1)) / blocks.length;
  const heightOf = (block: PartyBlock) => 16 + block.lines.reduce((sum, line, i) => {
    doc.font(i === 0 ? BOLD : FONT).fontSize(9.5);
    return sum + doc.heightOfString(line, { width }) + 1;
  }, 0);
  const top = ensureSpace(doc, Math.max(...blocks.map(heightOf)));
  let bottom = top;
  blocks.forEach((block, index) => {
    const x = left + index * (width + gap);
    doc.font(BOLD).fontSize(8).fillColor(MUTED).text(block.heading.toUpperCase(), x, top, { width, characterSpacing: 0.5 });
    doc.moveTo(x, top + 11).lineTo(x + width, top + 11).lineWidth(0.5).strokeColor(RULE).stroke();
    let y = top + 16;
    block.lines.forEach((line, i) => {
      doc.font(i === 0 ? BOLD : FONT).fontSize(9.5).fillColor(i === 0 ? INK : '#333333').text(line, x, y, { width });
      y = doc.y + 1;
    });
    bottom = Math.max(bottom, y);
  });
  doc.x = left;
  doc.y = bottom + 14;
}

/** A section title, kept on the same page as at least `keepWith` points of what follows. */
export function drawSectionTitle(doc: Doc, title: string, keepWith = 60): void {
  const y = ensureSpace(doc, 22 + keepWith);
  doc.font(BOLD).fontSize(11).fillColor(ACCENT).text(title, contentLeft(doc), y, { width: contentWidth(doc) });
  doc.y += 4;
}

export interface TableColumn {
  header: string;
  /** Points; 0 shares what the fixed columns leave. */
  width: number;
  align?: 'left' | 'right' | 'center';
}

export interface TableRow {
  cells: string[];
  /** Grey text, e.g. a cancelled line. */
  muted?: boolean;
}

const CELL_PAD_X = 4;
const CELL_PAD_Y = 4;
const TABLE_FONT_SIZE = 8.5;

/** A table whose rows wrap their text, breaking onto new pages with the header row repeated. */
export function drawTable(doc: Doc, columns: TableColumn[], rows: TableRow[]): void {
  const left = contentLeft(doc);
  const total = contentWidth(doc);
  const fixed = columns.reduce((sum, c) => sum + c.width, 0);
  const flexible = columns.filter((c) => c.width === 0).length;
  const widths = columns.map((c) => (c.width === 0 ? Math.max(40, (total - fixed) / Math.max(1, flexible)) : c.width));
  const xs = widths.map((_, i) => left + widths.slice(0, i).reduce((a, b) => a + b, 0));

  const rowHeight = (cells: string[], font: string) => {
    doc.font(font).fontSize(TABLE_FONT_SIZE);
    return Math.max(...cells.map((cell, i) => doc.heightOfString(cell || ' ', { width: widths[i] - 2 * CELL_PAD_X }))) + 2 * CELL_PAD_Y;
  };
  const drawCells = (cells: string[], y: number, font: string, color: string) => {
    doc.font(font).fontSize(TABLE_FONT_SIZE).fillColor(color);
    cells.forEach((cell, i) => {
      doc.text(cell, xs[i] + CELL_PAD_X, y + CELL_PAD_Y, { width: widths[i] - 2 * CELL_PAD_X, align: columns[i].align ?? 'left' });
    });
  };
  const headers = columns.map((c) => c.header);
  const headerHeight = rowHeight(headers, BOLD);
  const drawHeader = (y: number) => {
    doc.rect(left, y, total, headerHeight).fillColor(HEADER_FILL).fill();
    drawCells(headers, y, BOLD, INK);
    doc.moveTo(left, y + headerHeight).lineTo(left + total, y + headerHeight).lineWidth(0.75).strokeColor(RULE).stroke();
    return y + headerHeight;
  };

  const firstRowHeight = rows.length > 0 ? rowHeight(rows[0].cells, FONT) : 0;
  let y = drawHeader(ensureSpace(doc, headerHeight + firstRowHeight));
  for (const row of rows) {
    const height = rowHeight(row.cells, FONT);
    if (y + height > bottomLimit(doc)) {
      doc.addPage();
      y = drawHeader(doc.page.margins.top);
    }
    drawCells(row.cells, y, FONT, row.muted ? MUTED : INK);
    y += height;
    doc.moveTo(left, y).lineTo(left + total, y).lineWidth(0.5).strokeColor(FAINT_RULE).stroke();
  }
  doc.x = left;
  doc.y = y + 10;
}

export interface TotalsRow {
  label: string;
  value: string;
  /** The grand total: bold, with a rule above. */
  strong?: boolean;
}

/** A label/value box at the right edge, kept whole on one page. */
export function drawTotals(doc: Doc, rows: TotalsRow[]): void {
  const width = 250;
  const x = contentLeft(doc) + contentWidth(doc) - width;
  const lineHeight = 15;
  let y = ensureSpace(doc, rows.length * lineHeight + 12);
  for (const row of rows) {
    if (row.strong) {
      doc.moveTo(x, y).lineTo(x + width, y).lineWidth(1).strokeColor(ACCENT).stroke();
      y += 4;
    }
    const font = row.strong ? BOLD : FONT;
    doc.font(font).fontSize(row.strong ? 10.5 : 9).fillColor(row.strong ? INK : MUTED)
      .text(row.label, x + CELL_PAD_X, y, { width: 130, lineBreak: false });
    doc.font(font).fillColor(INK).text(row.value, x + 130, y, { width: width - 130 - CELL_PAD_X, align: 'right', lineBreak: false });
    y += lineHeight;
  }
  doc.x = contentLeft(doc);
  doc.y = y + 10;
}

/** A heading and free text (e.g. the note to the supplier); long text flows onto further pages. */
export function drawNote(doc: Doc, heading: string, text: string): void {
  const y = ensureSpace(doc, 40);
  const left = contentLeft(doc);
  doc.font(BOLD).fontSize(9).fillColor(MUTED).text(heading.toUpperCase(), left, y, { width: contentWidth(doc), characterSpacing: 0.5 });
  doc.moveDown(0.3);
  doc.font(FONT).fontSize(9.5).fillColor(INK).text(text, left, doc.y, { width: contentWidth(doc) });
  doc.x = left;
  doc.y += 10;
}

/** One line of grey text, e.g. "No receipts recorded yet." */
export function drawRemark(doc: Doc, text: string): void {
  const y = ensureSpace(doc, 16);
  doc.font(FONT).fontSize(9).fillColor(MUTED).text(text, contentLeft(doc), y, { width: contentWidth(doc) });
  doc.y += 8;
}
