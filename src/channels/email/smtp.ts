/**
 * Email by SMTP (nodemailer): completed forms sent to the forms' contacts, from the outbox. One
 * transport for the replica, pooled; a message the server does not accept is an error, so the
 * outbox tries it again with backoff, and says so on the case's cards after the last attempt.
 */
import type * as Nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Mailer, MailMessage } from '../../app/mail';

export interface SmtpOptions {
  /** smtps://user:password@host:465, or smtp://host:587 (STARTTLS when the server offers it). */
  url: string;
  from: string;
}

export class SmtpMailer implements Mailer {
  /** Made with the first message (nodemailer is loaded then, not at start). */
  private transport?: Transporter;

  constructor(private readonly options: SmtpOptions) {}

  private transporter(): Transporter {
    if (this.transport) return this.transport;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodemailer = require('nodemailer') as typeof Nodemailer;
    // Bounded waits, well inside the outbox's lease, so a server that hangs is tried again rather than twice at once.
    this.transport = nodemailer.createTransport({
      url: this.options.url,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    return this.transport;
  }

  async send(message: MailMessage): Promise<{ messageId?: string; accepted: string[] }> {
    const transport = this.transporter();
    const info = (await transport.sendMail({
      from: this.options.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      messageId: message.messageId,
      attachments: message.attachments.map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        content: a.content,
      })),
    })) as { messageId?: string; accepted?: Array<string | { address: string }>; rejected?: unknown[] };
    const accepted = (info.accepted ?? []).map((a) => (typeof a === 'string' ? a : a.address));
    if (!accepted.length) throw new Error('The email server did not accept the message');
    return { accepted, ...(info.messageId ? { messageId: info.messageId } : {}) };
  }

  close(): void {
    this.transport?.close();
  }
}
