import { AuditKey, chainEvents, checkChain, DEVELOPMENT_AUDIT_KEY, GENESIS } from '../../src/app/store/chain';
import { checkAnchor, nextCheckpoint } from '../../src/app/store/anchor';
import { loadConfig } from '../../src/config';
import { openAuditKey } from '../../src/store/open';
import type { CaseEvent } from '../../src/domain/escalation';

const AUDIT = Buffer.from('an audit key for the unit tests, 32 bytes+').toString('base64');
const note = (text: string): CaseEvent =>
  ({ type: 'note-added', at: '2026-11-20T10:00:00Z', stage: 'stage-1', text }) as unknown as CaseEvent;

describe('the audit key', () => {
  test('the configured key is used; development falls back to the fixed key and says so; production has no fallback', () => {
    const configured = openAuditKey(loadConfig({ AUDIT_KEY: AUDIT }));
    expect(configured.developmentKey).toBe(false);
    expect(configured.key.keyId).toBe(new AuditKey(Buffer.from(AUDIT, 'base64')).keyId);
    expect(openAuditKey(loadConfig({}))).toEqual({ key: DEVELOPMENT_AUDIT_KEY, developmentKey: true });
    expect(() => openAuditKey({ ...loadConfig({}), NODE_ENV: 'production' })).toThrow(/AUDIT_KEY must be set/);
    expect(() => new AuditKey(Buffer.alloc(16, 1))).toThrow(RangeError);
  });

  test('a chain sealed under one key does not verify under another, and its key id says which', () => {
    const one = new AuditKey(Buffer.alloc(32, 1));
    const two = new AuditKey(Buffer.alloc(32, 2));
    expect(one.keyId).not.toBe(two.keyId);
    const linked = chainEvents(one, 'NS-2026-0001', 0, GENESIS, [note('a'), note('b')]);
    expect(checkChain(one, undefined, linked, 'NS-2026-0001').map((f) => f.kind)).toEqual(['case-missing']);
    expect(checkChain(two, undefined, linked, 'NS-2026-0001').map((f) => f.kind)).toEqual([
      'event-edited',
      'event-edited',
      'case-missing',
    ]);
    const first = nextCheckpoint(one, undefined, {
      reference: 'NS-2026-0001',
      version: 2,
      lastHash: linked[1]?.hash ?? '',
      at: '2026-11-20T10:00:00Z',
      created: true,
    });
    expect(checkAnchor(one, [first]).findings).toEqual([]);
    expect(checkAnchor(two, [first]).findings.map((f) => f.kind)).toEqual(['wrong-audit-key']);
  });
});
