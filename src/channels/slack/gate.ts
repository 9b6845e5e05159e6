/**
 * Slack's gate, in front of Bolt: a request to /slack/events must carry Slack's signature and a
 * timestamp that is neither stale (over five minutes old) nor more than a minute ahead; that is
 * checked from the headers before any of the body is read. The body is then read with a small
 * limit, its HMAC checked here (timing-safe), and a signature already seen inside its window
 * (a replay) is acknowledged and ignored, through the store so that every replica knows.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Slack's form posts (commands, clicks, forms) are a few KB; events rarely pass 100 KB. */
export const SLACK_BODY_LIMIT = 256 * 1024;
/** Slack's own window: older requests are refused (Bolt refuses them too). */
export const MAX_AGE_SECONDS = 5 * 60;
/** How far ahead of this machine's clock a request's timestamp may be. */
export const MAX_AHEAD_SECONDS = 60;
/** An unsigned request can only be Slack's SSL check (`ssl_check=1&token=…`), which is tiny. */
export const UNSIGNED_LIMIT = 1024;

export const NOT_SIGNED = 'This request is not signed by Slack.';
export const TOO_OLD = 'This request is too old (or its clock is wrong); it was not accepted.';
export const AHEAD = 'This request is dated in the future; it was not accepted.';

export type HeaderCheck =
  { ok: true; timestamp: number; signature: string } | { ok: false; unsigned: boolean; message: string };

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return typeof v === 'string' ? v : undefined;
}

/** The signature headers, checked before the body is read; `nowSeconds` is this machine's clock. */
export function checkSlackHeaders(headers: IncomingHttpHeaders, nowSeconds: number): HeaderCheck {
  const signature = single(headers, 'x-slack-signature');
  const stamp = single(headers, 'x-slack-request-timestamp');
  if (signature === undefined && stamp === undefined) return { ok: false, unsigned: true, message: NOT_SIGNED };
  if (!signature || !/^v0=[0-9a-f]{64}$/.test(signature) || !stamp || !/^\d{1,12}$/.test(stamp))
    return { ok: false, unsigned: false, message: NOT_SIGNED };
  const timestamp = Number(stamp);
  if (timestamp < nowSeconds - MAX_AGE_SECONDS) return { ok: false, unsigned: false, message: TOO_OLD };
  if (timestamp > nowSeconds + MAX_AHEAD_SECONDS) return { ok: false, unsigned: false, message: AHEAD };
  return { ok: true, timestamp, signature };
}

/** Whether `signature` is Slack's v0 HMAC of the body with the signing secret (compared in constant time). */
export function signatureMatches(secret: string, timestamp: number, body: Buffer, signature: string): boolean {
  const expected = createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest();
  const given = Buffer.from(signature.slice(3), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** An unsigned body that is exactly Slack's SSL check (`ssl_check=1`, perhaps with a token). */
export function isSslCheck(contentType: string | undefined, body: Buffer): boolean {
  if (!contentType?.startsWith('application/x-www-form-urlencoded')) return false;
  const form = new URLSearchParams(body.toString('utf8'));
  return form.get('ssl_check') === '1' && [...form.keys()].every((k) => k === 'ssl_check' || k === 'token');
}
