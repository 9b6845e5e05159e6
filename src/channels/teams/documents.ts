/**
 * Documents from Teams, sent privately: the documents card, the document sent to the person's own
 * chat with the bot as a file to accept (a file consent card), and, accepted, its upload to their
 * OneDrive. Nothing is posted in the case thread.
 */
import type { AdaptiveCardInvokeResponse, FileConsentCardResponse, TurnContext } from 'botbuilder';
import { choicesFor, type DocumentFormat, type DocumentKind } from '../../app/records/documents';
import type { StoredCase } from '../../app/store/repository';
import { cardTemplate } from './stage-card';
import { card, message, whoIs, type TeamsBotDeps, type Who } from './turns';

/** How long OneDrive may take to take a document before the person is told it was not saved. */
const UPLOAD_TIMEOUT_MS = 10_000;

export class TeamsDocuments {
  constructor(private readonly deps: TeamsBotDeps) {}

  /** The documents card: which document, what format, and the adult's details if they are needed. */
  async documentsCard(
    stored: StoredCase,
    values: Record<string, unknown>,
    problem?: string,
  ): Promise<Record<string, unknown>> {
    const detailsGiven = Boolean(await this.deps.repo.readPersonalDetails(stored.reference));
    return cardTemplate('documents').expand({
      $root: {
        reference: stored.reference,
        stage: stored.state.stages.at(-1)?.id ?? '',
        kind: typeof values['documents.kind'] === 'string' ? values['documents.kind'] : 'case-record',
        format: values['documents.format'] === 'docx' ? 'docx' : 'pdf',
        choices: choicesFor(stored.state),
        detailsNote: detailsGiven
          ? "The adult's details are on the case (sealed). Fill these in only to correct them."
          : "The forms and the record naming the adult need the adult's details. Give them here: they are kept sealed and appear only in documents a role holder asks for.",
        ...(problem ? { problem } : {}),
      },
    }) as Record<string, unknown>;
  }

  /**
   * Build the document asked for and send it to the person's own chat with the bot as a file to
   * accept (a file consent card): accepted, it is saved to their OneDrive; nothing is posted in
   * the case thread.
   */
  async sendDocument(stored: StoredCase, who: Who, data: Record<string, unknown>): Promise<AdaptiveCardInvokeResponse> {
    const text = (k: string): string =>
      typeof data[`documents.${k}`] === 'string' ? (data[`documents.${k}`] as string).trim() : '';
    if (text('name') || text('dateOfBirth') || text('address')) {
      if (!text('name'))
        return card(await this.documentsCard(stored, data, "Please give the adult's name with the other details."));
      const saved = await this.deps.service.recordPersonalDetails(
        stored.reference,
        who.actor,
        {
          name: text('name'),
          ...(text('dateOfBirth') ? { dateOfBirth: text('dateOfBirth') } : {}),
          ...(text('address') ? { address: text('address') } : {}),
        },
        this.deps.directory,
        'teams',
      );
      if (!saved.ok)
        return card(
          await this.documentsCard(stored, data, Object.values(saved.refusal.fields ?? {})[0] ?? saved.refusal.message),
        );
    }
    const kind = text('kind') || 'case-record';
    const format: DocumentFormat = text('format') === 'docx' ? 'docx' : 'pdf';
    const issued = await this.deps.documents.issue(stored.reference, who.actor, kind, format, { platform: 'teams' });
    if (!issued.ok) return card(await this.documentsCard(stored, data, issued.refusal.message));
    if (this.deps.downloads) {
      // The local trial: a link to download it on this computer (real Teams saves it to OneDrive).
      const url = this.deps.downloads.offer(issued.document);
      const offered = await this.deps.outlet.deliverTo(
        who.person,
        {
          type: 'message',
          text: `${issued.document.title} for case ${stored.reference}, as you asked: download it from ${url} (on this computer, for the next 30 minutes). In Teams it is saved to your OneDrive instead.`,
        },
        stored.reference,
      );
      return message(
        offered
          ? `${issued.document.title} is in your chat with the bot, as a link to download it.`
          : `Download ${issued.document.title} from ${url} (on this computer, for the next 30 minutes).`,
      );
    }
    const consent = {
      type: 'message',
      text: `${issued.document.title} for case ${stored.reference}, as you asked. Accept it to save it to your OneDrive; it is for your agency's file.`,
      attachments: [
        {
          contentType: 'application/vnd.microsoft.teams.card.file.consent',
          name: issued.document.fileName,
          content: {
            description: issued.document.title,
            sizeInBytes: issued.document.bytes.length,
            acceptContext: { reference: stored.reference, kind, format },
            declineContext: { reference: stored.reference },
          },
        },
      ],
    };
    const reached = await this.deps.outlet.deliverTo(who.person, consent, stored.reference);
    if (!reached)
      return message(
        'The document could not be sent to your chat with the bot. Open a chat with the bot (say hello), then ask again.',
      );
    return message(`${issued.document.title} is on its way to your chat with the bot: accept the file there.`);
  }

  /** The file accepted: built again from the record and uploaded to the person's OneDrive. */
  async accepted(context: TurnContext, response: FileConsentCardResponse): Promise<void> {
    const asked = (response.context ?? {}) as { reference?: string; kind?: DocumentKind; format?: DocumentFormat };
    const { who } = await whoIs(this.deps, context);
    const upload = response.uploadInfo;
    if (!who || typeof asked.reference !== 'string' || typeof asked.kind !== 'string' || !upload?.uploadUrl) {
      await context.sendActivity('That file can no longer be sent. Ask for it again from the case card.');
      return;
    }
    // Built again from the record (its issue was recorded when it was asked for).
    const issued = await this.deps.documents.issue(
      asked.reference,
      who.actor,
      asked.kind,
      asked.format === 'docx' ? 'docx' : 'pdf',
      { record: false, platform: 'teams' },
    );
    if (!issued.ok) {
      await context.sendActivity(issued.refusal.message);
      return;
    }
    const size = issued.document.bytes.length;
    // A refused upload, a network failure or no answer in time all come to the same words.
    const failed = await fetch(upload.uploadUrl, {
      method: 'PUT',
      headers: { 'Content-Length': String(size), 'Content-Range': `bytes 0-${size - 1}/${size}` },
      body: issued.document.bytes,
      signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
    }).then(
      (put) => (put.ok ? undefined : { status: put.status }),
      (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
    );
    if (failed) {
      this.deps.report?.('Could not upload a document to OneDrive', { reference: asked.reference, ...failed });
      await context.sendActivity(
        'The file could not be saved to your OneDrive. Please ask for it again from the case card.',
      );
      return;
    }
    await context.sendActivity({
      attachments: [
        {
          contentType: 'application/vnd.microsoft.teams.card.file.info',
          contentUrl: upload.contentUrl,
          name: upload.name,
          content: { uniqueId: upload.uniqueId, fileType: upload.fileType },
        },
      ],
    });
  }
}
