/**
 * A fake SMTP server on loopback (the smtp-server package): it takes every message, without TLS
 * or a password, and keeps it, with its attachments decoded, for a test to read. `refuse(n)`
 * makes the next n messages fail (a 451), as a server that is briefly unwell does.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  messageId: string;
  text: string;
  attachments: ReceivedAttachment[];
  raw: string;
}

export interface FakeSmtp {
  /** smtp://127.0.0.1:<port>, for SMTP_URL. */
  url: string;
  received: ReceivedMail[];
  refuse(count: number): void;
  close(): Promise<void>;
}

/** Headers of a MIME part (folded lines unfolded), lower-cased names. */
function headersOf(block: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0) map.set(line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim());
  }
  return map;
}

function decode(body: string, encoding: string | undefined): Buffer {
  if (encoding?.toLowerCase() === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64');
  if (encoding?.toLowerCase() === 'quoted-printable')
    return Buffer.from(
      body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    );
  return Buffer.from(body, 'utf8');
}

/** Split a message into its parts (one level of multipart, as nodemailer writes a text with attachments). */
function parse(raw: string): Omit<ReceivedMail, 'from' | 'to' | 'raw'> {
  const split = raw.search(/\r?\n\r?\n/);
  const head = headersOf(raw.slice(0, split));
  const body = raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const type = head.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  const parts = boundary
    ? body
        .split(`--${boundary}`)
        .slice(1)
        .filter((p) => !p.startsWith('--'))
    : [
        `Content-Type: ${type}\r\nContent-Transfer-Encoding: ${head.get('content-transfer-encoding') ?? '7bit'}\r\n\r\n${body}`,
      ];
  let text = '';
  const attachments: ReceivedAttachment[] = [];
  for (const part of parts) {
    const at = part.replace(/^\r?\n/, '').search(/\r?\n\r?\n/);
    const trimmed = part.replace(/^\r?\n/, '');
    const h = headersOf(trimmed.slice(0, at));
    const content = decode(trimmed.slice(at).replace(/^\r?\n\r?\n/, ''), h.get('content-transfer-encoding'));
    const disposition = h.get('content-disposition') ?? '';
    const filename = /filename="?([^";]+)"?/i.exec(disposition)?.[1];
    if (filename)
      attachments.push({ filename, contentType: (h.get('content-type') ?? '').split(';')[0] ?? '', content });
    else if ((h.get('content-type') ?? 'text/plain').startsWith('text/plain')) text += content.toString('utf8');
  }
  return { subject: head.get('subject') ?? '', messageId: head.get('message-id') ?? '', text, attachments };
}

export async function startFakeSmtp(): Promise<FakeSmtp> {
  const received: ReceivedMail[] = [];
  let refusing = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refusing > 0) {
          refusing--;
          const error = new Error('Try again later') as Error & { responseCode: number };
          error.responseCode = 451;
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        received.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw, ...parse(raw) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuse: (count) => {
      refusing = count;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
