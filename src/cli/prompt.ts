/**
 * Reading a password: typed at a terminal without echo, or the first line of piped input
 * (`printf '%s\n' "$PASSWORD" | stockroom user add …`), so it never has to appear in the
 * command line, where other users of the machine could read it.
 */
export async function readPassword(question: string, confirm: string | null): Promise<string> {
  if (!process.stdin.isTTY) return readFirstLine();
  const first = await promptHidden(question);
  if (confirm !== null && (await promptHidden(confirm)) !== first) throw new Error('the two passwords differ');
  return first;
}

async function readFirstLine(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    chunks.push(buffer);
    size += buffer.length;
    if (buffer.includes(10) || size > 64 * 1024) break;
  }
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (line === '') throw new Error('no password on standard input');
  return line;
}

function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = () => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          finish();
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          finish();
          reject(new Error('cancelled'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.resume();
    stdin.on('data', onData);
  });
}
