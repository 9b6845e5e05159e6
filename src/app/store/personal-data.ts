/**
 * The adult's name, date of birth and address: sealed with AES-256-GCM under a key from the
 * configuration, bound to the case reference, and stored apart from the case. Only the code
 * paths that need them (forms, exports asked for by a role holder) open them.
 *
 * The vault is a keyring: the current key (PERSONAL_DATA_KEY) seals; old keys
 * (PERSONAL_DATA_OLD_KEYS) only open. Each sealed record names the key that sealed it (its keyId),
 * so open() picks the key by it; `cli personal reseal` moves records under an old key to the
 * current one (src/app/personal-reseal.ts), after which the old key can go.
 */
import { createHash } from 'node:crypto';
import { openJson, sealJson } from './aead';
import { z } from 'zod';
import { StoreError, type SealedDetails } from './repository';

export const personalDetailsSchema = z.strictObject({
  name: z.string().trim().min(1, { error: "Please give the adult's name." }).max(200),
  dateOfBirth: z.iso.date({ error: 'Please give the date of birth as YYYY-MM-DD.' }).optional(),
  address: z.string().trim().min(1).max(500).optional(),
});

export type PersonalDetails = z.output<typeof personalDetailsSchema>;

/** A fixed key for local development only: never used when NODE_ENV is production. */
export const DEVELOPMENT_KEY = createHash('sha256')
  .update('safeguarding-escalation-bot local development key')
  .digest();

export function parseKey(base64: string, variable = 'PERSONAL_DATA_KEY'): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32)
    throw new RangeError(
      `${variable} must be 32 bytes, written in base64 (for example the output of \`openssl rand -base64 32\`)`,
    );
  return key;
}

/** The old keys of PERSONAL_DATA_OLD_KEYS: base64 keys separated by commas (spaces around them ignored). */
export function parseOldKeys(list: string | undefined): Buffer[] {
  return (list ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
    .map((k) => parseKey(k, 'Each of PERSONAL_DATA_OLD_KEYS'));
}

/** A key's public id, as each sealed record names it: the first 16 hex digits of its SHA-256. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

export class PersonalDataVault {
  /** The current key's id: every seal is made with it. */
  readonly keyId: string;
  /** The old keys' ids: they open what they sealed, and seal nothing. */
  readonly oldKeyIds: readonly string[];
  private readonly keys = new Map<string, Buffer>();

  constructor(
    private readonly key: Buffer,
    oldKeys: readonly Buffer[] = [],
  ) {
    if (key.length !== 32) throw new RangeError('an AES-256 key is 32 bytes');
    this.keyId = keyIdOf(key);
    this.keys.set(this.keyId, key);
    for (const old of oldKeys) {
      if (old.length !== 32) throw new RangeError('an AES-256 key is 32 bytes');
      const id = keyIdOf(old);
      if (!this.keys.has(id)) this.keys.set(id, old);
    }
    this.oldKeyIds = [...this.keys.keys()].filter((id) => id !== this.keyId);
  }

  /** Sealed with the current key. */
  isCurrent(sealed: SealedDetails): boolean {
    return sealed.keyId === this.keyId;
  }

  /** Sealed with a key of this keyring (current or old). */
  holdsKeyOf(sealed: SealedDetails): boolean {
    return this.keys.has(sealed.keyId);
  }

  /** The same details sealed afresh with the current key (opened with the key that sealed them). */
  reseal(reference: string, sealed: SealedDetails): SealedDetails {
    return this.seal(reference, this.open(reference, sealed));
  }

  seal(reference: string, details: PersonalDetails): SealedDetails {
    return sealJson(this.key, this.keyId, reference, personalDetailsSchema.parse(details));
  }

  open(reference: string, sealed: SealedDetails): PersonalDetails {
    const key = this.keys.get(sealed.keyId);
    if (!key) {
      throw new StoreError(
        'wrong-key',
        `The adult's details for case ${reference} were sealed with another key (key ${sealed.keyId}; the configured key is ${this.keyId}${this.oldKeyIds.length ? `, the old keys ${this.oldKeyIds.join(', ')}` : ''}). Check PERSONAL_DATA_KEY${this.oldKeyIds.length ? ' and PERSONAL_DATA_OLD_KEYS' : ''}; nothing was changed.`,
        reference,
      );
    }
    try {
      return personalDetailsSchema.parse(openJson(key, reference, sealed));
    } catch (cause) {
      throw new StoreError(
        'corrupt',
        `The adult's details for case ${reference} cannot be opened: they have been altered or belong to another case. Nothing was changed.`,
        reference,
        { cause },
      );
    }
  }
}
