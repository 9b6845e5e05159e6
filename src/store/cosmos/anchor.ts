/**
 * The store-wide anchor in Cosmos DB: its own container, one partition (`anchor`), one document
 * per checkpoint (`cp:<seq, nine digits>`). Created after the case's own batch (another container
 * cannot join it); two writers racing for a number: the second create fails with 409 and steps on.
 */
import type { Container } from '@azure/cosmos';
import { nextCheckpoint, type Head } from '../../app/store/anchor';
import type { AuditKey } from '../../app/store/chain';
import type { Checkpoint } from '../../app/store/repository';
import { SEQUENCE_ATTEMPTS } from './documents';
import { createUnlessExists, queryItems, readItem } from './items';

const ANCHOR_PARTITION = 'anchor';
const checkpointId = (seq: number): string => `cp:${String(seq).padStart(9, '0')}`;

export function checkpointOf(d: Checkpoint): Checkpoint {
  return {
    seq: d.seq,
    at: d.at,
    reference: d.reference,
    version: d.version,
    lastHash: d.lastHash,
    cases: d.cases,
    ...(typeof d.idempotency === 'string' ? { idempotency: d.idempotency } : {}),
    keyId: d.keyId,
    prev: d.prev,
    seal: d.seal,
  };
}

export class CosmosAnchor {
  /** The newest checkpoint this handle wrote or saw. */
  private last?: Checkpoint;

  constructor(
    private readonly container: Container,
    private readonly auditKey: AuditKey,
  ) {}

  /** Every checkpoint, oldest first. */
  async read(): Promise<Checkpoint[]> {
    return (
      await queryItems<Checkpoint>(
        this.container,
        "SELECT * FROM c WHERE c.type = 'checkpoint' ORDER BY c.seq ASC",
        [],
        ANCHOR_PARTITION,
      )
    ).map(checkpointOf);
  }

  /**
   * The anchor's next checkpoint, after the case's own batch. Losing the race for a number is
   * retried; if the anchor cannot be written at all, the case's write still stands (it is
   * whole and sealed) and the next write of the case, or `audit anchor`, anchors it.
   */
  async append(head: Head): Promise<boolean> {
    try {
      // The newest checkpoint this handle knows of, then forward by point reads: the anchor's
      // one query (the newest of them all) runs once per handle, not once per write.
      let latest = this.last ?? (await this.newest());
      for (let attempt = 0; attempt < SEQUENCE_ATTEMPTS; attempt++) {
        const c = nextCheckpoint(this.auditKey, latest, head);
        const made = await createUnlessExists(this.container, {
          id: checkpointId(c.seq),
          chain: ANCHOR_PARTITION,
          type: 'checkpoint',
          ...c,
        });
        if (made) {
          this.last = c;
          return true;
        }
        // Another writer took that number: step on to the newest there is.
        for (;;) {
          const ahead = await readItem<Checkpoint>(
            this.container,
            checkpointId((latest?.seq ?? 0) + 1),
            ANCHOR_PARTITION,
          );
          if (!ahead) break;
          latest = checkpointOf(ahead);
        }
        if (attempt > 2) await pause(5 + Math.random() * (10 + attempt * 5));
      }
    } catch {
      // The case's write stands; its next write, or `audit anchor`, anchors it.
    }
    return false;
  }

  private async newest(): Promise<Checkpoint | undefined> {
    const [newest] = await queryItems<Checkpoint>(
      this.container,
      "SELECT TOP 1 * FROM c WHERE c.type = 'checkpoint' ORDER BY c.seq DESC",
      [],
      ANCHOR_PARTITION,
    );
    return newest ? checkpointOf(newest) : undefined;
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
