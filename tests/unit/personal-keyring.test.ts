/**
 * The keyring for the adult's details: the current key seals, old keys open what they sealed,
 * a record under a key it does not hold is the plain "another key" error; PERSONAL_DATA_OLD_KEYS
 * is parsed (and its values are never shown or logged).
 */
import { loadConfig } from '../../src/config';
import { keyIdOf, parseOldKeys, PersonalDataVault } from '../../src/app/store/personal-data';
import { StoreError } from '../../src/app/store/repository';
import { scrub, secretValues } from '../../src/secrets';
import { openVault } from '../../src/store/open';

const OLD = Buffer.alloc(32, 7);
const OLDER = Buffer.alloc(32, 5);
const NEW = Buffer.alloc(32, 9);
const details = { name: 'Margaret Example', dateOfBirth: '1940-02-01' };

test('the current key seals; an old key opens what it sealed, and seals nothing', () => {
  const sealedBefore = new PersonalDataVault(OLD).seal('NS-2026-0001', details);
  const ring = new PersonalDataVault(NEW, [OLDER, OLD]);
  expect(ring.keyId).toBe(keyIdOf(NEW));
  expect(ring.oldKeyIds).toEqual([keyIdOf(OLDER), keyIdOf(OLD)]);
  expect(ring.open('NS-2026-0001', sealedBefore)).toEqual(details);
  expect(ring.isCurrent(sealedBefore)).toBe(false);
  expect(ring.holdsKeyOf(sealedBefore)).toBe(true);
  const sealedNow = ring.seal('NS-2026-0002', details);
  expect(sealedNow.keyId).toBe(keyIdOf(NEW));
  expect(ring.isCurrent(sealedNow)).toBe(true);
});

test('resealing opens with the old key and seals with the current one; the new key alone then opens it', () => {
  const ring = new PersonalDataVault(NEW, [OLD]);
  const before = new PersonalDataVault(OLD).seal('NS-2026-0003', details);
  const after = ring.reseal('NS-2026-0003', before);
  expect(after.keyId).toBe(ring.keyId);
  expect(after.ciphertext).not.toBe(before.ciphertext);
  expect(new PersonalDataVault(NEW).open('NS-2026-0003', after)).toEqual(details);
  // Still bound to its case.
  expect(() => ring.open('NS-2026-0004', after)).toThrow(/altered or belong to another case/);
});

test('a record under a key the ring does not hold: the plain error, naming key ids only', () => {
  const stranger = new PersonalDataVault(Buffer.alloc(32, 11)).seal('NS-2026-0005', details);
  const ring = new PersonalDataVault(NEW, [OLD]);
  let caught: unknown;
  try {
    ring.open('NS-2026-0005', stranger);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(StoreError);
  expect((caught as StoreError).code).toBe('wrong-key');
  expect((caught as StoreError).message).toMatch(/sealed with another key/);
  expect((caught as StoreError).message).toContain('PERSONAL_DATA_OLD_KEYS');
  expect((caught as StoreError).message).not.toContain(NEW.toString('base64'));
  expect(ring.holdsKeyOf(stranger)).toBe(false);
  expect(() => ring.reseal('NS-2026-0005', stranger)).toThrow(/another key/);
});

test('PERSONAL_DATA_OLD_KEYS: commas and spaces; the current key listed again is harmless', () => {
  const list = ` ${OLD.toString('base64')},${OLDER.toString('base64')} ,, `;
  expect(parseOldKeys(list).map((k) => k.toString('hex'))).toEqual([OLD.toString('hex'), OLDER.toString('hex')]);
  expect(parseOldKeys(undefined)).toEqual([]);
  const config = loadConfig({
    PERSONAL_DATA_KEY: NEW.toString('base64'),
    PERSONAL_DATA_OLD_KEYS: `${list},${NEW.toString('base64')}`,
  });
  const { vault } = openVault(config);
  expect(vault.keyId).toBe(keyIdOf(NEW));
  expect(vault.oldKeyIds).toEqual([keyIdOf(OLD), keyIdOf(OLDER)]);
});

test('a wrong old key is named by its place, never shown; AUDIT_KEY may not be one of them', () => {
  const short = Buffer.alloc(16, 1).toString('base64');
  expect(() =>
    loadConfig({
      PERSONAL_DATA_KEY: NEW.toString('base64'),
      PERSONAL_DATA_OLD_KEYS: `${OLD.toString('base64')},${short}`,
    }),
  ).toThrow(
    /PERSONAL_DATA_OLD_KEYS must be the earlier keys.*its key number 2 of 2 is not 32 bytes of base64; its value is not shown/,
  );
  try {
    loadConfig({ PERSONAL_DATA_OLD_KEYS: `${OLD.toString('base64')},${short}` });
  } catch (error) {
    expect(String(error)).not.toContain(short);
    expect(String(error)).not.toContain(OLD.toString('base64'));
  }
  expect(() =>
    loadConfig({
      PERSONAL_DATA_KEY: NEW.toString('base64'),
      AUDIT_KEY: OLDER.toString('base64'),
      PERSONAL_DATA_OLD_KEYS: OLDER.toString('base64'),
    }),
  ).toThrow(/PERSONAL_DATA_OLD_KEYS must not hold AUDIT_KEY/);
});

test('each old key is scrubbed from logs on its own, not only the whole list', () => {
  const env = { PERSONAL_DATA_OLD_KEYS: `${OLD.toString('base64')},${OLDER.toString('base64')}` };
  const text = `opening with ${OLDER.toString('base64')} failed`;
  expect(scrub(text, secretValues(env))).toBe('opening with [redacted] failed');
});
