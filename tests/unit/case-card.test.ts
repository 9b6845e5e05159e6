/**
 * The case card's view model, as both agencies see it: what the disagreement is, whose move it
 * is with the deadline in working days, who approves, the ladder, and what each person may see.
 */
import { EXAMPLE_DIRECTORY_FILE, loadDirectoryFile, loadProcedures } from '../../src/app/procedures';
import { noticesFor } from '../../src/app/notify';
import { stageCardView } from '../../src/app/views/stage-card';
import {
  decide,
  refusalEvent,
  raise,
  type Actor,
  type CaseCommand,
  type CaseEvent,
  type CaseState,
} from '../../src/domain/escalation';

const procedures = loadProcedures();
const directory = loadDirectoryFile(EXAMPLE_DIRECTORY_FILE, procedures);

const alex: Actor = { personId: 'alex-morgan', agencyId: 'lincolnshire-county-council', roles: ['practitioner'] };
const chris: Actor = { personId: 'chris-bennett', agencyId: 'lincolnshire-police', roles: ['practitioner'] };
const priya: Actor = { personId: 'priya-shah', agencyId: 'lincolnshire-county-council', roles: ['line-manager'] };

// Tuesday 1 December 2026, 10am.
const raisedAt = new Date('2026-12-01T10:00:00Z');

function raised(): { state: CaseState; events: CaseEvent[] } {
  const li = procedures.get('lincolnshire');
  if (!li) throw new Error('no lincolnshire');
  const r = raise(
    li,
    {
      type: 'raise',
      actor: alex,
      sequence: 7,
      immediateRisk: false,
      respondingAgency: { id: 'lincolnshire-police' },
      respondingPersonId: 'chris-bennett',
      form: {
        initials: 'JS',
        category: 'case-closure',
        summary: 'Police closed the referral after one visit.',
        outcomeWanted: 'A joint visit this week.',
        safetyMeanwhile: 'Daily calls from the home care provider.',
      },
    },
    raisedAt,
  );
  if (!r.ok) throw new Error(r.refusal.message);
  return { state: r.state, events: r.events };
}

function act(
  c: { state: CaseState; events: CaseEvent[] },
  command: CaseCommand,
  at: Date,
): { state: CaseState; events: CaseEvent[] } {
  const d = decide(c.state, command, at);
  if (!d.ok) throw new Error(d.refusal.message);
  return { state: d.state, events: [...c.events, ...d.events] };
}

test('the other agency sees what the disagreement is, and whose move it is with the deadline in working days', () => {
  const c = raised();
  const now = new Date('2026-12-01T11:00:00Z');
  const view = stageCardView(c.state, { viewer: chris, now, directory, events: c.events });
  expect(view.substance).toEqual({
    summary: 'Police closed the referral after one visit.',
    outcomeWanted: 'A joint visit this week.',
    safetyMeanwhile: 'Daily calls from the home care provider.',
  });
  expect(view.boardName).toBe('Lincolnshire Safeguarding Adults Board');
  const chrisMove = view.moves.find((m) => m.startsWith('Chris Bennett, Lincolnshire Police: acknowledge by'));
  expect(chrisMove).toMatch(/working days?$|today$/);
  expect(view.ladder[0]).toMatch(/^Stage 1: .*\(under way\)$/);
  expect(view.ladder[1]).toMatch(/\(next\)$/);
  expect(view.next).toMatch(/^If this stage does not resolve it, the case can go to Stage 2/);
  expect(view.statusText).toBe('Open');
  expect(view.positions[0]?.agency).toBe('Lincolnshire County Council');
});

test('a pending escalation names who may approve it, and its status says so', () => {
  let c = raised();
  c = act(c, { type: 'acknowledge', actor: chris }, new Date('2026-12-01T12:00:00Z'));
  c = act(
    c,
    { type: 'request-escalation', actor: alex, reason: 'Two calls unanswered.' },
    new Date('2026-12-02T10:00:00Z'),
  );
  const view = stageCardView(c.state, { now: new Date('2026-12-02T11:00:00Z'), directory, events: c.events });
  expect(view.approvers).toContain('Priya Shah (Lincolnshire County Council)');
  expect(view.moves.some((m) => m.includes('Priya Shah') && m.includes('approve or return the escalation'))).toBe(true);
  expect(view.statusText).toMatch(/waiting for approval/);
  expect(view.statusStyle).toBe('accent');
});

test('a refused attempt is not in the shared history, and a manager’s reason for returning stays in their agency', () => {
  let c = raised();
  c = act(c, { type: 'acknowledge', actor: chris }, new Date('2026-12-01T12:00:00Z'));
  c = act(
    c,
    { type: 'request-escalation', actor: alex, reason: 'Two calls unanswered.' },
    new Date('2026-12-08T10:00:00Z'),
  );
  const refused = decide(c.state, { type: 'approve-escalation', actor: alex }, new Date('2026-12-08T10:05:00Z'));
  if (refused.ok) throw new Error('allowed');
  const attempt: CaseCommand = { type: 'approve-escalation', actor: alex };
  const refusal = refusalEvent(c.state, attempt, refused.refusal, new Date('2026-12-08T10:05:00Z'));
  c = { state: c.state, events: [...c.events, refusal] };
  const before = c.state;
  const returned = decide(
    c.state,
    { type: 'return-escalation', actor: priya, reason: 'Two emails in a day is not enough.' },
    new Date('2026-12-08T12:00:00Z'),
  );
  if (!returned.ok) throw new Error(returned.refusal.message);
  const events = [...c.events, ...returned.events];
  const now = new Date('2026-12-08T13:00:00Z');
  const shared = stageCardView(returned.state, { now, directory, events });
  const police = stageCardView(returned.state, { viewer: chris, now, directory, events });
  const council = stageCardView(returned.state, { viewer: alex, now, directory, events });
  for (const v of [shared, police, council]) expect(v.allHistory.join('\n')).not.toContain('not allowed');
  expect(shared.allHistory.join('\n')).not.toContain('Two emails');
  expect(police.allHistory.join('\n')).not.toContain('Two emails');
  expect(police.allHistory.join('\n')).toContain('Priya Shah: returned the escalation');
  expect(council.allHistory.join('\n')).toContain('Two emails in a day is not enough.');
  // Told 1:1: the police officer learns it was returned, not the manager's words.
  const told = noticesFor(before, returned.state, returned.events, directory, now, 'priya-shah');
  for (const n of told) if (n.person.agency === 'lincolnshire-police') expect(n.text).not.toContain('Two emails');
});

test('a closed card shows how it ended, with no move and no buttons', () => {
  let c = raised();
  c = act(c, { type: 'withdraw', actor: alex, reason: 'Resolved by phone.' }, new Date('2026-12-02T10:00:00Z'));
  const view = stageCardView(c.state, {
    viewer: chris,
    now: new Date('2026-12-02T11:00:00Z'),
    directory,
    events: c.events,
  });
  expect(view.closed).toBe(true);
  expect(view.closing).toBe('Withdrawn: Resolved by phone.');
  expect(view.moves).toEqual([]);
  expect(view.actions).toEqual([]);
  expect(view.statusText).toBe('Withdrawn');
});

test('the ladder shows the branch the case would take where the procedure splits (Lincolnshire 4a urgent, 4b not)', () => {
  const c = raised();
  const view = stageCardView(c.state, { now: new Date('2026-12-01T11:00:00Z'), directory, events: c.events });
  expect(view.ladder).toHaveLength(4);
  expect(view.ladder[3]).toMatch(/^Stage 4: /);
  expect(view.ladder[3]).not.toMatch(/Urgent/);
  const urgent = stageCardView({ ...c.state, urgent: true }, { now: new Date('2026-12-01T11:00:00Z'), directory });
  expect(urgent.ladder[3]).toMatch(/Urgent resolution required/);
});
