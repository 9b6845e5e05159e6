/** The HTTP server's guard and limits, alone (the whole bot: tests/security/01 and 05). */
import type { AddressInfo } from 'node:net';
import { createHttpServer, oneLine } from '../../src/http/server';
import { consoleLine } from '../../src/http/console';
import { rawRequest } from '../fakes/raw-http';

test("the server's guard: a synchronous throw, a rejection, and a failure after answering, none ends the process", async () => {
  const lines: Array<{ msg: string; fields: Record<string, unknown> }> = [];
  const server = createHttpServer(
    [
      {
        paths: ['/throws'],
        methods: {
          GET: () => {
            throw new Error('thrown');
          },
        },
      },
      { paths: ['/rejects'], methods: { GET: () => Promise.reject(new TypeError('rejected')) } },
      {
        paths: ['/after'],
        methods: {
          GET: async (_req, res) => {
            res.writeHead(200).end('ok');
            await Promise.resolve();
            throw new Error('after the answer');
          },
        },
      },
    ],
    (_level, msg, fields = {}) => lines.push({ msg, fields }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    expect((await rawRequest(`${base}/throws`)).status).toBe(500);
    expect((await rawRequest(`${base}/rejects`)).status).toBe(500);
    expect((await rawRequest(`${base}/after`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect((await rawRequest(`${base}/throws`)).status).toBe(500);
    expect(lines.map((l) => l.fields.error)).toEqual([
      'Error: thrown',
      'TypeError: rejected',
      'Error: after the answer',
      'Error: thrown',
    ]);
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('an error is logged as one line: its name and the first line of its message, never its stack', () => {
  const error = new Error('first line\nsecond line');
  expect(oneLine(error)).toBe('Error: first line');
  expect(oneLine('x'.repeat(400))).toHaveLength(301);
  expect(consoleLine([error])).toBe('Error: first line');
  expect(consoleLine(['Failed: %s', 'because\n  at x (y.js:1:1)'])).toBe('Failed: because');
});
