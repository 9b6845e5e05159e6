/**
 * Requests as an attacker sends them: any method, any headers, any body (or none), a log
 * destination that keeps every line, and slow or half-sent requests over a bare socket.
 */
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  ms: number;
}

export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; localAddress?: string } = {},
): Promise<RawAnswer> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
            ms: Date.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Every line written to it, kept (a pino destination). */
export class LogLines {
  readonly lines: string[] = [];
  write(chunk: string): void {
    for (const line of chunk.split('\n')) if (line) this.lines.push(line);
  }
  /** Lines that are not one JSON object each (a stack spread over lines, plain text). */
  notJson(): string[] {
    return this.lines.filter((l) => {
      try {
        const v = JSON.parse(l) as unknown;
        return typeof v !== 'object' || v === null;
      } catch {
        return true;
      }
    });
  }
  /** Everything written that shows a stack trace. */
  stacks(): string[] {
    return this.lines.filter((l) => /\n\s+at |\\n\s+at /.test(l));
  }
}

/** Open a socket and write `head` (perhaps an unfinished request); resolves when the server closes it. */
export function halfRequest(
  host: string,
  port: number,
  head: string,
): { socket: Socket; closed: Promise<{ ms: number; received: string }> } {
  const started = Date.now();
  const socket = connect(port, host);
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString('utf8')));
  socket.on('error', () => undefined);
  socket.write(head);
  const closed = new Promise<{ ms: number; received: string }>((resolve) =>
    socket.on('close', () => resolve({ ms: Date.now() - started, received })),
  );
  return { socket, closed };
}

/**
 * A request whose headers are sent at once and whose body (declaring `length` bytes) trickles one
 * byte every `everyMs`, as an attacker holding a place would; resolves when the server closes it.
 */
export function trickle(
  host: string,
  port: number,
  head: string,
  everyMs: number,
): { socket: Socket; closed: Promise<{ ms: number; received: string }> } {
  const half = halfRequest(host, port, head);
  const drip = setInterval(() => {
    if (!half.socket.destroyed) half.socket.write('a');
  }, everyMs);
  void half.closed.then(() => clearInterval(drip));
  return half;
}

/** The head of a POST with a declared length and whatever headers are given. */
export function postHead(path: string, length: number, headers: Record<string, string> = {}): string {
  const lines = Object.entries({ 'content-type': 'application/json', ...headers, 'content-length': String(length) });
  return `POST ${path} HTTP/1.1\r\nHost: x\r\n${lines.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}
