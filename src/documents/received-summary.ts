// The received summary: what arrived against a purchase order, line by line, and every receipt with its
// inventory location, lot and expiration date.
import {
  drawDocumentHeader, drawPartyBlocks, drawRemark, drawSectionTitle, drawTable, drawTotals, formatCents,
  formatInstant, formatMoney, formatQuantity, printableData, renderPdf, type TableColumn,
} from './layout.ts';
import type { PoDocumentData } from './po-document-data.ts';
import { poDocumentMeta, poHeaderFields, poPartyBlocks } from './po-sections.ts';

export async function renderReceivedSummary(input: PoDocumentData): Promise<Buffer> {
  const data = printableData(input);
  const { po, totals } = data;
  const lineColumns: TableColumn[] = [
    { header: '#', width: 22, align: 'right' },
    { header: 'SKU', width: 82 },
    { header: 'Product', width: 0 },
    { header: 'Ordered', width: 48, align: 'right' },
    { header: 'Received', width: 52, align: 'right' },
    { header: 'Rejected', width: 50, align: 'right' },
    { header: 'Outstanding', width: 64, align: 'right' },
    { header: 'Value received', width: 78, align: 'right' },
  ];
  const lineRows = data.lines.map((line) => ({
    muted: line.cancelled,
    cells: [
      String(line.line_no),
      line.sku,
      line.cancelled ? `${line.product_name} (cancelled)` : line.product_name,
      formatQuantity(line.quantity),
      formatQuantity(line.received_quantity),
      formatQuantity(line.rejected_quantity),
      line.cancelled ? '—' : formatQuantity(Math.max(0, line.quantity - line.received_quantity - line.rejected_quantity)),
      formatCents(line.received_quantity * line.unit_cost_cents),
    ],
  }));

  const receiptColumns: TableColumn[] = [
    { header: 'Received at', width: 104 },
    { header: 'SKU', width: 80 },
    { header: 'Location', width: 0 },
    { header: 'Received', width: 52, align: 'right' },
    { header: 'Rejected', width: 50, align: 'right' },
    { header: 'Lot', width: 70 },
    { header: 'Expires', width: 62 },
  ];
  const receiptRows = data.receipts.map((receipt) => ({
    cells: [
      formatInstant(receipt.received_at, data.timezone),
      receipt.sku,
      receipt.inventory_location ?? '—',
      formatQuantity(receipt.received_quantity),
      formatQuantity(receipt.rejected_quantity),
      receipt.lot ?? '—',
      receipt.expiration_date ?? '—',
    ],
  }));

  return renderPdf(poDocumentMeta(data, 'Received summary'), (doc) => {
    drawDocumentHeader(doc, { issuer: data.retailer_name, title: 'Received summary', fields: poHeaderFields(data) });
    drawPartyBlocks(doc, poPartyBlocks(data));
    drawSectionTitle(doc, 'Receiving by line');
    if (lineRows.length === 0) drawRemark(doc, 'This purchase order has no lines.');
    else drawTable(doc, lineColumns, lineRows);
    drawTotals(doc, [
      { label: 'Ordered', value: formatQuantity(totals.quantity) },
      { label: 'Received', value: formatQuantity(totals.received_quantity) },
      { label: 'Rejected', value: formatQuantity(totals.rejected_quantity) },
      { label: 'Outstanding', value: formatQuantity(totals.outstanding_quantity) },
      { label: 'Order total', value: formatMoney(totals.total_cents, po.currency) },
      { label: 'Value received', value: formatMoney(totals.received_value_cents, po.currency), strong: true },
    ]);
    drawSectionTitle(doc, 'Receipts');
    if (receiptRows.length === 0) drawRemark(doc, 'No receipts recorded yet.');
    else drawTable(doc, receiptColumns, receiptRows);
  });
}
