/**
 * The identity check in the core: raise and decide refuse free text naming the adult (with the
 * details given to them), in plain words that never quote the value; the probes behind a card's
 * buttons still work; a refusal's record carries no command text.
 */
import { loadProcedures } from '../../src/app/procedures';
import {
  availableCommands,
  decide,
  raise,
  refusalEvent,
  type Actor,
  type CaseCommand,
  type CaseState,
  type RaiseCommand,
} from '../../src/domain/escalation';
import type { Procedure } from '../../src/domain/procedure';

const procedure = loadProcedures().get('north-somerset') as Procedure;
const now = new Date('2026-11-23T10:00:00Z');
const worker: Actor = { personId: 'ann', agencyId: 'north-somerset-council', roles: ['practitioner'] };
const counterpart: Actor = { personId: 'ben', agencyId: 'avon-nhs-trust', roles: ['practitioner'] };
const adult = {
  name: 'Zebedee Quillfeather-Okonkwo',
  dateOfBirth: '1950-03-12',
  address: '14 Elm Road, Bristol BS1 4DJ',
};
const form = {
  initials: 'z q',
  recordNumbers: { raising: 'LAS-123456', responding: 'NHS 485 777 3456' },
  category: 'case-closure',
  summary: 'The trust closed the case although the adult is still losing weight.',
  outcomeWanted: 'Keep the case open and review the care plan together.',
  safetyMeanwhile: 'Daily visits by the home care agency continue.',
};
const command = (overrides: Partial<RaiseCommand['form']> = {}): RaiseCommand => ({
  type: 'raise',
  actor: worker,
  sequence: 1,
  immediateRisk: false,
  respondingAgency: { id: 'avon-nhs-trust' },
  form: { ...form, ...overrides },
});

function opened(): CaseState {
  const decision = raise(procedure, command(), now);
  if (!decision.ok) throw new Error(decision.refusal.message);
  return decision.state;
}

describe('raising', () => {
  test('the descriptions and record numbers are checked against the details that come with the form', () => {
    const named = raise(procedure, command({ summary: 'Mr Quillfeather-Okonkwo is losing weight.' }), now, undefined, {
      adult,
    });
    expect(named).toEqual({
      ok: false,
      refusal: expect.objectContaining({
        code: 'names-the-adult',
        fields: {
          summary:
            'This description gives the adult\'s surname. Use their initials, Z.Q., and call anyone else by their role (for example "the GP" or "a neighbour").',
        },
      }) as unknown,
    });
    expect(JSON.stringify(named)).not.toMatch(/Quillfeather/);
    expect(
      raise(procedure, command({ safetyMeanwhile: 'Visits at 14 Elm Rd daily.' }), now, undefined, { adult }).ok,
    ).toBe(false);
    // Without details, the same words are known to name the adult only by the form's initials (Z.Q.);
    // with other initials they pass. Shapes are still refused.
    expect(raise(procedure, command({ summary: 'Mr Quillfeather-Okonkwo is losing weight.' }), now).ok).toBe(false);
    expect(
      raise(procedure, command({ initials: 'J.S.', summary: 'Mr Quillfeather-Okonkwo is losing weight.' }), now).ok,
    ).toBe(true);
    const shaped = raise(procedure, command({ outcomeWanted: 'Review at BS1 4DJ', summary: 'Born 12.3.50' }), now);
    expect(shaped.ok ? {} : shaped.refusal.fields).toEqual({
      summary: "This description gives a date of birth. Leave it out: the record keeps the adult's details privately.",
      outcomeWanted: "This answer gives a postcode. Leave it out: the record keeps the adult's address privately.",
    });
  });

  test('record numbers must look like record numbers', () => {
    const other = { initials: 'J.S.' };
    for (const raising of ['Zebedee Quillfeather-Okonkwo', 'Zebedee 12', 'QUILLFEATHER 1', 'Z Quillfeather 7']) {
      const refused = raise(procedure, command({ ...other, recordNumbers: { raising } }), now);
      expect({ raising, fields: refused.ok ? {} : refused.refusal.fields }).toEqual({
        raising,
        fields: {
          'recordNumbers.raising': expect.stringMatching(
            /^A record number is the agency's own reference: mostly digits, with at most a short system code/,
          ) as unknown,
        },
      });
    }
    expect(raise(procedure, command({ recordNumbers: { raising: 'Mosaic 1234567' } }), now).ok).toBe(true);
  });

  test('a name starting with the form’s initials is refused in every field, without any details given', () => {
    const cases: Array<[Partial<RaiseCommand['form']>, string]> = [
      [{ summary: 'Zebedee Quillfeather-Okonkwo fell at home.' }, 'summary'],
      [{ outcomeWanted: 'A review for Z. Quillfeather.' }, 'outcomeWanted'],
      [{ safetyMeanwhile: 'Quillfeather, Zebedee is visited daily.' }, 'safetyMeanwhile'],
      [{ summary: 'Z\u200bebedee Q\u200buillfeather fell.' }, 'summary'],
      [{ recordNumbers: { raising: 'Zeb 123' } }, 'recordNumbers.raising'],
      [{ recordNumbers: { responding: 'Quill-12345' } }, 'recordNumbers.responding'],
    ];
    for (const [overrides, field] of cases) {
      const refused = raise(procedure, command(overrides), now);
      expect({ overrides, code: refused.ok ? '' : refused.refusal.code }).toEqual({
        overrides,
        code: 'names-the-adult',
      });
      const message = refused.ok ? '' : (refused.refusal.fields?.[field] ?? '');
      expect({ overrides, message }).toEqual({
        overrides,
        message: expect.stringMatching(
          /^This ((description|answer) may name the adult: a name in it starts with their initials, Z\.Q\. Use the initials instead|record number may name the adult: a word in it starts with their initials, Z\.Q\. Give the agency's own reference)/,
        ) as unknown,
      });
      expect(JSON.stringify(refused)).not.toMatch(/Zebedee|Quill|Zeb /);
    }
    // The agencies and roles, and the same words under other initials, pass.
    const fine = {
      summary: 'Met with Lincolnshire Police and the Social Worker on 3 May; Z.Q. was at home.',
      recordNumbers: { raising: 'LAS-123456', responding: 'MOSAIC 123456' },
    };
    expect(raise(procedure, command(fine), now).ok).toBe(true);
    expect(raise(procedure, command({ ...fine, initials: 'L.P.' }), now).ok).toBe(true);
    expect(raise(procedure, command({ initials: 'J.S.', summary: 'Zebedee Quillfeather fell.' }), now).ok).toBe(true);
  });
});

describe('deciding', () => {
  const state = opened();
  const texts: Array<[CaseCommand, string]> = [
    [{ type: 'add-note', text: 'ZEBEDEE QUILLFEATHER-OKONKWO rang.', actor: worker }, 'text'],
    [{ type: 'request-escalation', reason: 'Seen at BS1 4DJ.', actor: worker }, 'reason'],
    [{ type: 'withdraw', reason: 'Born 12 March 1950.', actor: worker }, 'reason'],
    [
      { type: 'propose-resolution', outcome: 'Okonkwo, Zebedee agreed.', outstandingIssues: 'None', actor: worker },
      'outcome',
    ],
    [
      { type: 'propose-resolution', outcome: 'Agreed.', outstandingIssues: 'Visit 14 Elm Road.', actor: worker },
      'outstandingIssues',
    ],
  ];
  test.each(texts.map(([cmd, field]) => [`${cmd.type} ${field}`, cmd, field] as const))(
    '%s: refused, naming the field, never the value',
    (_label, cmd, field) => {
      const decision = decide(state, cmd, now, undefined, { adult });
      expect(decision.ok).toBe(false);
      if (decision.ok) return;
      expect(decision.refusal.code).toBe('names-the-adult');
      expect(Object.keys(decision.refusal.fields ?? {})).toEqual([field]);
      expect(decision.refusal.message).toMatch(/^This (note|reason|outcome|answer) (names|gives)/);
      const event = refusalEvent(state, cmd, decision.refusal, now);
      const written = JSON.stringify([decision, event]);
      for (const w of ['Zebedee', 'ZEBEDEE', 'Okonkwo', 'BS1 4DJ', 'Elm Road', '1950'])
        expect(written).not.toContain(w);
    },
  );

  test('a name starting with the case’s initials is refused, with or without the sealed details', () => {
    expect(state.subject.initials).toBe('Z.Q.');
    for (const options of [{}, { adult }]) {
      const note: CaseCommand = { type: 'add-note', text: 'Zoe Quinn rang about the care plan.', actor: worker };
      const decision = decide(state, note, now, undefined, options);
      expect(decision.ok ? '' : decision.refusal.fields?.text).toMatch(
        /^This note may name the adult: a name in it starts with their initials, Z\.Q\./,
      );
      const title: CaseCommand = { type: 'withdraw', reason: 'Mrs Quinn asked us to stop.', actor: worker };
      expect(decide(state, title, now, undefined, options).ok).toBe(false);
    }
    const fine: CaseCommand = { type: 'add-note', text: 'Z.Q. met Mr Q. and the GP on 3 May.', actor: worker };
    expect(decide(state, fine, now, undefined, {}).ok).toBe(true);
  });

  test('a role refusal comes first: a non-party learns nothing about the words', () => {
    const stranger: Actor = { personId: 'gus', agencyId: 'police', roles: ['practitioner'] };
    const decision = decide(state, { type: 'withdraw', reason: 'Zebedee Okonkwo', actor: stranger }, now, undefined, {
      adult,
    });
    expect(decision.ok ? '' : decision.refusal.code).toBe('not-your-role');
  });

  test('ordinary words pass, and the buttons offered are the same with or without the check', () => {
    const note: CaseCommand = {
      type: 'add-note',
      text: 'Strategy meeting on 12/11/2026 at 10:00 with the GP.',
      actor: counterpart,
    };
    expect(decide(state, note, now, undefined, { adult }).ok).toBe(true);
    expect(availableCommands(state, worker, now)).toContain('add-note');
    expect(availableCommands(state, worker, now)).toContain('withdraw');
  });
});
