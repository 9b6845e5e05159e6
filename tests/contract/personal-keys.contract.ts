/**
 * Key rotation for the adult's details, on every store: records under a key other than the
 * current one are found a batch at a time, counted, and rewritten only while they are exactly
 * what was read; `cli personal reseal`'s work (src/app/personal-reseal.ts) moves every one it can
 * open to the current key, and stopped half-way loses nothing and finishes when run again.
 */
import { resealPersonalDetails } from '../../src/app/personal-reseal';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import type { CaseRepository, SealedDetails } from '../../src/app/store/repository';
import { raised } from './fixtures';

export interface PersonalKeysTarget {
  /** A new, empty store. */
  open(): Promise<CaseRepository>;
}

const OLD = Buffer.alloc(32, 7);
const NEW = Buffer.alloc(32, 9);
const STRANGER = Buffer.alloc(32, 11);
const ref = (n: number): string => `NS-2026-${String(n).padStart(4, '0')}`;

export function personalKeysContract(target: PersonalKeysTarget): void {
  let repo: CaseRepository;
  const before = new PersonalDataVault(OLD);
  const after = new PersonalDataVault(NEW, [OLD]);

  beforeEach(async () => {
    repo = await target.open();
  });
  afterEach(async () => {
    await repo.close();
  });

  /** Cases 1…n with details: the first `old` sealed with the old key, the rest with the new. */
  async function seed(n: number, old: number): Promise<void> {
    for (let i = 1; i <= n; i++) {
      const m = raised(i);
      await repo.createCase({ state: m.state, events: m.events });
      await repo.savePersonalDetails(ref(i), (i <= old ? before : after).seal(ref(i), { name: `Adult Number ${i}` }));
    }
  }

  test('records under other keys come a batch at a time, by reference, and are counted', async () => {
    await seed(7, 5);
    expect(await repo.countPersonalDetails(after.keyId)).toEqual({ under: 2, notUnder: 5 });
    expect(await repo.countPersonalDetails(before.keyId)).toEqual({ under: 5, notUnder: 2 });
    const first = await repo.personalDetailsNotUnder(after.keyId, 2);
    expect(first.map((r) => r.reference)).toEqual([ref(1), ref(2)]);
    expect(first[0]?.sealed).toEqual(await repo.readPersonalDetails(ref(1)));
    const next = await repo.personalDetailsNotUnder(after.keyId, 10, ref(2));
    expect(next.map((r) => r.reference)).toEqual([ref(3), ref(4), ref(5)]);
    expect(await repo.personalDetailsNotUnder(after.keyId, 10, ref(5))).toEqual([]);
  });

  test('a reseal writes only over exactly what was read: not over a record sealed again, nor an erased one', async () => {
    await seed(3, 3);
    const read = async (n: number): Promise<SealedDetails> => {
      const sealed = await repo.readPersonalDetails(ref(n));
      if (!sealed) throw new Error('missing');
      return sealed;
    };
    const one = await read(1);
    const moved = after.reseal(ref(1), one);
    expect(await repo.resealPersonalDetails(ref(1), one, moved)).toBe(true);
    expect(await repo.readPersonalDetails(ref(1))).toEqual(moved);
    // The same stale read again: nothing is written.
    expect(await repo.resealPersonalDetails(ref(1), one, after.reseal(ref(1), one))).toBe(false);
    expect(await repo.readPersonalDetails(ref(1))).toEqual(moved);
    // Saved again by the bot meanwhile: the bot's version stays.
    const two = await read(2);
    const bots = after.seal(ref(2), { name: 'Corrected Name' });
    await repo.savePersonalDetails(ref(2), bots);
    expect(await repo.resealPersonalDetails(ref(2), two, after.reseal(ref(2), two))).toBe(false);
    expect(after.open(ref(2), await read(2))).toEqual({ name: 'Corrected Name' });
    // Erased meanwhile: it stays erased.
    const three = await read(3);
    await repo.erasePersonalDetails(ref(3));
    expect(await repo.resealPersonalDetails(ref(3), three, after.reseal(ref(3), three))).toBe(false);
    expect(await repo.readPersonalDetails(ref(3))).toBeUndefined();
  });

  test('resealing moves every record under an old key to the current one; those already under it are not touched', async () => {
    await seed(6, 4);
    const current5 = await repo.readPersonalDetails(ref(5));
    const result = await resealPersonalDetails(repo, after, { batch: 3 });
    expect(result).toEqual({ resealed: 4, raced: 0, unknownKey: [], unopenable: [], under: 6, notUnder: 0 });
    for (let i = 1; i <= 6; i++) {
      const sealed = await repo.readPersonalDetails(ref(i));
      if (!sealed) throw new Error('missing');
      expect(sealed.keyId).toBe(after.keyId);
      // The new key alone opens them now: the old one can go.
      expect(new PersonalDataVault(NEW).open(ref(i), sealed)).toEqual({ name: `Adult Number ${i}` });
    }
    expect(await repo.readPersonalDetails(ref(5))).toEqual(current5);
    // Run again: nothing to do.
    expect((await resealPersonalDetails(repo, after)).resealed).toBe(0);
  });

  test('a record under a key the keyring does not hold, or that will not open, is named and left as it is', async () => {
    await seed(3, 1);
    const m = raised(4);
    await repo.createCase({ state: m.state, events: m.events });
    const foreign = new PersonalDataVault(STRANGER).seal(ref(4), { name: 'Someone Else' });
    await repo.savePersonalDetails(ref(4), foreign);
    // Case 2's details moved onto case 3 (under the old key): they do not open there.
    const m5 = raised(5);
    await repo.createCase({ state: m5.state, events: m5.events });
    const misplaced = before.seal(ref(2), { name: 'Adult Number 2' });
    await repo.savePersonalDetails(ref(5), misplaced);
    const result = await resealPersonalDetails(repo, after, { batch: 2 });
    expect(result.resealed).toBe(1);
    expect(result.unknownKey).toEqual([{ reference: ref(4), keyId: foreign.keyId }]);
    expect(result.unopenable).toEqual([ref(5)]);
    expect(result.notUnder).toBe(2);
    expect(await repo.readPersonalDetails(ref(4))).toEqual(foreign);
    expect(await repo.readPersonalDetails(ref(5))).toEqual(misplaced);
  });

  test('stopped half-way (the store fails after two writes), nothing is lost, and a second run finishes', async () => {
    await seed(5, 5);
    let writes = 0;
    const failing = new Proxy(repo, {
      get(target, name, receiver) {
        if (name === 'resealPersonalDetails')
          return async (...args: Parameters<CaseRepository['resealPersonalDetails']>) => {
            if (++writes > 2) throw new Error('the store went away');
            return target.resealPersonalDetails(...args);
          };
        const value = Reflect.get(target, name, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    await expect(resealPersonalDetails(failing, after, { batch: 2 })).rejects.toThrow('the store went away');
    expect(await repo.countPersonalDetails(after.keyId)).toEqual({ under: 2, notUnder: 3 });
    // Every record opens, under whichever key it is now.
    for (let i = 1; i <= 5; i++) {
      const sealed = await repo.readPersonalDetails(ref(i));
      if (!sealed) throw new Error('missing');
      expect(after.open(ref(i), sealed)).toEqual({ name: `Adult Number ${i}` });
    }
    const again = await resealPersonalDetails(repo, after, { batch: 2 });
    expect(again).toEqual(expect.objectContaining({ resealed: 3, under: 5, notUnder: 0 }));
  });
}
