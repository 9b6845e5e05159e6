/** The ledger of the procedures' rules quotes each seed exactly and points at tests that exist. */
import { readLedger, SEED_FILES, seedText, squash, STATUSES, testExists } from '../seed-ledger';

const ledger = readLedger();

describe('the ledger of the five procedures', () => {
  it('covers the five seeds, and only them', () => {
    expect(Object.keys(ledger).sort()).toEqual(Object.keys(SEED_FILES).sort());
  });

  for (const [board, rules] of Object.entries(ledger)) {
    describe(board, () => {
      const text = seedText(board);
      it('gives each rule a unique id and a known status', () => {
        const ids = rules.map((r) => r.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const r of rules) expect(STATUSES).toContain(r.status);
      });
      it.each(rules.map((r) => [r.id, r] as const))('%s quotes the seed word for word', (_id, rule) => {
        expect(text).toContain(squash(rule.phrase));
      });
      it('names, for each rule kept, a test that exists', () => {
        for (const r of rules.filter((x) => x.status === 'right' || x.status === 'partly'))
          if (r.status === 'right')
            expect({ id: r.id, exists: !!r.test && testExists(r.test) }).toEqual({ id: r.id, exists: true });
        for (const r of rules.filter((x) => x.status !== 'right' && x.status !== 'reading'))
          expect({ id: r.id, saysWhat: !!r.gap || r.status === 'missing' }).toEqual({ id: r.id, saysWhat: true });
      });
    });
  }
});
