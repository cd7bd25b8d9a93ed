import { inflateSync } from 'node:zlib';

/** The text a PDF shows: the strings of its (uncompressed) text operators, hex or literal, joined per operator. */
export function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const streams = [...raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)].map((m) => {
    const body = m[1]!;
    try {
      return inflateSync(Buffer.from(body, 'latin1')).toString('latin1');
    } catch {
      return body;
    }
  });
  const pieces: string[] = [];
  for (const stream of streams) {
    for (const op of stream.matchAll(/\[(.*?)\]\s*TJ/g)) {
      const hex = [...op[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => Buffer.from(h[1]!, 'hex').toString('latin1')).join('');
      pieces.push(hex);
    }
  }
  return pieces.join('\n');
}
