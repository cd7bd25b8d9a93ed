/**
 * A new pdfkit document and the promise of its bytes once `end()` is called. pdfkit is loaded on
 * the first document rather than when the server starts: with its fonts it adds about 27 MiB to
 * the resident memory of a server that may never print.
 */
export async function openPdf(options: PDFKit.PDFDocumentOptions): Promise<{ pdf: PDFKit.PDFDocument; bytes: Promise<Buffer> }> {
  const { default: PDFDocument } = await import('pdfkit');
  const pdf = new PDFDocument(options);
  const chunks: Buffer[] = [];
  const bytes = new Promise<Buffer>((resolve, reject) => {
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  return { pdf, bytes };
}
