/**
 * Libraries that write to the console (botbuilder's CloudAdapter and token checks call
 * console.error with whole errors, stacks and all) go into the bot's JSON log instead: one
 * line each, the first line of the message only, never a stack.
 */
import { format } from 'node:util';
import { oneLine } from './server';

type Say = (level: 'warn' | 'error', msg: string, fields: Record<string, unknown>) => void;

const METHODS = ['error', 'warn', 'log', 'info', 'debug', 'trace'] as const;

/** What a console call said, as one short line. */
export function consoleLine(args: unknown[]): string {
  const [first] = args;
  if (first instanceof Error) return oneLine(first);
  return oneLine(format(...args.map((a) => (a instanceof Error ? oneLine(a) : a))));
}

/** Send console output to `say` until the returned function is called. */
export function captureConsole(say: Say): () => void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back as it was
  const saved = METHODS.map((m) => [m, console[m]] as const);
  for (const m of METHODS)
    console[m] = (...args: unknown[]): void =>
      say(m === 'error' || m === 'trace' ? 'error' : 'warn', 'A library wrote to the console', {
        text: consoleLine(args),
      });
  return () => {
    for (const [m, f] of saved) console[m] = f;
  };
}
