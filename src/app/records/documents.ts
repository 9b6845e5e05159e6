/**
 * The documents a role holder of a case can ask for: the case record (with or without the
 * adult's details) and the board's own forms, as PDF or Word. Each is built from the record when
 * asked, sent privately by the platform, its issue recorded on the case's timeline and in the
 * access log. Only those who may see the case (src/app/access.ts) get its list or its documents.
 */
import type { Directory } from '../../domain/directory';
import type { Actor, CaseState, Refusal } from '../../domain/escalation';
import { CaseAccess, type Platform } from '../access';
import type { CaseService } from '../case-service';
import type { CaseRepository, StoredCase } from '../store/repository';
import { caseRecordDocument } from './case-record';
import { completionFor, fillForm, formDocument, formsFor, LEFT_OUT } from './forms';
import type * as Render from './render';

/** The PDF and Word writers (pdfkit, docx), loaded the first time a document is built, not at start. */
function render(): typeof Render {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./render') as typeof Render;
}

/** 'case-record', 'case-record-with-details', or a form's id (FormId) from the board's file. */
export type DocumentKind = string;
export type DocumentFormat = 'pdf' | 'docx';

export interface DocumentChoice {
  kind: DocumentKind;
  label: string;
  /** Whether it names the adult (and so needs their details on the case). */
  personal: boolean;
}

/** What was built, as its issue is recorded. */
export interface Issued {
  kind: DocumentKind;
  format: DocumentFormat;
  /** Whether it names the adult. */
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

/** How an issued document is named in the access log. */
export function accessName(kind: DocumentKind): string {
  return kind === 'case-record' || kind === 'case-record-with-details' ? kind : `form:${kind}`;
}

export class DocumentService {
  private readonly access: CaseAccess;

  constructor(
    private readonly repo: CaseRepository,
    private readonly service: CaseService,
    private readonly directory: Directory,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.access = new CaseAccess(repo, directory, clock);
  }

  /** What a case offers someone who may see it: its record, and its board's forms. */
  async choices(
    reference: string,
    requester: Actor,
    platform?: Platform,
  ): Promise<{ ok: true; case: StoredCase; choices: DocumentChoice[] } | { ok: false; refusal: Refusal }> {
    const opened = await this.access.open(reference, requester, {
      action: 'documents',
      ...(platform ? { platform } : {}),
    });
    return opened.ok ? { ok: true, case: opened.case, choices: choicesFor(opened.case.state) } : opened;
  }

  /** Build a document for a role holder of the case, and record that it was issued (and who read it). */
  async issue(
    reference: string,
    requester: Actor,
    kind: DocumentKind,
    format: DocumentFormat,
    options: { record?: boolean; platform?: Platform; deliver?: Platform } = {},
  ): Promise<{ ok: true; document: IssuedDocument } | { ok: false; refusal: Refusal }> {
    const built = await this.build(reference, requester, kind, format, options);
    if (!built.ok) return built;
    // Recorded (and its readings logged) when asked for; a platform that hands the file over later
    // builds it again, unrecorded and unlogged: one request, one reading in the access log.
    if (options.record ?? true) await this.recordIssued(reference, requester, built.issued, options);
    return { ok: true, document: built.document };
  }

  /**
   * Build a document, recording nothing: for a role holder of the case (the read policy), or,
   * with `operator`, for whoever holds the store (the command line). `leaveOutDetails` makes a
   * board's form without the adult's name, date of birth and address, its fields saying so.
   */
  async build(
    reference: string,
    requester: Actor,
    kind: DocumentKind,
    format: DocumentFormat,
    options: { platform?: Platform; operator?: boolean; leaveOutDetails?: boolean } = {},
  ): Promise<
    { ok: true; document: IssuedDocument; issued: Issued; case: StoredCase } | { ok: false; refusal: Refusal }
  > {
    const { platform } = options;
    let stored: StoredCase | undefined;
    if (options.operator) stored = await this.repo.getCase(reference);
    else {
      const opened = await this.access.open(reference, requester, {
        action: 'document',
        ...(platform ? { platform } : {}),
      });
      if (!opened.ok) return opened;
      stored = opened.case;
    }
    if (!stored) return { ok: false, refusal: { code: 'invalid-input', message: `There is no case ${reference}.` } };
    const choice = choicesFor(stored.state).find((c) => c.kind === kind);
    if (!choice)
      return {
        ok: false,
        refusal: {
          code: 'invalid-input',
          message: `Case ${reference} has no such document; choose one from the list.`,
        },
      };
    const personal = choice.personal && !(options.leaveOutDetails && kind !== 'case-record-with-details');
    let details;
    if (personal) {
      const unsealed = await this.service.personalDetails(reference, requester, this.directory, platform, {
        logged: false,
      });
      if (!unsealed.ok) {
        const none = unsealed.refusal.message.startsWith('No details');
        return {
          ok: false,
          refusal: none
            ? {
                code: 'invalid-input',
                message: `The adult's details have not been given for case ${reference} yet. Add them (privately, with "Add the adult's details"), then ask again.`,
                fields: { name: 'Needed for this document.' },
              }
            : unsealed.refusal,
        };
      }
      details = unsealed.details;
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
        : formDocument(
            fillForm(
              kind,
              stored.state,
              events,
              personal ? details : LEFT_OUT,
              this.directory,
              now,
              completionFor(events, kind, requester.agencyId),
            ),
            stored.state,
            personal,
          );
    const { toDocx, toPdf } = render();
    const bytes = format === 'pdf' ? await toPdf(doc) : await toDocx(doc);
    return {
      ok: true,
      case: stored,
      issued: { kind, format, personal },
      document: { fileName: `${doc.fileStem}.${format}`, contentType: CONTENT_TYPES[format], bytes, title: doc.title },
    };
  }

  /**
   * Record that a document built for `requester` was issued: on the case's timeline, and in the
   * access log (the adult's details opened, if it names them, and the document itself).
   */
  async recordIssued(
    reference: string,
    requester: Actor,
    issued: Issued,
    options: { platform?: Platform | 'cli'; deliver?: Platform } = {},
  ): Promise<void> {
    const { platform } = options;
    if (issued.personal) await this.access.read(reference, requester, 'personal-details', platform);
    await this.service.recordDocumentIssued(
      reference,
      requester,
      issued.kind,
      issued.format,
      issued.personal,
      options.deliver,
    );
    await this.access.read(reference, requester, accessName(issued.kind), platform);
  }
}

/** A completed form, built for one of its recipients, and whether it names the adult. */
export interface CompletedFormDocument {
  document: IssuedDocument;
  personal: boolean;
  /** The form's title, and the name of the stage it was completed for, for the message that carries it. */
  title: string;
  stageName: string;
  completedBy: string;
}

/**
 * Build a completed form (the completion recorded as event number `completion`) for one of its
 * recipients, as a PDF. It names the adult only for a recipient entitled to the details (someone
 * who may see the case, the details given and not erased); that opening is in the access log.
 * Anyone else (an email contact not in the directory) gets the copy without them.
 */
export async function completedFormFor(
  repo: CaseRepository,
  service: CaseService,
  directory: Directory,
  reference: string,
  payload: Record<string, unknown>,
  recipient: Actor | undefined,
  now: Date,
  platform?: Platform,
): Promise<CompletedFormDocument | undefined> {
  const stored = await repo.getCase(reference);
  if (!stored) return undefined;
  const events = (await repo.getEvents(reference)).map((e) => e.event);
  const formId = typeof payload.form === 'string' ? payload.form : '';
  const at = typeof payload.completion === 'number' ? payload.completion : 0;
  const event = events[at - 1];
  if (!event || event.type !== 'form-completed' || event.form !== formId) return undefined;
  const access = new CaseAccess(repo, directory, () => now);
  let details;
  if (recipient && access.may(stored.state, recipient) && !stored.state.personalDataErasedAt) {
    const unsealed = await service.personalDetails(reference, recipient, directory, platform, { logged: true });
    if (unsealed.ok) details = unsealed.details;
  }
  const personal = Boolean(details);
  const filled = fillForm(formId, stored.state, events.slice(0, at), personal ? details : LEFT_OUT, directory, now, {
    answers: event.answers,
    event,
  });
  const doc = formDocument(filled, stored.state, personal);
  const bytes = await render().toPdf(doc);
  if (recipient && personal) await access.read(reference, recipient, accessName(formId), platform);
  return {
    document: { fileName: `${doc.fileStem}.pdf`, contentType: CONTENT_TYPES.pdf, bytes, title: doc.title },
    personal,
    title: filled.title,
    stageName: stored.state.procedure.stages.find((s) => s.id === event.stage)?.name ?? event.stage,
    completedBy: directory.people.find((p) => p.id === event.by.personId)?.name ?? event.by.personId,
  };
}

/** What a case offers: its record, and its board's forms. */
export function choicesFor(state: CaseState): DocumentChoice[] {
  const forms = formsFor(state.procedure).map((id) => ({
    kind: id,
    label: state.procedure.forms.find((f) => f.id === id)?.title ?? id,
    personal: true,
  }));
  return [
    { kind: 'case-record', label: 'Case record (the adult by initials only)', personal: false },
    { kind: 'case-record-with-details', label: 'Case record naming the adult', personal: true },
    ...forms,
  ];
}
