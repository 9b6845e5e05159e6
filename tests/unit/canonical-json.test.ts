/** canonicalJson, written out by hand, gives the text the chain has always hashed (the first version, kept here as the reference). */
import { canonicalJson } from '../../src/app/store/chain';

function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : reference(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
}

describe('canonicalJson', () => {
  // eslint-disable-next-line no-sparse-arrays
  const holey = [1, , 3];
  const values: unknown[] = [
    null,
    undefined,
    0,
    -1.5,
    Number.NaN,
    'text with “quotes” and \n a line',
    true,
    [],
    {},
    [undefined, null, 1, 'a', { b: undefined }],
    holey,
    { b: 1, a: 2, B: 3, é: 4, '10': 5, '9': 6, '': 7, z: undefined },
    {
      type: 'timer-fired',
      at: '2026-11-24T09:00:30.000Z',
      by: { personId: 'deadline-sweeper', agencyId: 'bot', party: 'outside', roles: [] },
      timer: 'LI-2026-0001/stage-1/conclude-by-stage-1/reminder',
      roles: ['practitioner', 'manager'],
      recipients: ['a-practitioner'],
      text: 'Reminder: …',
      outbox: true,
      nested: { deep: [{ y: 1, x: [2, { q: null, p: undefined }] }] },
    },
    { date: new Date(0), fn: () => 1 },
  ];
  test.each(values.map((v, i) => [i, v]))('value %i hashes as it always did', (_i, value) => {
    expect(canonicalJson(value)).toBe(reference(value));
  });
  test('keys sorted, undefined left out, arrays in order', () => {
    expect(canonicalJson({ b: [2, undefined], a: undefined, c: { y: 1, x: 2 } })).toBe(
      '{"b":[2,null],"c":{"x":2,"y":1}}',
    );
  });
});
