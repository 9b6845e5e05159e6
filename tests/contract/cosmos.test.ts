/**
 * The store contract against Azure Cosmos DB: always against an in-memory server that speaks the
 * Cosmos DB protocol (@vercel/cosmosdb-server), and also against a real account or the emulator
 * when COSMOS_ENDPOINT (and COSMOS_KEY) are set.
 */
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { CosmosClient } from '@azure/cosmos';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import type { CaseEvent } from '../../src/domain/escalation';
import { cosmosClientFrom, CosmosRepository } from '../../src/store/cosmos/cosmos-repository';
import { CAMDEN, counterpart, raised } from './fixtures';
import { outboxContract } from './outbox.contract';
import { repositoryContract, type ContractTarget } from './repository.contract';
import { personalCardsContract } from './personal-cards.contract';
import { personalKeysContract } from './personal-keys.contract';
import { workListsContract } from './work-lists.contract';
import { restateContract } from './restate.contract';
import { slackInstallationsContract } from './slack-installations.contract';
import { directoryContract } from './directory.contract';
import { proceduresContract, type ProceduresTarget } from './procedures.contract';
import type { Procedure } from '../../src/domain/procedure';
import { sweepContract } from './sweep.contract';

jest.setTimeout(60_000);

interface RawEvent {
  id: string;
  caseRef: string;
  seq: number;
  event: CaseEvent;
  [key: string]: unknown;
}

/** A contract target on whatever Cosmos endpoint `connect` reaches, one database per test. */
function cosmosTarget(
  connect: () => CosmosClient,
  prefix: string,
): ContractTarget & ProceduresTarget & { cleanUp(): Promise<void> } {
  let counter = 0;
  let databaseId = '';
  let admin: CosmosClient | undefined;
  const made: string[] = [];

  const adminClient = (): CosmosClient => (admin ??= connect());
  const cases = () => adminClient().database(databaseId).container('cases');

  async function eventDocument(reference: string, seq: number): Promise<RawEvent> {
    const { resources } = await cases()
      .items.query<RawEvent>(
        {
          query: "SELECT * FROM c WHERE c.caseRef = @ref AND c.type = 'event' AND c.seq = @seq",
          parameters: [
            { name: '@ref', value: reference },
            { name: '@seq', value: seq },
          ],
        },
        { partitionKey: reference },
      )
      .fetchAll();
    const doc = resources[0];
    if (!doc) throw new Error(`no event ${seq} stored for ${reference}`);
    return doc;
  }

  const open = (): Promise<CosmosRepository> =>
    CosmosRepository.open({ client: connect(), ownsClient: true, databaseId });

  return {
    async open() {
      counter += 1;
      databaseId = `${prefix}${counter}`;
      made.push(databaseId);
      return open();
    },
    reopen: open,
    tamper: {
      async rewriteEvent(reference, seq, change) {
        const doc = await eventDocument(reference, seq);
        // The stored hash is kept: only the chain check can tell.
        await cases()
          .item(doc.id, reference)
          .replace({ ...doc, event: change(doc.event) });
      },
      async removeEvent(reference, seq) {
        const doc = await eventDocument(reference, seq);
        await cases().item(doc.id, reference).delete();
      },
      async editCheckpoint(seq, change) {
        const anchor = adminClient().database(databaseId).container('anchor');
        const id = `cp:${String(seq).padStart(9, '0')}`;
        const { resource } = await anchor.item(id, 'anchor').read<Record<string, unknown>>();
        if (!resource) throw new Error(`no checkpoint ${seq}`);
        await anchor.item(id, 'anchor').replace(change(resource));
      },
      async deleteCase(reference) {
        const { resources } = await cases()
          .items.query<{ id: string }>(
            { query: 'SELECT c.id FROM c WHERE c.caseRef = @ref', parameters: [{ name: '@ref', value: reference }] },
            { partitionKey: reference },
          )
          .fetchAll();
        for (const doc of resources) await cases().item(doc.id, reference).delete();
      },
      async corruptCase(reference) {
        await cases()
          .item(reference, reference)
          .replace({ id: reference, caseRef: reference, type: 'case', version: 'two', state: 'not json' });
      },
    },
    raw: {
      async procedures() {
        const { resources } = await cases()
          .items.query<{ key: string; boardId: string; label: string }>(
            "SELECT c.key, c.boardId, c.label FROM c WHERE c.type = 'procedure' ORDER BY c.key",
          )
          .fetchAll();
        return resources.map((r) => ({ key: r.key, boardId: r.boardId, label: r.label }));
      },
      async stored(reference) {
        const { resource } = await cases().item(reference, reference).read<{ state: Record<string, unknown> }>();
        if (!resource) throw new Error(`no ${reference}`);
        const event = await eventDocument(reference, 1);
        return { state: resource.state, raisedEvent: event.event as unknown as Record<string, unknown> };
      },
      async editProcedure(key, change) {
        const id = `procedure:${key}`;
        const { resource } = await cases().item(id, id).read<{ procedure: Procedure }>();
        if (!resource) throw new Error(`no procedure ${key}`);
        await cases()
          .item(id, id)
          .replace({ ...resource, procedure: change(resource.procedure) });
      },
      async deleteProcedure(key) {
        const id = `procedure:${key}`;
        await cases().item(id, id).delete();
      },
      async writeFullCopies(reference, state, procedure) {
        const event = await eventDocument(reference, 1);
        await cases()
          .item(event.id, reference)
          .replace({ ...event, event: { ...event.event, procedure } });
        const { resource } = await cases().item(reference, reference).read<Record<string, unknown>>();
        if (!resource) throw new Error(`no ${reference}`);
        await cases()
          .item(reference, reference)
          .replace({ ...resource, state });
      },
    },
    async cleanUp() {
      if (!admin) return;
      for (const id of made)
        await admin
          .database(id)
          .delete()
          .catch(() => undefined);
      admin.dispose();
    },
  };
}

describe('Cosmos DB store (in-memory Cosmos DB protocol server)', () => {
  const server = createHttpsServer();
  let endpoint = '';
  const target = cosmosTarget(
    () =>
      new CosmosClient({
        endpoint,
        key: 'dGVzdA==',
        agent: new https.Agent({ rejectUnauthorized: false }),
        connectionPolicy: { enableEndpointDiscovery: false },
      }),
    't',
  );

  beforeAll(async () => {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await target.cleanUp();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  repositoryContract(target);
  outboxContract(target);
  workListsContract(target);
  personalCardsContract(target);
  restateContract(target);
  sweepContract(target);
  slackInstallationsContract(target);
  directoryContract(target);
  proceduresContract(target);
  describe("the adult's details under old keys, and resealing them", () => personalKeysContract(target));

  test("a case document written before its agencies were kept is still in each of its agencies' open cases", async () => {
    const repo = (await target.open()) as CosmosRepository;
    try {
      for (const m of [raised(80), raised(3, '2026-11-21T10:00:00Z', CAMDEN, counterpart, 'zed')])
        await repo.createCase({ state: m.state, events: m.events });
      const cases = repo.database.container('cases');
      for (const reference of ['NS-2026-0080', 'CAM-2026-0003']) {
        const { resource } = await cases.item(reference, reference).read<Record<string, unknown>>();
        if (!resource) throw new Error(`no ${reference}`);
        const { agencies: _agencies, ...before } = resource;
        await cases.item(reference, reference).replace(before);
      }
      expect((await repo.openCasesOfAgency('trust')).map((c) => c.reference)).toEqual([
        'NS-2026-0080',
        'CAM-2026-0003',
      ]);
      expect(await repo.openCasesOfAgency('police')).toEqual([]);
    } finally {
      await repo.close();
    }
  });

  test("a personal container made before key rotation gets the key id's index on open", async () => {
    const client = new CosmosClient({
      endpoint,
      key: 'dGVzdA==',
      agent: new https.Agent({ rejectUnauthorized: false }),
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    const { database } = await client.databases.createIfNotExists({ id: 'before-key-rotation' });
    await database.containers.createIfNotExists({
      id: 'personal',
      partitionKey: { paths: ['/caseRef'] },
      indexingPolicy: {
        indexingMode: 'consistent',
        automatic: true,
        includedPaths: [{ path: '/caseRef/?' }],
        excludedPaths: [{ path: '/*' }],
      },
    });
    const repo = await CosmosRepository.open({ client, ownsClient: true, databaseId: 'before-key-rotation' });
    try {
      const { resource } = await repo.database.container('personal').read();
      expect(resource?.indexingPolicy?.includedPaths?.map((p) => p.path)).toEqual(['/caseRef/?', '/keyId/?']);
      expect(await repo.countPersonalDetails('0123456789abcdef')).toEqual({ under: 0, notUnder: 0 });
    } finally {
      await repo.close();
    }
  });

  test('a cases container made before the outbox gets its indexes on open, and the outbox works on it', async () => {
    const client = new CosmosClient({
      endpoint,
      key: 'dGVzdA==',
      agent: new https.Agent({ rejectUnauthorized: false }),
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    const { database } = await client.databases.createIfNotExists({ id: 'before-the-outbox' });
    // The cases container as it was made before the outbox: no composite indexes of its own.
    await database.containers.createIfNotExists({
      id: 'cases',
      partitionKey: { paths: ['/caseRef'] },
      indexingPolicy: {
        indexingMode: 'consistent',
        automatic: true,
        includedPaths: [{ path: '/*' }],
        compositeIndexes: [
          [
            { path: '/dueAt', order: 'ascending' },
            { path: '/id', order: 'ascending' },
          ],
        ],
      },
    });
    const repo = await CosmosRepository.open({ client, ownsClient: true, databaseId: 'before-the-outbox' });
    try {
      const now = new Date().toISOString();
      await repo.enqueue([
        {
          id: 'NS-2026-0001:2:tell:ben',
          reference: 'NS-2026-0001',
          kind: 'tell',
          platform: 'slack',
          recipient: 'ben',
          event: 2,
          dependsOn: [],
          payload: {},
          createdAt: now,
          nextAttemptAt: now,
        },
      ]);
      const claimed = await repo.claimOutbox('w', now, new Date(Date.now() + 30_000).toISOString(), 10);
      expect(claimed.map((i) => i.recipient)).toEqual(['ben']);
      expect((await repo.listOutbox()).map((i) => i.recipient)).toEqual(['ben']);
    } finally {
      await repo.close();
    }
  });
});

const realEndpoint = process.env.COSMOS_ENDPOINT;
if (realEndpoint) {
  describe(`Cosmos DB store (${realEndpoint})`, () => {
    const local = /^https:\/\/(localhost|127\.0\.0\.1)(:\d+)?\/?$/.test(realEndpoint);
    const insecureTls = process.env.COSMOS_INSECURE_TLS === 'true' || process.env.COSMOS_INSECURE_TLS === '1' || local;
    const target = cosmosTarget(
      () => cosmosClientFrom({ endpoint: realEndpoint, key: process.env.COSMOS_KEY ?? '', insecureTls }),
      `contract-${Date.now().toString(36)}-`,
    );

    afterAll(() => target.cleanUp());

    repositoryContract(target);
    outboxContract(target);
    workListsContract(target);
    personalCardsContract(target);
    slackInstallationsContract(target);
  });
}
