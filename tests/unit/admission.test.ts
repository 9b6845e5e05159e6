import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Admission, verified } from '../../src/http/admission';

/** A request and its response, as far as admission looks at them; `status` is what was answered. */
function pair(peer = '192.0.2.1', complete = false): { req: IncomingMessage; res: ServerResponse; status(): number } {
  let status = 0;
  const socket = Object.assign(new EventEmitter(), {
    remoteAddress: peer,
    destroyed: false,
    destroy() {
      this.destroyed = true;
    },
  });
  const res = Object.assign(new EventEmitter(), {
    headersSent: false,
    writableEnded: false,
    writeHead(s: number) {
      status = s;
      this.headersSent = true;
      return this;
    },
    end(_body: string, done?: () => void) {
      this.writableEnded = true;
      done?.();
      res.emit('close');
    },
  });
  const req = { complete, socket } as unknown as IncomingMessage;
  return { req, res: res as unknown as ServerResponse, status: () => status };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const limits = {
  maxInFlight: 10,
  maxUnverified: 2,
  maxUnverifiedPerPeer: 0,
  bodyTimeoutMs: 60_000,
  evictAfterMs: 1000,
};

test('a body that came with its headers takes no unverified place', async () => {
  const a = new Admission(limits);
  const all = Array.from({ length: 5 }, () => pair('192.0.2.1', true));
  for (const p of all) expect(a.admit(p.req, p.res)).toBe(true);
  await tick();
  expect(a.counts()).toEqual({ inFlight: 5, unverified: 0 });
  expect(all.map((p) => p.status())).toEqual([0, 0, 0, 0, 0]);
});

test('beyond the unverified bound a body still arriving is refused (503); a verified one frees its place', async () => {
  let now = 0;
  const a = new Admission(limits, () => now);
  const [p1, p2, p3, p4] = [pair(), pair(), pair(), pair()];
  for (const p of [p1, p2, p3]) a.admit(p.req, p.res);
  await tick();
  expect([p1.status(), p2.status(), p3.status()]).toEqual([0, 0, 503]);
  verified(p1.req);
  expect(a.counts().unverified).toBe(1);
  a.admit(p4.req, p4.res);
  await tick();
  expect(p4.status()).toBe(0);
  // Past the grace, the one sending longest gives way to a newcomer (408).
  now = 2000;
  const p5 = pair();
  a.admit(p5.req, p5.res);
  await tick();
  expect([p2.status(), p4.status(), p5.status()]).toEqual([408, 0, 0]);
});

test('the bound on requests in flight counts every request', () => {
  const a = new Admission({ ...limits, maxInFlight: 2 });
  const results = [pair(), pair(), pair()].map((p) => a.admit(p.req, p.res));
  expect(results).toEqual([true, true, false]);
});

test('a per-address bound, when set, keeps one address to its share', async () => {
  const a = new Admission({ ...limits, maxUnverified: 10, maxUnverifiedPerPeer: 2 });
  const one = [pair('192.0.2.1'), pair('192.0.2.1'), pair('192.0.2.1')];
  const other = pair('198.51.100.7');
  for (const p of [...one, other]) a.admit(p.req, p.res);
  await tick();
  expect([...one, other].map((p) => p.status())).toEqual([0, 0, 503, 0]);
});
