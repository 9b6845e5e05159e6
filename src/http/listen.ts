/**
 * Listening on a port, with the reasons it fails said in words: a port already in use, one this
 * user may not open, an address that is not this computer's. Each names the port and the
 * variable to change, so `npm start` (and `npm run start:bot`) stop with one sentence, never a
 * stack trace.
 */
import { createServer, type Server } from 'node:net';

/** A port the bot or the local trial could not listen on, and what to do about it. */
export class ListenError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly port: number,
    readonly variable: string,
  ) {
    super(message);
    this.name = 'ListenError';
  }
}

export interface Listening {
  /** The variable that sets the port, named in the words ("PORT", "PLAYGROUND_PORT"). */
  variable: string;
  /** Who else might hold the port, for the words: "another copy of the bot?". */
  suspect?: string;
  /** How the variable relates to the port, where it is not the port itself ("PLAYGROUND_PORT + 1"). */
  setting?: string;
}

/** The sentence for a failure to listen on `port`, or undefined for a failure that is not about the port. */
export function listenProblem(
  error: unknown,
  port: number,
  host: string | undefined,
  how: Listening,
): ListenError | undefined {
  const code = typeof error === 'object' && error && 'code' in error ? String(error.code) : '';
  const make = (message: string): ListenError => new ListenError(message, code, port, how.variable);
  switch (code) {
    case 'EADDRINUSE':
      return make(
        `Port ${port} is already in use${how.suspect ? ` (${how.suspect})` : ''}. Stop it, or set ${how.variable} to a free port in .env${how.setting ? ` (this port is ${how.setting})` : ''}.`,
      );
    case 'EACCES':
      return make(
        `Port ${port} needs permissions this user does not have (ports below 1024 usually do). Set ${how.variable} to a port from 1024 to 65535 in .env${how.setting ? ` (this port is ${how.setting})` : ''}.`,
      );
    case 'EADDRNOTAVAIL':
      return make(
        `The bot cannot listen on ${host ?? 'that address'}: it is not an address of this computer. Set HOST to 127.0.0.1 (this computer only) or 0.0.0.0 (every interface) in .env.`,
      );
    default:
      return undefined;
  }
}

/**
 * Start `server` listening, and resolve once it does. A port in use (or not allowed, or an
 * address that is not this computer's) rejects with a ListenError in words; anything else with
 * the error itself.
 */
export function listen(
  server: Pick<Server, 'listen' | 'once' | 'off'>,
  port: number,
  host: string | undefined,
  how: Listening,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const failed = (error: Error): void => {
      server.off('listening', listening);
      reject(listenProblem(error, port, host, how) ?? error);
    };
    const listening = (): void => {
      server.off('error', failed);
      resolve();
    };
    server.once('error', failed);
    server.once('listening', listening);
    if (host === undefined) server.listen(port);
    else server.listen(port, host);
  });
}

/**
 * Whether `port` is free to listen on (on every interface, so a program holding it on any
 * address counts): resolves if so, rejects with the ListenError that listening would give.
 * Used before starting a child process (the Agents Playground) whose own failure would be
 * harder to read.
 */
export async function checkPortFree(port: number, how: Listening): Promise<void> {
  const probe = createServer();
  await listen(probe, port, undefined, how);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}
