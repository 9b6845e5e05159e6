/**
 * Moving the adult's details from old keys to the current one (`cli personal reseal`), after
 * PERSONAL_DATA_KEY has been changed and the key before it put in PERSONAL_DATA_OLD_KEYS.
 *
 * A batch at a time, each record on its own: opened with the key that sealed it, sealed afresh
 * with the current key, and written back in one compare-and-set step that succeeds only if the
 * record is still exactly what was read (so a record erased or sealed again by the bot meanwhile
 * is left as the bot left it, and nothing is ever lost). Stopped at any point (killed, the store
 * gone), every record is either as it was or resealed; running it again carries on, and records
 * already under the current key are not read at all.
 */
import type { PersonalDataVault } from './store/personal-data';
import { StoreError, type CaseRepository } from './store/repository';

export interface ResealResult {
  /** Moved to the current key by this run. */
  resealed: number;
  /** Changed by someone else between reading and writing (erased, or sealed again): left as they are. */
  raced: number;
  /** Under a key this keyring does not hold (not the current key nor an old one): left, by case. */
  unknownKey: Array<{ reference: string; keyId: string }>;
  /** That would not open under their own key (altered, or another case's): left, by case. */
  unopenable: string[];
  /** After the run: how many are under the current key, and how many are not. */
  under: number;
  notUnder: number;
}

export interface ResealOptions {
  /** Records read and rewritten a batch at a time (default 100). */
  batch?: number;
  /** Each batch's progress, for the command to print. */
  progress?: (done: { resealed: number; read: number }) => void;
}

export async function resealPersonalDetails(
  repo: CaseRepository,
  vault: PersonalDataVault,
  options: ResealOptions = {},
): Promise<ResealResult> {
  const batch = options.batch ?? 100;
  const result: ResealResult = { resealed: 0, raced: 0, unknownKey: [], unopenable: [], under: 0, notUnder: 0 };
  let after: string | undefined;
  let read = 0;
  for (;;) {
    const page = await repo.personalDetailsNotUnder(vault.keyId, batch, after);
    for (const { reference, sealed } of page) {
      read++;
      if (!vault.holdsKeyOf(sealed)) {
        result.unknownKey.push({ reference, keyId: sealed.keyId });
        continue;
      }
      let next;
      try {
        next = vault.reseal(reference, sealed);
      } catch (error) {
        if (error instanceof StoreError && error.code === 'corrupt') {
          result.unopenable.push(reference);
          continue;
        }
        throw error;
      }
      if (await repo.resealPersonalDetails(reference, sealed, next)) result.resealed++;
      else result.raced++;
    }
    options.progress?.({ resealed: result.resealed, read });
    if (page.length < batch) break;
    after = page[page.length - 1]?.reference;
  }
  Object.assign(result, await repo.countPersonalDetails(vault.keyId));
  return result;
}

/**
 * Said at start: how many adults' details are under a key other than the current one (one count;
 * nothing said if the store cannot count now). Resolves once said.
 */
export function sayOldKeys(
  repo: CaseRepository,
  vault: PersonalDataVault,
  log: (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void,
): Promise<void> {
  return repo.countPersonalDetails(vault.keyId).then(
    ({ notUnder }) => {
      if (notUnder)
        log(
          'warn',
          `${notUnder} case${notUnder === 1 ? "'s" : "s'"} details are under a key other than PERSONAL_DATA_KEY: run \`cli personal reseal\` to move them to it.`,
          { notUnder, oldKeys: vault.oldKeyIds.length },
        );
      else if (vault.oldKeyIds.length)
        log(
          'info',
          'Every adult’s details are under PERSONAL_DATA_KEY: PERSONAL_DATA_OLD_KEYS is needed only while a key change is under way.',
        );
    },
    () => undefined,
  );
}
