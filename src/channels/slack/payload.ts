/**
 * A verified Slack body, parsed and checked for the shape Bolt and the adapter rely on before it
 * is handed to Bolt: a payload that is not an object (`payload=null`, `payload=[]`), a field of
 * the wrong type where Bolt reads into it, is answered 400 with words rather than failing inside.
 */
import { parse as parseQuery } from 'node:querystring';

export type ParsedBody = { ok: true; body: Record<string, unknown> } | { ok: false; message: string };

const NOT_SLACK = 'The request body is not a Slack request.';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const optional = (v: unknown, test: (x: unknown) => boolean): boolean => v === undefined || test(v);
const isString = (v: unknown): boolean => typeof v === 'string';
const objOrNull = (v: unknown): boolean => v === null || isObj(v);
const hasId = (v: unknown): boolean => isObj(v) && typeof v.id === 'string';

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The body as Bolt would parse it (a form, a form's `payload` JSON, or JSON), if it is an object. */
export function parseSlackBody(contentType: string | undefined, raw: Buffer): ParsedBody {
  const text = raw.toString('utf8');
  let body: unknown;
  if (contentType?.split(';', 1)[0]?.trim() === 'application/x-www-form-urlencoded') {
    const form = parseQuery(text);
    if (Object.values(form).some((v) => typeof v !== 'string')) return { ok: false, message: NOT_SLACK };
    body = typeof form.payload === 'string' ? parseJson(form.payload) : { ...form };
  } else body = parseJson(text);
  if (!isObj(body)) return { ok: false, message: NOT_SLACK };
  const problem = shapeProblem(body);
  return problem ? { ok: false, message: `${NOT_SLACK} ${problem}` } : { ok: true, body };
}

function eventProblem(event: unknown): string | undefined {
  if (!isObj(event) || typeof event.type !== 'string') return 'Its event has no type.';
  if (!optional(event.channel, (c) => isString(c) || isObj(c))) return 'Its event names a channel wrongly.';
  if (!optional(event.user, (u) => isString(u) || isObj(u))) return 'Its event names a person wrongly.';
  if (!optional(event.item, isObj) || !optional(event.subteam, isObj)) return 'Its event is malformed.';
  return undefined;
}

function interactionProblem(body: Obj): string | undefined {
  if (!hasId(body.user)) return 'It does not say who acted.';
  if (!optional(body.team, objOrNull) || !optional(body.enterprise, objOrNull)) return 'Its workspace is malformed.';
  if (!optional(body.channel, isObj)) return 'Its channel is malformed.';
  if (!optional(body.container, isObj)) return 'Its container is malformed.';
  if (!optional(body.trigger_id, isString) || !optional(body.response_url, isString)) return 'It is malformed.';
  if (
    !optional(
      body.response_urls,
      (r) => Array.isArray(r) && r.every((u) => isObj(u) && typeof u.response_url === 'string'),
    )
  )
    return 'It is malformed.';
  return undefined;
}

function actionsProblem(body: Obj): string | undefined {
  const { actions } = body;
  if (!Array.isArray(actions) || actions.length === 0) return 'It has no actions.';
  if (!actions.every((a) => isObj(a) && typeof a.action_id === 'string' && typeof a.type === 'string'))
    return 'Its actions are malformed.';
  if (!actions.every((a) => optional((a as Obj).value, isString) && optional((a as Obj).block_id, isString)))
    return 'Its actions are malformed.';
  if (body.type === 'block_actions' && !isObj(body.container)) return 'It does not say where the click was.';
  return undefined;
}

function viewProblem(body: Obj): string | undefined {
  const { view } = body;
  if (!isObj(view) || typeof view.callback_id !== 'string') return 'Its form has no name.';
  if (!optional(view.id, isString) || !optional(view.private_metadata, isString)) return 'Its form is malformed.';
  if (!optional(view.app_installed_team_id, isString)) return 'Its form is malformed.';
  const state = view.state;
  if (body.type === 'view_submission' || state !== undefined) {
    if (!isObj(state) || !isObj(state.values)) return 'Its answers are missing.';
    for (const block of Object.values(state.values))
      if (!isObj(block) || !Object.values(block).every(isObj)) return 'Its answers are malformed.';
  }
  return undefined;
}

/** Slack's workspace and organisation ids (T…, E…): Bolt keys its client pools by them, so `__proto__` is no id. */
const SLACK_ID = /^[A-Z0-9]{1,32}$/;

function idsProblem(body: Obj): string | undefined {
  const sub = (v: unknown, k: string): unknown => (isObj(v) ? v[k] : undefined);
  const first = Array.isArray(body.authorizations) ? (body.authorizations[0] as unknown) : undefined;
  const ids = [
    body.team_id,
    body.enterprise_id,
    sub(body.team, 'id'),
    sub(body.team, 'enterprise_id'),
    sub(body.enterprise, 'id'),
    sub(body.user, 'team_id'),
    sub(body.view, 'app_installed_team_id'),
    sub(first, 'team_id'),
    sub(first, 'enterprise_id'),
  ];
  return ids.every((id) => id === undefined || id === null || (typeof id === 'string' && SLACK_ID.test(id)))
    ? undefined
    : 'Its workspace is not one Slack would name.';
}

/** What is wrong with a parsed body's shape, in words, or undefined when Bolt can take it. */
export function shapeProblem(body: Obj): string | undefined {
  if (!optional(body.type, isString)) return 'Its type is not a word.';
  const ids = idsProblem(body);
  if (ids) return ids;
  if (body.event !== undefined) {
    if (!optional(body.authorizations, (a) => Array.isArray(a) && a.every(isObj))) return 'It is malformed.';
    return eventProblem(body.event);
  }
  if (body.command !== undefined) {
    if (typeof body.command !== 'string' || typeof body.user_id !== 'string') return 'Its command is malformed.';
    for (const k of ['text', 'channel_id', 'team_id', 'trigger_id', 'response_url'])
      if (!optional(body[k], isString)) return 'Its command is malformed.';
    return undefined;
  }
  const options = body.name !== undefined || body.type === 'block_suggestion';
  const action = body.actions !== undefined || body.type === 'dialog_submission';
  const view = body.type === 'view_submission' || body.type === 'view_closed';
  const shortcut = body.type === 'shortcut' || body.type === 'message_action';
  if (!options && !action && !view && !shortcut) return undefined; // Bolt takes no listener for it: acknowledged.
  const general = interactionProblem(body);
  if (general) return general;
  if (action && !options && body.actions !== undefined) return actionsProblem(body);
  if (view) return viewProblem(body);
  return undefined;
}
