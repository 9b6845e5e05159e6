/**
 * The forms a stage asks for (a board file's `stages[].forms`), as the case goes: when a form's
 * moment has come, who is to complete it, and whom the completed form goes to. Pure: the app
 * resolves the audiences to people and sends the form.
 *
 * Moments, as for notifications: `stage-start` when the stage begins; `escalated` when it begins
 * by escalation; `resolved` when the case is resolved at it; `outcome` when the case ends at it
 * (resolved, or decided).
 */
import type { StageForm } from '../procedure/schema';
import { stageById } from './deadlines';
import type { Actor, CaseState, Party, Side, StageRecord } from './types';

export interface FormDue {
  form: string;
  /** The form's title, from the board's file. */
  title: string;
  stage: string;
  stageNumber: number;
  when: StageForm['when'];
  /** The roles the stage says complete it (all the completer holds of them). */
  roles: string[];
  /** The side the completer acts for. */
  party: Party;
  phrase: string;
}

/** Whom a completed form goes to: role holders of an agency (`board`: the board's own agency). */
export interface FormAudience {
  agencyId: string;
  role: string;
  /** One person by name rather than the role's holders (the person who raised the concern). */
  personId?: string;
}

function momentCame(state: CaseState, record: StageRecord, when: StageForm['when']): boolean {
  // A withdrawn case asks for no more forms.
  if (state.status === 'withdrawn') return false;
  const endedHere = state.stages.at(-1)?.id === record.id;
  switch (when) {
    case 'stage-start':
      return true;
    case 'escalated':
      return state.stages.indexOf(record) > 0;
    case 'resolved':
      return state.status === 'resolved' && endedHere;
    case 'outcome':
      return (state.status === 'resolved' || state.status === 'decided') && endedHere;
  }
}

function sideOf(state: CaseState, agencyId: string): Side | undefined {
  if (agencyId === state.raising.agencyId) return 'raising';
  if (agencyId === state.responding.agencyId) return 'responding';
  return undefined;
}

/**
 * The forms `actor` is to complete now: the moment has come, they hold a role that completes it
 * (on their agency's side of the case, or for the board), and nobody of their agency has yet.
 */
export function formsDue(state: CaseState, actor: Actor): FormDue[] {
  const { procedure } = state;
  const due: FormDue[] = [];
  for (const record of state.stages) {
    const stage = stageById(procedure, record.id);
    for (const f of stage?.forms ?? []) {
      const declared = procedure.forms.find((x) => x.id === f.form);
      if (!declared || declared.fields.length === 0 || !momentCame(state, record, f.when)) continue;
      const roles = (f.completedBy ?? []).filter((r) => actor.roles.includes(r));
      if (!roles.length) continue;
      const boardRoles = roles.filter((r) => procedure.roles.find((x) => x.id === r)?.scope === 'board');
      const side = sideOf(state, actor.agencyId);
      const party: Party | undefined = side ?? (boardRoles.length ? 'board' : undefined);
      if (!party) continue;
      const done = (state.formsCompleted ?? []).some(
        (c) => c.form === f.form && c.stage === record.id && c.agencyId === actor.agencyId,
      );
      if (done) continue;
      due.push({
        form: f.form,
        title: declared.title,
        stage: record.id,
        stageNumber: record.number,
        when: f.when,
        roles: party === 'board' ? boardRoles : roles,
        party,
        phrase: f.phrase,
      });
    }
  }
  return due;
}

/** The stage's declaration of a form, if the stage has it. */
export function stageFormOf(state: CaseState, stage: string, form: string): StageForm | undefined {
  return stageById(state.procedure, stage)?.forms.find((f) => f.form === form);
}

/**
 * Whom a form completed by someone of `completerAgency` goes to: each `sendTo` entry's role, in
 * the completer's own agency (own-agency), the other agency of the case (other-agency), both, the
 * board's own agency (board, as "board"), or each agency's commissioning body ("commissioner-of:<agency>").
 */
export function formAudience(state: CaseState, sendTo: StageForm['sendTo'], completerAgency: string): FormAudience[] {
  const other =
    completerAgency === state.raising.agencyId
      ? state.responding.agencyId
      : completerAgency === state.responding.agencyId
        ? state.raising.agencyId
        : undefined;
  const both = [state.raising.agencyId, state.responding.agencyId];
  return sendTo.flatMap((s): FormAudience[] => {
    switch (s.where) {
      case 'own-agency':
        return [{ agencyId: completerAgency, role: s.role }];
      case 'other-agency':
        return other ? [{ agencyId: other, role: s.role }] : both.map((agencyId) => ({ agencyId, role: s.role }));
      case 'both-agencies':
        return both.map((agencyId) => ({ agencyId, role: s.role }));
      case 'board':
        return [{ agencyId: 'board', role: s.role }];
      case 'commissioning-body':
        return both.map((a) => ({ agencyId: `commissioner-of:${a}`, role: s.role }));
      case 'raiser':
        return [{ agencyId: state.raising.agencyId, role: s.role, personId: state.raising.personId }];
    }
  });
}
