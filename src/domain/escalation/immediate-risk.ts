/**
 * What a person raising is told when the adult is at immediate risk: the board's own guidance and
 * its contacts, each with a number or an address, or the words saying where to find one. A
 * contact whose number is each agency's own ("Your agency's on-call manager") shows the raiser's
 * agency's on-call number from the directory.
 */
import type { Agency } from '../directory/schema';
import type { Procedure } from '../procedure/schema';

/** One contact as shown: who, and how to reach them (never blank). */
export interface ContactLine {
  name: string;
  detail: string;
}

/** The board's emergency contacts for someone in `agency` (their own on-call number where a contact is each agency's own). */
export function emergencyContacts(procedure: Procedure, agency?: Pick<Agency, 'name' | 'onCall'>): ContactLine[] {
  return (procedure.immediateRisk?.contacts ?? []).map((c) => {
    const reach: string[] = [];
    if (c.agencyNumber === 'on-call') {
      if (agency?.onCall) reach.push(`${agency.name}, ${agency.onCall.name ?? 'on-call'}: ${agency.onCall.phone}`);
      else
        reach.push(
          `${agency ? `${agency.name} has` : 'Your agency has'} not given its on-call number to this bot: use your agency's own out-of-hours list, or ask your manager or duty desk.`,
        );
    }
    reach.push(...[c.phone, c.email, c.url].filter((v): v is string => Boolean(v)));
    if (reach.length === 0)
      reach.push(
        `The ${procedure.name}'s procedure gives no number for this contact: see ${procedure.source?.url ?? procedure.source?.title ?? "the board's procedure"}, or ask the board's business unit.`,
      );
    if (c.note) reach.push(c.note);
    return { name: c.name, detail: reach.join(' · ') };
  });
}
