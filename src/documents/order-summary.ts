// The order summary: the purchase order as sent to the supplier, with its lines, costs and total.
import {
  drawDocumentHeader, drawNote, drawPartyBlocks, drawRemark, drawSectionTitle, drawTable, drawTotals, formatCents,
  formatMoney, formatQuantity, printableData, renderPdf, type TableColumn,
} from './layout.ts';
import type { PoDocumentData } from './po-document-data.ts';
import { poDocumentMeta, poHeaderFields, poPartyBlocks } from './po-sections.ts';

export async function renderOrderSummary(input: PoDocumentData): Promise<Buffer> {
  const data = printableData(input);
  const { po, totals } = data;
  const columns: TableColumn[] = [
    { header: '#', width: 22, align: 'right' },
    { header: 'SKU', width: 82 },
    { header: 'Supplier SKU', width: 76 },
    { header: 'Product', width: 0 },
    { header: 'Qty', width: 44, align: 'right' },
    { header: 'Unit cost', width: 68, align: 'right' },
    { header: 'Line total', width: 76, align: 'right' },
  ];
  const rows = data.lines.map((line) => ({
    muted: line.cancelled,
    cells: [
      String(line.line_no),
      line.sku,
      line.supplier_sku ?? '—',
      line.cancelled ? `${line.product_name} (cancelled)` : line.product_name,
      formatQuantity(line.quantity),
      formatCents(line.unit_cost_cents),
      line.cancelled ? '—' : formatCents(line.total_cents),
    ],
  }));

  return renderPdf(poDocumentMeta(data, 'Purchase order'), (doc) => {
    drawDocumentHeader(doc, { issuer: data.retailer_name, title: 'Purchase order', fields: poHeaderFields(data) });
    drawPartyBlocks(doc, poPartyBlocks(data));
    drawSectionTitle(doc, 'Items');
    if (rows.length === 0) drawRemark(doc, 'This purchase order has no lines.');
    else drawTable(doc, columns, rows);
    drawTotals(doc, [
      { label: 'Lines', value: formatQuantity(totals.line_count) },
      { label: 'Total quantity', value: formatQuantity(totals.quantity) },
      { label: 'Total', value: formatMoney(totals.total_cents, po.currency), strong: true },
    ]);
    if (data.lines.some((line) => line.cancelled)) drawRemark(doc, 'Cancelled lines are listed for reference and count in no total.');
    if (po.note_to_supplier) drawNote(doc, 'Note to supplier', po.note_to_supplier);
  });
}
