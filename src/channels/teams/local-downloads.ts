/**
 * Documents in the local trial: the local Teams client (the Agents Playground) has no file
 * consent card and no OneDrive, so in local mode the bot offers each document asked for as a
 * download link instead, at GET /local/document?key=…, on this computer only (the bot listens on
 * loopback in development). Each link is a long random key that works for 30 minutes; nothing is
 * written to disk. Never served outside local mode.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IssuedDocument } from '../../app/records/documents';
import { sendError } from '../../http/server';

export const LOCAL_DOCUMENT_PATH = '/local/document';
const KEEP_MS = 30 * 60_000;

export class LocalDownloads {
  private readonly files = new Map<string, { document: IssuedDocument; until: number }>();
  /** Where the bot listens, for the link (set once it does). */
  base = 'http://127.0.0.1:3978';

  constructor(private readonly now: () => number = Date.now) {}

  /** The link a document can be downloaded from for the next 30 minutes. */
  offer(document: IssuedDocument): string {
    this.forgetOld();
    const key = randomBytes(24).toString('base64url');
    this.files.set(key, { document, until: this.now() + KEEP_MS });
    return `${this.base}${LOCAL_DOCUMENT_PATH}?key=${key}`;
  }

  readonly handler = (req: IncomingMessage, res: ServerResponse): void => {
    this.forgetOld();
    const key = new URL(req.url ?? '/', 'http://local').searchParams.get('key') ?? '';
    const found = this.files.get(key);
    if (!found)
      return sendError(
        res,
        404,
        'This download has expired or does not exist. Ask for the document again from the case card.',
      );
    const { document } = found;
    res.writeHead(200, {
      'content-type': document.contentType,
      'content-length': String(document.bytes.length),
      'content-disposition': `attachment; filename="${document.fileName.replace(/[^\w.-]/g, '_')}"`,
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : document.bytes);
  };

  private forgetOld(): void {
    const now = this.now();
    for (const [key, file] of this.files) if (file.until <= now) this.files.delete(key);
  }
}
