import { Writable } from 'node:stream';
import { createLogger } from '../../src/log';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

describe('logs', () => {
  test('are JSON lines, with tokens, keys and the adult’s details redacted', () => {
    const { lines, stream } = capture();
    const log = createLogger('info', stream);
    log.info(
      {
        reference: 'NS-2026-0042',
        request: { headers: { authorization: 'Bearer eyJhbGciOi.secret' } },
        config: { PERSONAL_DATA_KEY: 'c2VjcmV0a2V5c2VjcmV0a2V5c2VjcmV0a2V5MTIzNA==', COSMOS_KEY: 'cosmos-secret' },
        body: { personal: { name: 'Zebedee Quartermaine', dateOfBirth: '1941-02-03', address: '1 Sea View' } },
      },
      'case raised',
    );
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(line).toEqual(expect.objectContaining({ msg: 'case raised', reference: 'NS-2026-0042', level: 'info' }));
    expect(lines[0]).not.toMatch(/eyJhbGciOi|c2VjcmV0|cosmos-secret|Zebedee|1941-02-03|Sea View/);
    expect(lines[0]).toMatch(/\[redacted\]/);
  });

  test('below the configured level, nothing is written', () => {
    const { lines, stream } = capture();
    createLogger('warn', stream).info('quiet');
    expect(lines).toEqual([]);
  });
});
