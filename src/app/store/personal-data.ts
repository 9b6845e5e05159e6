/**
 * The adult's name, date of birth and address: sealed with AES-256-GCM under a key from the
 * configuration, bound to the case reference, and stored apart from the case. Only the code
 * paths that need them (forms, exports asked for by a role holder) open them.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
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

export function parseKey(base64: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32)
    throw new RangeError(
      'PERSONAL_DATA_KEY must be 32 bytes, written in base64 (for example the output of `openssl rand -base64 32`)',
    );
  return key;
}

export class PersonalDataVault {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new RangeError('an AES-256 key is 32 bytes');
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 16);
  }

  seal(reference: string, details: PersonalDetails): SealedDetails {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(reference, 'utf8'));
    const ciphertext = Buffer.concat([
      cipher.update(JSON.stringify(personalDetailsSchema.parse(details)), 'utf8'),
      cipher.final(),
    ]);
    return {
      keyId: this.keyId,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ciphertext: ciphertext.toString('base64'),
    };
  }

  open(reference: string, sealed: SealedDetails): PersonalDetails {
    if (sealed.keyId !== this.keyId) {
      throw new StoreError(
        'wrong-key',
        `The adult's details for case ${reference} were sealed with another key (key ${sealed.keyId}; the configured key is ${this.keyId}). Check PERSONAL_DATA_KEY; nothing was changed.`,
        reference,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(Buffer.from(reference, 'utf8'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      const plain = Buffer.concat([
        decipher.update(Buffer.from(sealed.ciphertext, 'base64')),
        decipher.final(),
      ]).toString('utf8');
      return personalDetailsSchema.parse(JSON.parse(plain));
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
