/**
 * Reading a request's body with a limit: a declared Content-Length above the limit is refused
 * before a byte is read, and the bytes are counted as they arrive (a body without a length, or
 * one longer than it said, is cut off at the limit). Nothing is buffered beyond the limit.
 */
import type { IncomingMessage } from 'node:http';

export class BodyError extends Error {
  constructor(
    readonly status: 400 | 408 | 413,
    message: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

export const TOO_LARGE = 'The request is larger than this service accepts.';

/** The declared length, if any and well formed; a malformed one is a 400. */
export function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  if (header === undefined) return undefined;
  if (!/^\d{1,15}$/.test(header)) throw new BodyError(400, 'The request gives a length that is not a number.');
  return Number(header);
}

/** Refuse at once (before reading) when the declared length is above `limit`. */
export function checkDeclaredLength(req: IncomingMessage, limit: number): void {
  const length = declaredLength(req);
  if (length !== undefined && length > limit) throw new BodyError(413, TOO_LARGE);
}

/** The whole body, at most `limit` bytes; rejects with a BodyError otherwise. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    try {
      checkDeclaredLength(req, limit);
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    let size = 0;
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (error?: Error): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (error) {
        chunks.length = 0;
        // Whatever else arrives is dropped, not kept.
        req.resume();
        reject(error);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) finish(new BodyError(413, TOO_LARGE));
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish();
    const onError = (): void => finish(new BodyError(400, 'The request was cut off before it was complete.'));
    const onAborted = (): void => finish(new BodyError(400, 'The request was cut off before it was complete.'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
