/** Run in a separate process by the contract: opens the file afresh and prints what it finds. */
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';

async function main(): Promise<void> {
  const [file, reference] = process.argv.slice(2);
  if (!file || !reference) throw new Error('usage: read-sqlite-case <file> <reference>');
  const repo = SqliteRepository.open(file);
  const stored = await repo.getCase(reference);
  const events = await repo.getEvents(reference);
  await repo.close();
  process.stdout.write(
    JSON.stringify({ version: stored?.version, events: events.length, status: stored?.state.status }),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
