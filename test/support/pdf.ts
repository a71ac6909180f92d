// Reads PDFs back with a real parser (unpdf, Mozilla's pdf.js) so tests can assert on the text a reader sees.
import { extractText, getDocumentProxy } from 'unpdf';

export interface PdfText {
  /** One entry per page, runs of white space collapsed within each line. */
  pages: string[];
  /** Every page's text joined with newlines. */
  text: string;
}

export async function pdfText(bytes: Buffer | Uint8Array): Promise<PdfText> {
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  const { text } = await extractText(pdf, { mergePages: false });
  const pages = text.map((page) => page.split('\n').map((line) => line.replace(/\s+/g, ' ').trim()).join('\n'));
  return { pages, text: pages.join('\n') };
}
