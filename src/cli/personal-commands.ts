/**
 * `personal reseal` and `personal keys`: moving the adult's details from old keys to the current
 * PERSONAL_DATA_KEY after a key change (src/app/personal-reseal.ts), and how many are under each.
 * Case references and key ids only: never the details themselves.
 */
import { parseArgs } from 'node:util';
import { resealPersonalDetails } from '../app/personal-reseal';
import { openStore } from './options';
import { loadConfig } from '../config';
import { openInstallationSealer } from '../store/open';
import { resealInstallations } from '../app/store/slack-installations';
import { UsageError, type Io } from './usage';

export const PERSONAL_USAGE = `  personal keys [--db <file>]                  how many adults' details are under the current key, and under old ones
  personal reseal [--batch <n>] [--db <file>]  after a key change: seal every adult's details under an old key
                                               (PERSONAL_DATA_OLD_KEYS) with the current PERSONAL_DATA_KEY;
                                               safe to stop and run again`;

const records = (n: number): string => `${n} case${n === 1 ? "'s" : "s'"} details`;

export async function commandPersonal(sub: string | undefined, args: string[], io: Io): Promise<number> {
  if (sub !== 'reseal' && sub !== 'keys') throw new UsageError('Say "personal reseal" or "personal keys".');
  const { values } = parseArgs({
    args,
    options: { db: { type: 'string' }, batch: { type: 'string', default: '100' } },
    strict: true,
  });
  const batch = Number(values.batch);
  if (!Number.isInteger(batch) || batch < 1 || batch > 1000)
    throw new UsageError(`--batch must be a whole number from 1 to 1000 (it is "${values.batch}").`);
  if (sub === 'reseal' && !io.env.PERSONAL_DATA_KEY)
    throw new UsageError(
      "PERSONAL_DATA_KEY is not set: resealing would seal the adult's details with the local development key. Set it to the new key, and the old one in PERSONAL_DATA_OLD_KEYS.",
    );
  return openStore(io, values.db, async (repo, { vault }) => {
    const old = vault.oldKeyIds.length ? `old keys ${vault.oldKeyIds.join(', ')}` : 'no old keys';
    if (sub === 'keys') {
      const { under, notUnder } = await repo.countPersonalDetails(vault.keyId);
      io.out(`${records(under)} under the current key (key ${vault.keyId}); ${records(notUnder)} under other keys.`);
      io.out(`This configuration holds ${old}.`);
      return 0;
    }
    const result = await resealPersonalDetails(repo, vault, {
      batch,
      progress: ({ resealed, read }) => {
        if (read) io.err(`… ${resealed} resealed of ${read} read`);
      },
    });
    io.out(
      `Resealed ${records(result.resealed)} with the current key (key ${vault.keyId}); ${records(Math.max(0, result.under - result.resealed))} already under it were left as they are.`,
    );
    if (result.raced)
      io.out(
        `${records(result.raced)} changed while this ran (erased, or saved again by the bot) and were left as the bot left them.`,
      );
    for (const u of result.unknownKey)
      io.err(
        `${u.reference}: sealed with key ${u.keyId}, which is neither PERSONAL_DATA_KEY nor in PERSONAL_DATA_OLD_KEYS (${old}). Add that key to PERSONAL_DATA_OLD_KEYS and run this again.`,
      );
    for (const reference of result.unopenable)
      io.err(
        `${reference}: the details will not open under their own key (altered, or another case's); left as they are. \`audit verify --case ${reference}\` says more.`,
      );
    // The Slack workspaces' installations (their tokens) are sealed under a key derived from the same keys.
    const slack = await resealInstallations(repo, openInstallationSealer(loadConfig(io.env)));
    if (slack.resealed)
      io.out(`Resealed ${slack.resealed} Slack workspace installation${slack.resealed === 1 ? '' : 's'}.`);
    for (const key of slack.left)
      io.err(
        `The Slack installation of ${key} is sealed with a key that is neither PERSONAL_DATA_KEY nor in PERSONAL_DATA_OLD_KEYS: add that key and run this again, or install the app in that workspace again.`,
      );
    if (result.notUnder === 0 && slack.left.length === 0) {
      io.out(
        `None is left under an old key. Once every copy of the bot runs with the new PERSONAL_DATA_KEY (restart them all, then run this once more to be sure), remove the old keys from PERSONAL_DATA_OLD_KEYS.`,
      );
      return 0;
    }
    io.out(
      `${records(result.notUnder)} are still under other keys: keep PERSONAL_DATA_OLD_KEYS until a run says none is left.`,
    );
    return 1;
  });
}
