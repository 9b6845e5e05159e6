/**
 * A chat platform that records instead of sending: what each person was told 1:1 (with the key
 * the message carries) and the lines said in a case's threads. For tests of the sweeper and the
 * delivery worker; everything else an outlet does succeeds and does nothing.
 */
import type { Outlet, Reached } from '../../src/app/outlet';
import type { Notice } from '../../src/app/notify';
import type { StoredCase, ThreadReference } from '../../src/app/store/repository';
import type { Platform } from '../../src/domain/directory';

export class RecordingOutlet implements Outlet {
  told: Array<{ person: string; text: string; key?: string; reference: string }> = [];
  said: Array<{ reference: string; text: string; key?: string }> = [];

  constructor(readonly platform: Platform = 'teams') {}

  tell(notice: Notice, stored: StoredCase): Promise<Reached | undefined> {
    this.told.push({
      person: notice.person.id,
      text: notice.text,
      reference: stored.reference,
      ...(notice.key ? { key: notice.key } : {}),
    });
    return Promise.resolve({});
  }

  say(stored: StoredCase, _threads: readonly ThreadReference[], text: string, key?: string): Promise<void> {
    this.said.push({ reference: stored.reference, text, ...(key ? { key } : {}) });
    return Promise.resolve();
  }

  openThread(): Promise<Record<string, unknown>> {
    return Promise.resolve({});
  }

  updateThreads(): Promise<void> {
    return Promise.resolve();
  }

  updateMessage(): Promise<void> {
    return Promise.resolve();
  }
}
