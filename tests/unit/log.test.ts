import { Writable } from 'node:stream';
import { createLogger } from '../../src/log';
import { scrub, secretValues } from '../../src/secrets';

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

const COSMOS_ACCOUNT_KEY = 'Zq81Lm0Pw7VtKd93Jf02Hq8ZfL2mWv9xC4bN6yT1rE5uI8oA3sD7gJ0kP2lQ9wX==';

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

  test('the configured secrets are scrubbed wherever they turn up: the message, any field, an error', () => {
    const env = {
      SLACK_BOT_TOKEN: 'xoxb-5512390-7781-Hq8ZfL2mWv9xC4bN',
      COSMOS_CONNECTION_STRING: `AccountEndpoint=https://a/;AccountKey=${COSMOS_ACCOUNT_KEY};`,
    };
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger('info', stream, secretValues(env));
    log.warn(
      {
        detail: `the library said: invalid token ${env.SLACK_BOT_TOKEN}`,
        nested: { list: [`key ${COSMOS_ACCOUNT_KEY}`] },
        error: new Error(`auth failed for ${env.SLACK_BOT_TOKEN}`),
        url: 'https://bob:pw-Kd93Jf02Zq@example.org/api/',
      },
      `could not call with ${env.SLACK_BOT_TOKEN}`,
    );
    log.error(new Error(`an error on its own, with ${env.SLACK_BOT_TOKEN}`));
    expect(lines).toHaveLength(2);
    expect((JSON.parse(lines[1] ?? '{}') as { msg?: string }).msg).toMatch(/^an error on its own, with \[redacted\]$/);
    const text = lines.join('');
    expect(text.includes(env.SLACK_BOT_TOKEN.slice(5, 20))).toBe(false);
    expect(text.includes(COSMOS_ACCOUNT_KEY.slice(0, 12))).toBe(false);
    expect(text).not.toContain('pw-Kd93Jf02Zq');
    expect(text).toContain('[redacted]');
    expect(scrub(`Error: ${env.COSMOS_CONNECTION_STRING}`, secretValues(env))).not.toContain(COSMOS_ACCOUNT_KEY);
  });
});
