/**
 * What every part of the Teams bot shares: its dependencies, who is acting in a turn, the two
 * answers a card click can have (a message or a card) and a busy store reported.
 */
import type { AdaptiveCardInvokeResponse, TurnContext } from 'botbuilder';
import type { CaseService } from '../../app/case-service';
import type { DocumentService } from '../../app/records/documents';
import { busyWords } from '../../app/store/busy';
import type { CaseRepository } from '../../app/store/repository';
import type { Directory, Person } from '../../domain/directory';
import type { Actor } from '../../domain/escalation';
import type { Procedure } from '../../domain/procedure';
import type { PersonResolver } from '../../app/directory/identity';
import type { DirectoryCommands } from '../../app/directory/commands';
import { actorFor, activityTenant, memberOf, NOT_IN_DIRECTORY, personByAadId } from './identity';
import type { LocalDownloads } from './local-downloads';
import type { TeamsOutlet } from './outlet';

export interface TeamsBotDeps {
  report?: (message: string, fields: Record<string, unknown>) => void;
  /**
   * A local client (the Agents Playground) that cannot open conversations: the card stays in the
   * conversation the case was raised from and nobody is messaged 1:1.
   */
  localClient?: boolean;
  /** In local mode, documents are offered as download links (the local client cannot take files). */
  downloads?: LocalDownloads;
  service: CaseService;
  repo: CaseRepository;
  documents: DocumentService;
  outlet: TeamsOutlet;
  /** Wake the delivery worker (work was just left in the outbox). */
  owed?: () => void;
  procedures: ReadonlyMap<string, Procedure>;
  directory: Directory;
  /** Who a user is, learning those not in the directory yet from Teams (the member lookup). */
  identity?: PersonResolver;
  /** roles, assign, remove, away, back (in the personal chat, or mentioning the bot). */
  directoryCommands?: DirectoryCommands;
  clock: () => Date;
}

export type Who = { person: Person; actor: Actor };

/**
 * The person behind a turn, and who they are to the rules today: known, or learned from Teams
 * through the resolver; otherwise the words that say why not.
 */
export async function whoIs(deps: TeamsBotDeps, context: TurnContext): Promise<{ who?: Who; words: string }> {
  const aad = context.activity.from?.aadObjectId;
  const as = (person: Person): { who: Who; words: string } => ({
    who: { person, actor: actorFor(deps.directory, person, deps.clock()) },
    words: '',
  });
  if (!deps.identity) {
    const person = personByAadId(deps.directory, aad);
    return person ? as(person) : { words: NOT_IN_DIRECTORY };
  }
  // The local Agents Playground speaks for a tenant of its own, not the agency's: not checked there.
  const tenant = deps.localClient ? undefined : activityTenant(context);
  const found = await deps.identity.teams(aad, tenant, (signal) => memberOf(context, signal));
  return 'person' in found ? as(found.person) : { words: found.refused };
}

export function reportBusy(deps: TeamsBotDeps, error: unknown): void {
  deps.report?.('The store was busy', { error: error instanceof Error ? error.message : String(error) });
}

/** After a change is stored, a busy store is reported and the answer goes on; anything else is thrown. */
export function unlessBusy(deps: TeamsBotDeps, error: unknown): void {
  if (!busyWords(error)) throw error;
  reportBusy(deps, error);
}

/** The busy words for a busy store (reported), else the error thrown on. */
export function busyAnswer(deps: TeamsBotDeps, error: unknown): string {
  const text = busyWords(error);
  if (!text) throw error;
  reportBusy(deps, error);
  return text;
}

export function message(text: string): AdaptiveCardInvokeResponse {
  return {
    statusCode: 200,
    type: 'application/vnd.microsoft.activity.message',
    value: text as unknown as Record<string, unknown>,
  };
}

export function card(value: Record<string, unknown>): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value };
}
