/**
 * The email port: a completed form sent by email to a form's contacts (the board's business
 * unit), when SMTP is set up (src/channels/email/smtp.ts). The words never carry the adult's
 * details; the attached form names the adult only for a recipient entitled to them.
 */
export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  attachments: MailAttachment[];
  /** Stable for one outbox item, so a resend after a crash can be recognised by the receiver. */
  messageId: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<{ messageId?: string; accepted: string[] }>;
  close?(): void;
}
