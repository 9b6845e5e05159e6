/**
 * The documents a role holder of a case can ask for: the case record (with or without the
 * adult's details) and the board's own forms, as PDF or Word. Each is built from the record when
 * asked, sent privately by the platform, and its issue recorded on the case's timeline.
 */
import type { Directory } from '../../domain/directory';
import type { Actor, Refusal } from '../../domain/escalation';
import type { CaseService } from '../case-service';
import { isRoleHolder } from '../people';
import type { CaseRepository } from '../store/repository';
import { caseRecordDocument } from './case-record';
import { fillForm, formDocument, formsFor, type FormId } from './forms';
import { toDocx, toPdf } from './render';

export type DocumentKind = 'case-record' | 'case-record-with-details' | FormId;
export type DocumentFormat = 'pdf' | 'docx';

export interface DocumentChoice {
  kind: DocumentKind;
  label: string;
  /** Whether it names the adult (and so needs their details on the case). */
  personal: boolean;
}

export interface IssuedDocument {
  fileName: string;
  contentType: string;
  bytes: Buffer;
  title: string;
}

const CONTENT_TYPES: Record<DocumentFormat, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

export class DocumentService {
  constructor(
    private readonly repo: CaseRepository,
    private readonly service: CaseService,
    private readonly directory: Directory,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** What the case offers: its record, and its board's forms. */
  async choices(reference: string): Promise<DocumentChoice[]> {
    const stored = await this.repo.getCase(reference);
    if (!stored) return [];
    const forms = formsFor(stored.state.procedure).map((id) => ({
      kind: id,
      label: stored.state.procedure.forms.find((f) => f.id === id)?.title ?? id,
      personal: true,
    }));
    return [
      { kind: 'case-record', label: 'Case record (the adult by initials only)', personal: false },
      { kind: 'case-record-with-details', label: 'Case record naming the adult', personal: true },
      ...forms,
    ];
  }

  /** Build a document for a role holder of the case, and record that it was issued. */
  async issue(
    reference: string,
    requester: Actor,
    kind: DocumentKind,
    format: DocumentFormat,
    options: { record?: boolean } = {},
  ): Promise<{ ok: true; document: IssuedDocument } | { ok: false; refusal: Refusal }> {
    const stored = await this.repo.getCase(reference);
    if (!stored) return { ok: false, refusal: { code: 'invalid-input', message: `There is no case ${reference}.` } };
    if (!isRoleHolder(stored.state, requester, this.directory))
      return {
        ok: false,
        refusal: { code: 'not-a-party', message: `Only the role holders of case ${reference} can have its documents.` },
      };
    const choice = (await this.choices(reference)).find((c) => c.kind === kind);
    if (!choice)
      return {
        ok: false,
        refusal: {
          code: 'invalid-input',
          message: `Case ${reference} has no such document; choose one from the list.`,
        },
      };
    let details;
    if (choice.personal) {
      const opened = await this.service.personalDetails(reference, requester, this.directory);
      if (!opened.ok) {
        const none = opened.refusal.message.startsWith('No details');
        return {
          ok: false,
          refusal: none
            ? {
                code: 'invalid-input',
                message: `The adult's details have not been given for case ${reference} yet. Add them (privately, with "Add the adult's details"), then ask again.`,
                fields: { name: 'Needed for this document.' },
              }
            : opened.refusal,
        };
      }
      details = opened.details;
    }
    const events = (await this.repo.getEvents(reference)).map((e) => e.event);
    const now = this.clock();
    const doc =
      kind === 'case-record' || kind === 'case-record-with-details'
        ? caseRecordDocument(
            stored.state,
            events,
            this.directory,
            now,
            kind === 'case-record-with-details' ? details : undefined,
          )
        : formDocument(fillForm(kind, stored.state, events, details, this.directory, now), stored.state);
    const bytes = format === 'pdf' ? await toPdf(doc) : await toDocx(doc);
    // Recorded when asked for; a platform that hands the file over later builds it again unrecorded.
    if (options.record ?? true)
      await this.service.recordDocumentIssued(reference, requester, kind, format, choice.personal);
    return {
      ok: true,
      document: { fileName: `${doc.fileStem}.${format}`, contentType: CONTENT_TYPES[format], bytes, title: doc.title },
    };
  }
}
