import { connect } from 'node:net';
import { LabelError } from './labels.errors.ts';

/**
 * Sends ZPL to a Zebra printer's raw port (9100 by default). The printer is configured by the
 * environment (`STOCKROOM_ZPL_PRINTER=host[:port]`), never by the request, so an API caller
 * cannot make the server open connections to addresses of its choosing.
 */
export interface PrinterAddress {
  host: string;
  port: number;
}

export function configuredPrinter(env: NodeJS.ProcessEnv = process.env): PrinterAddress | null {
  const value = env.STOCKROOM_ZPL_PRINTER?.trim();
  if (!value) return null;
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(value);
  if (!match) return null;
  const port = match[2] === undefined ? 9100 : Number(match[2]);
  if (port < 1 || port > 65_535) return null;
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

/** Writes the data and closes; resolves once the printer has the bytes (it answers nothing on 9100). */
export function sendToPrinter(printer: PrinterAddress, data: string, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: printer.host, port: printer.port });
    const fail = (reason: string) => {
      socket.destroy();
      reject(new LabelError('label_printer_unreachable', `The label printer at ${printer.host}:${printer.port} ${reason}.`));
    };
    socket.setTimeout(timeoutMs, () => fail('did not answer in time'));
    socket.once('error', (e) => fail(`refused the connection (${(e as NodeJS.ErrnoException).code ?? e.message})`));
    socket.once('connect', () => socket.end(data, 'utf8'));
    socket.once('close', (hadError) => {
      if (!hadError) resolve();
    });
  });
}
