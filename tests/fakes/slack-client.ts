/**
 * Slack's side of the conversation, as Slack sends it: signed form bodies for /slack/events,
 * slash commands, block actions and view submissions for the invented people of the example
 * directory.
 */
import { createHmac } from 'node:crypto';

export const SLACK_SECRET = '8f742231b10e8888abcd99aaaaaa85a5';

export const slackPeople = {
  peter: { id: 'U0LDIO0001', team: 'T0LINCDIO' }, // Diocese of Lincoln, practitioner
  helen: { id: 'U0LDIO0002', team: 'T0LINCDIO' }, // Diocese of Lincoln, line manager
  megan: { id: 'U0LHWL0001', team: 'T0LINCHWL' }, // HealthWatch Lincolnshire, practitioner (another workspace)
  owen: { id: 'U0LHWL0002', team: 'T0LINCHWL' }, // HealthWatch Lincolnshire, line manager
  stranger: { id: 'U0NOBODY01', team: 'T0LINCDIO' },
};

export type SlackUser = { id: string; team: string };

export function slackSignature(body: string, timestamp: number, secret = SLACK_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SlackPostOptions {
  timestamp?: number;
  secret?: string;
  retry?: number;
  headers?: Record<string, string>;
}

export interface SlackAnswer {
  status: number;
  text: string;
  json: Record<string, unknown> | undefined;
  ms: number;
}

/** POST a signed body to /slack/events. */
export async function slackPost(url: string, body: string, options: SlackPostOptions = {}): Promise<SlackAnswer> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const started = Date.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(body, timestamp, options.secret),
      ...(options.retry ? { 'x-slack-retry-num': String(options.retry), 'x-slack-retry-reason': 'http_timeout' } : {}),
      ...options.headers,
    },
    body,
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json, ms: Date.now() - started };
}

/** `/escalate` from `user`; a trigger id of its own where many are sent in the same millisecond. */
export function slashCommand(user: SlackUser, text = '', triggerId = `trigger-${Date.now()}`): string {
  return new URLSearchParams({
    command: '/escalate',
    text,
    user_id: user.id,
    team_id: user.team,
    channel_id: 'CGENERAL',
    trigger_id: triggerId,
    response_url: 'http://127.0.0.1:9/unused',
    token: 'legacy',
    api_app_id: 'A1',
  }).toString();
}

/** An Events API callback (JSON: post it with content-type application/json) carrying `event`. */
export function eventCallback(user: SlackUser, event: Record<string, unknown>): string {
  return JSON.stringify({
    token: 'legacy',
    team_id: user.team,
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: `Ev${Date.now()}${Math.floor(Math.random() * 1e6)}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: user.team, user_id: 'UBOT', is_bot: true }],
    event,
  });
}

/** A direct message from `user` to the bot (message.im). */
export function directMessage(user: SlackUser, text: string): string {
  return eventCallback(user, {
    type: 'message',
    channel_type: 'im',
    channel: `D${user.id}`,
    user: user.id,
    text,
    ts: `${Date.now() / 1000}`,
    event_ts: `${Date.now() / 1000}`,
  });
}

/** `user` opens the bot's App Home on a tab. */
export function appHomeOpened(user: SlackUser, tab: 'home' | 'messages' = 'home'): string {
  return eventCallback(user, {
    type: 'app_home_opened',
    user: user.id,
    channel: `D${user.id}`,
    tab,
    event_ts: `${Date.now() / 1000}`,
  });
}

export function interaction(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export type ViewValues = Record<
  string,
  Record<string, { type: string; value?: string; selected_option?: { value: string }; selected_date?: string }>
>;

export function viewSubmission(
  user: SlackUser,
  view: { id: string; callback_id: string; private_metadata?: string; values: ViewValues },
): string {
  return interaction({
    type: 'view_submission',
    team: { id: user.team },
    user: { id: user.id, team_id: user.team },
    api_app_id: 'A1',
    trigger_id: `trigger-${Date.now()}`,
    view: {
      id: view.id,
      type: 'modal',
      callback_id: view.callback_id,
      private_metadata: view.private_metadata ?? '',
      hash: 'h',
      state: { values: view.values },
      team_id: user.team,
      app_id: 'A1',
      bot_id: 'BBOT',
    },
  });
}

/** A click on a stage card's button (`case:<verb>`), or on any action id given whole. */
export function blockAction(
  user: SlackUser,
  actionId: string,
  value: string,
  where: { channel: string; ts: string },
): string {
  return interaction({
    type: 'block_actions',
    team: { id: user.team },
    user: { id: user.id, team_id: user.team },
    api_app_id: 'A1',
    trigger_id: `trigger-${actionId}-${Date.now()}`,
    container: { type: 'message', channel_id: where.channel, message_ts: where.ts, is_ephemeral: false },
    channel: { id: where.channel },
    message: { ts: where.ts, type: 'message' },
    actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: '1' }],
  });
}

export function cardClick(
  user: SlackUser,
  verb: string,
  reference: string,
  stage: string,
  where: { channel: string; ts: string },
): string {
  return blockAction(user, `case:${verb}`, JSON.stringify({ reference, stage }), where);
}

export const textInput = (v: string): { type: string; value: string } => ({ type: 'plain_text_input', value: v });
export const choiceInput = (v: string): { type: string; selected_option: { value: string } } => ({
  type: 'static_select',
  selected_option: { value: v },
});

/** The raising form's answers (Diocese of Lincoln → HealthWatch Lincolnshire), with any changed. */
export function raiseFormValues(overrides: Partial<Record<string, string>> = {}): ViewValues {
  const v = {
    respondingAgency: 'healthwatch-lincolnshire',
    counterpartEmail: 'megan.hart@healthwatch.lincolnshire.example.org',
    initials: 'R T',
    recordRaising: 'DIO-991',
    recordResponding: '',
    category: 'case-closure',
    summary: 'HealthWatch closed the concern about the care home although the adult still reports rough handling.',
    outcomeWanted: 'Reopen the concern and share it with the local authority.',
    safetyMeanwhile: 'The chaplain visits twice a week; the home manager is aware.',
    ...overrides,
  };
  return Object.fromEntries(
    Object.entries(v).map(([k, val]) => [
      k,
      { value: k === 'respondingAgency' || k === 'category' ? choiceInput(val ?? '') : textInput(val ?? '') },
    ]),
  );
}
