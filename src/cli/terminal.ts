/** How the CLI's servers log, depending on whether a person is watching. */
export interface LogChoice {
  logLevel: string;
  interactive?: boolean;
}

/**
 * Run in a terminal, the server keeps its start-up text readable: requests are logged at debug
 * level and, unless a level was asked for, only warnings and errors appear (as JSON lines).
 * Under a supervisor (no terminal) it logs every request at info, as servers do.
 */
export function logTo<O extends LogChoice>(options: O, levelSource: string | undefined, isTerminal = Boolean(process.stdout.isTTY)): O {
  const chosen = levelSource === 'cli' || levelSource === 'env';
  return { ...options, interactive: isTerminal, logLevel: chosen || !isTerminal ? options.logLevel : 'warn' };
}

