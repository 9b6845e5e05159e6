/**
 * Slack installations: each agency's workspace (or Enterprise Grid organisation) that installed the
 * app through Slack's OAuth flow, with its bot token. The store port keeps a record per workspace:
 * its ids in clear (to find it) and everything else, tokens included, sealed with AES-256-GCM
 * under a key derived from the configured one, bound to the workspace's key (a record copied onto
 * another workspace's key does not open). Tokens never appear in the store or the log in clear.
 */
import { createHash, hkdfSync } from 'node:crypto';
import { openJson, sealJson } from './aead';
import { StoreError } from './repository';

/** A workspace's key: `team:T…`, or `enterprise:E…` for an organisation-wide install. */
export type InstallationKey = `team:${string}` | `enterprise:${string}`;

export function installationKey(ids: {
  teamId?: string;
  enterpriseId?: string;
  isEnterpriseInstall?: boolean;
}): InstallationKey {
  if (ids.isEnterpriseInstall && ids.enterpriseId) return `enterprise:${ids.enterpriseId}`;
  if (ids.teamId) return `team:${ids.teamId}`;
  if (ids.enterpriseId) return `enterprise:${ids.enterpriseId}`;
  throw new RangeError('A Slack installation needs a team id or an enterprise id');
}

export interface SealedInstallation {
  keyId: string;
  iv: string;
  tag: string;
  ciphertext: string;
}

/** One installation as stored: ids in clear, the rest (tokens) sealed. */
export interface SlackInstallationRecord {
  key: InstallationKey;
  teamId?: string;
  enterpriseId?: string;
  /** When it was first stored, and last replaced (a reinstall, a refreshed token). */
  installedAt: string;
  updatedAt: string;
  sealed: SealedInstallation;
}

/** The store's side (SQLite and Cosmos DB; tests/contract). */
export interface SlackInstallationStore {
  /** Keep (or replace) a workspace's installation. */
  saveSlackInstallation(record: SlackInstallationRecord): Promise<void>;
  getSlackInstallation(key: InstallationKey): Promise<SlackInstallationRecord | undefined>;
  /** Remove it; whether there was one. */
  deleteSlackInstallation(key: InstallationKey): Promise<boolean>;
  /** Every installation's key and dates (not the sealed part), for the log and `/readyz`. */
  listSlackInstallations(): Promise<Array<Omit<SlackInstallationRecord, 'sealed'>>>;
}

/** Seals installations under a key of their own, derived (HKDF-SHA256) from the configured 32-byte key. */
export class InstallationSealer {
  readonly keyId: string;
  private readonly key: Buffer;
  /** Keys derived from PERSONAL_DATA_OLD_KEYS: they open installations sealed before a key change, never seal. */
  private readonly old = new Map<string, Buffer>();

  constructor(configured: Buffer, oldKeys: readonly Buffer[] = []) {
    if (configured.length !== 32) throw new RangeError('an AES-256 key is 32 bytes');
    this.key = derive(configured);
    this.keyId = createHash('sha256').update(this.key).digest('hex').slice(0, 16);
    for (const k of oldKeys) {
      const derived = derive(k);
      const id = createHash('sha256').update(derived).digest('hex').slice(0, 16);
      if (id !== this.keyId) this.old.set(id, derived);
    }
  }

  /** Whether a stored installation is sealed under an old key (and so is resealed by `personal reseal`). */
  isOld(sealed: SealedInstallation): boolean {
    return sealed.keyId !== this.keyId && this.old.has(sealed.keyId);
  }

  seal(key: InstallationKey, installation: unknown): SealedInstallation {
    return sealJson(this.key, this.keyId, key, installation);
  }

  open(key: InstallationKey, sealed: SealedInstallation): unknown {
    const opening = sealed.keyId === this.keyId ? this.key : this.old.get(sealed.keyId);
    if (!opening)
      throw new StoreError(
        'wrong-key',
        `The Slack installation of ${key} was sealed with another key (key ${sealed.keyId}; the configured key is ${this.keyId}). Check PERSONAL_DATA_KEY and PERSONAL_DATA_OLD_KEYS, or install the app in that workspace again.`,
      );
    try {
      return openJson(opening, key, sealed);
    } catch (cause) {
      throw new StoreError(
        'corrupt',
        `The Slack installation of ${key} cannot be opened: it has been altered or belongs to another workspace. Install the app in that workspace again.`,
        undefined,
        { cause },
      );
    }
  }
}

function derive(configured: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', configured, Buffer.alloc(0), 'slack installation tokens', 32));
}

/**
 * After a key change: every installation sealed under an old key, sealed again under the current
 * one (its dates kept). Each is rewritten whole; one that will not open is left as it is and named.
 */
export async function resealInstallations(
  store: SlackInstallationStore,
  sealer: InstallationSealer,
): Promise<{ resealed: number; left: InstallationKey[] }> {
  let resealed = 0;
  const left: InstallationKey[] = [];
  for (const { key } of await store.listSlackInstallations()) {
    const record = await store.getSlackInstallation(key);
    if (!record || record.sealed.keyId === sealer.keyId) continue;
    if (!sealer.isOld(record.sealed)) {
      left.push(key);
      continue;
    }
    const installation = sealer.open(key, record.sealed);
    // Saved again meanwhile (a refreshed token, sealed under the current key already): left as the bot left it.
    const now = await store.getSlackInstallation(key);
    if (!now || now.updatedAt !== record.updatedAt || now.sealed.ciphertext !== record.sealed.ciphertext) continue;
    await store.saveSlackInstallation({ ...record, sealed: sealer.seal(key, installation) });
    resealed++;
  }
  return { resealed, left };
}
