/**
 * Teams' side: activities as Teams sends them to /api/messages, for the invented people of the
 * example directory (unauthenticated, as the local development mode takes them).
 */
export const teamsPeople = {
  alex: { id: '29:alex', aadObjectId: '9cf6235d-587c-4636-ae0b-07589527f853', name: 'Alex Morgan' },
  priya: { id: '29:priya', aadObjectId: '1070329f-2d4a-49fa-82b6-7f1d2cd87e1b', name: 'Priya Shah' },
  chris: { id: '29:chris', aadObjectId: 'be5872f2-2da6-4ed5-b45d-00fd6347d3f8', name: 'Chris Bennett' },
  fiona: { id: '29:fiona', aadObjectId: '05ae946d-8bac-4621-96fb-9ee8ebf5de3d', name: 'Fiona Walsh' },
  kwame: { id: '29:kwame', aadObjectId: '6f1c2a4e-8d3b-4c5a-9e7f-2b1d0c3a4e5f', name: 'Kwame Asante' },
  // United Lincolnshire Health Trust: party to none of the example cases.
  hannah: { id: '29:hannah', aadObjectId: '13275b82-85e8-4178-a27d-e453b4fec754', name: 'Hannah Price' },
  stranger: { id: '29:nobody', aadObjectId: '00000000-0000-4000-8000-000000000000', name: 'Not In Directory' },
};

export type TeamsUser = { id: string; aadObjectId?: string; name?: string };

let count = 0;

export interface TeamsAnswer {
  status: number;
  body: Record<string, unknown> | undefined;
  text: string;
  ms: number;
}

/** POST one activity from `from`, in their personal chat unless the activity says otherwise. */
export async function sendActivity(
  botUrl: string,
  serviceUrl: string,
  from: TeamsUser,
  activity: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<TeamsAnswer> {
  const started = Date.now();
  const response = await fetch(botUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({
      channelId: 'msteams',
      serviceUrl,
      id: `a${++count}`,
      from,
      recipient: { id: '28:bot', name: 'Escalations' },
      conversation: { id: `personal-${from.id.slice(3)}`, conversationType: 'personal' },
      ...activity,
    }),
  });
  const text = await response.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text, ms: Date.now() - started };
}

/** An Action.Execute click (adaptiveCard/action invoke) with a verb and its data. */
export function executeAction(verb: string, data: Record<string, unknown>): Record<string, unknown> {
  return { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data } } };
}

/** A file consent card accepted: Teams gives the bot an upload URL (for the person's OneDrive). */
export function fileConsentAccept(
  context: unknown,
  uploadInfo: { name?: string; uploadUrl: string; contentUrl: string; uniqueId: string; fileType: string },
): Record<string, unknown> {
  return {
    type: 'invoke',
    name: 'fileConsent/invoke',
    value: { type: 'fileUpload', action: 'accept', context, uploadInfo },
  };
}

/** The Teams raising form's answers (Lincolnshire County Council → Lincolnshire Police). */
export const teamsRaiseForm = {
  board: 'lincolnshire',
  immediateRisk: 'no',
  respondingAgency: 'lincolnshire-police',
  counterpartEmail: 'chris.bennett@police.lincolnshire.example.org',
  initials: 'J S',
  recordRaising: 'LCC-123456',
  recordResponding: '',
  category: 'case-closure',
  summary:
    'The police closed the referral although the adult is still being visited by the person we are worried about.',
  outcomeWanted: 'Reopen the referral and hold a strategy discussion.',
  safetyMeanwhile: 'Daily home care visits; the GP is aware.',
};
