/**
 * Cross-checks of a procedure file that its shape alone cannot catch: roles that are used but
 * never declared, stages that run from a stage that does not exist, duplicate ids, branches
 * that do not pair up, stages with no timescale and no board default.
 */
import { checkYaml, ordinal, type Checked, type Finding, type PathPart } from '../files/problems';
import { isValidTimeZone } from '../calendar/zone';
import { formDeclarationSchema, procedureSchema, type Procedure, type Stage } from './schema';

/** Form field sources that are about one stage (`stage` says which). */
const STAGE_SOURCES: readonly string[] = [
  'escalated-by',
  'person-name',
  'person-designation',
  'person-agency',
  'person-date',
  'stage-began',
  'stage-concluded',
  'board-members',
];

/** Every stage's forms, with where each is in the file. */
function stagesForms(p: Procedure): Array<{ form: string; at: PathPart[] }> {
  return p.stages.flatMap((stage, i) =>
    stage.forms.map((f, j) => ({ form: f.form, at: ['stages', i, 'forms', j, 'form'] })),
  );
}

/** Readings a procedure file can switch, and where the switch lives. */
export const SWITCHES = ['counting.dayNumbers'] as const;

function duplicates<T extends { id: string }>(items: readonly T[], at: string, what: string): Finding[] {
  const seen = new Map<string, number>();
  const found: Finding[] = [];
  items.forEach((item, i) => {
    const first = seen.get(item.id);
    if (first !== undefined)
      found.push({
        path: [at, i, 'id'],
        message: `the ${what} id "${item.id}" is used twice (also by the ${ordinal(first + 1)} ${what}); each ${what} needs its own id`,
      });
    else seen.set(item.id, i);
  });
  return found;
}

export function crossCheckProcedure(p: Procedure): Finding[] {
  const found: Finding[] = [];
  found.push(
    ...duplicates(p.roles, 'roles', 'role'),
    ...duplicates(p.stages, 'stages', 'stage'),
    ...duplicates(p.forms, 'forms', 'form'),
    ...duplicates(p.readings, 'readings', 'reading'),
  );

  const roles = new Map(p.roles.map((r) => [r.id, r]));
  const roleList = p.roles.map((r) => r.id).join(', ');
  const needRole = (id: string, path: PathPart[], scope?: 'agency' | 'board'): void => {
    const role = roles.get(id);
    if (!role) {
      found.push({
        path,
        message: `names the role "${id}", which is not declared under "roles" (declared: ${roleList}). Add it to "roles" or correct the spelling`,
      });
    } else if (scope && role.scope !== scope) {
      found.push({
        path,
        message:
          scope === 'agency'
            ? `names "${id}", a role held for the whole board; list it under "board", not under each agency's side`
            : `names "${id}", a role held in each agency; list it under "sides", not under "board"`,
      });
    }
  };
  const forms = new Set(p.forms.map((f) => f.id));
  const stageIndex = new Map(p.stages.map((s, i) => [s.id, i]));

  if (!isValidTimeZone(p.workingHours.timeZone)) {
    found.push({
      path: ['workingHours', 'timeZone'],
      message: `"${p.workingHours.timeZone}" is not a time zone we know; use a name such as "Europe/London"`,
    });
  }
  if (p.workingHours.end <= p.workingHours.start) {
    found.push({
      path: ['workingHours', 'end'],
      message: `the working day must end after it starts (it starts at ${p.workingHours.start} and ends at ${p.workingHours.end})`,
    });
  }
  if (p.defaults.timescale?.unit === 'day-number') {
    found.push({
      path: ['defaults', 'timescale', 'unit'],
      message:
        'a board default cannot be a "day-number"; use working-days, working-weeks, calendar-days or clock-hours',
    });
  }

  const defaultUnit = p.defaults.timescale?.unit;
  if (defaultUnit === 'same-working-day' || defaultUnit === 'without-delay') {
    found.push({
      path: ['defaults', 'timescale', 'unit'],
      message: `a board default is a length of time; "${defaultUnit}" is a moment. Use working-days, working-weeks, calendar-days or clock-hours`,
    });
  }
  p.defaults.timescale?.stages?.forEach((id, j) => {
    if (!stageIndex.has(id))
      found.push({
        path: ['defaults', 'timescale', 'stages', j],
        message: `names the stage "${id}", which is not in "stages" (stages: ${p.stages.map((s) => s.id).join(', ')})`,
      });
  });
  const categories = new Set((p.categories ?? []).map((c) => c.id));

  // Stage order and branches.
  p.stages.forEach((stage, i) => {
    const at: PathPart[] = ['stages', i];
    const prev = p.stages[i - 1];
    if (i === 0 && stage.number !== 1)
      found.push({ path: [...at, 'number'], message: `the first stage must be number 1 (it is ${stage.number})` });
    if (prev && stage.number !== prev.number && stage.number !== prev.number + 1) {
      found.push({
        path: [...at, 'number'],
        message: `stages must be numbered in order without gaps: stage ${stage.number} follows stage ${prev.number}${stage.number > prev.number + 1 ? ` (is stage ${prev.number + 1} missing?)` : ''}`,
      });
    }
    const siblings = p.stages.filter((s) => s.number === stage.number);
    if (siblings.length > 1) {
      if (!stage.branch)
        found.push({
          path: [...at, 'branch'],
          message: `stage ${stage.number} is listed ${siblings.length} times; each must say its "branch" (urgent or non-urgent)`,
        });
      else if (siblings.filter((s) => s.branch === stage.branch).length > 1)
        found.push({
          path: [...at, 'branch'],
          message: `two stages numbered ${stage.number} are both "${stage.branch}"; one must be urgent and the other non-urgent`,
        });
    } else if (stage.branch) {
      found.push({
        path: [...at, 'branch'],
        message: `stage ${stage.number} is the only stage with its number, so it cannot be a branch; add its other branch or remove "branch"`,
      });
    }

    if (!stage.sides && !stage.board)
      found.push({
        path: at,
        message: 'says nobody takes part: give the roles on each side ("sides") or the board\'s own roles ("board")',
      });
    stage.sides?.raising.forEach((r, j) => needRole(r, [...at, 'sides', 'raising', j], 'agency'));
    stage.sides?.responding?.forEach((r, j) => needRole(r, [...at, 'sides', 'responding', j], 'agency'));
    stage.board?.forEach((r, j) => needRole(r, [...at, 'board', j], 'board'));
    stage.approvedBy?.forEach((r, j) => needRole(r, [...at, 'approvedBy', j]));
    if (i === 0 && stage.approvedBy)
      found.push({
        path: [...at, 'approvedBy'],
        message: 'the first stage is where a case starts; nobody approves an escalation into it',
      });
    stage.decision?.recordedBy.forEach((r, j) => needRole(r, [...at, 'decision', 'recordedBy', j]));
    stage.confirmSafety?.by.forEach((r, j) => needRole(r, [...at, 'confirmSafety', 'by', j]));
    const milestoneIds = new Set((stage.milestones ?? []).map((m) => m.id));
    stage.milestones?.forEach((m, j) => {
      m.by.forEach((r, k) => needRole(r, [...at, 'milestones', j, 'by', k]));
      const from = m.within?.from;
      if (from && typeof from === 'object' && (!milestoneIds.has(from.milestone) || from.milestone === m.id))
        found.push({
          path: [...at, 'milestones', j, 'within', 'from', 'milestone'],
          message: `runs from the milestone "${from.milestone}", which is not another milestone of this stage`,
        });
    });

    stage.notifications.forEach((n, j) => {
      if (n.by) needRole(n.by, [...at, 'notifications', j, 'by']);
      if (n.to) needRole(n.to, [...at, 'notifications', j, 'to'], n.where === 'board' ? 'board' : 'agency');
      else if (n.where !== 'raiser')
        found.push({
          path: [...at, 'notifications', j, 'to'],
          message: `is missing: say which role is told (only "where: raiser", the person who raised the concern, needs no role)`,
        });
    });
    stage.forms.forEach((f, j) => {
      if (!forms.has(f.form))
        found.push({
          path: [...at, 'forms', j, 'form'],
          message: `names the form "${f.form}", which is not declared under "forms"`,
        });
      f.completedBy?.forEach((r, k) => needRole(r, [...at, 'forms', j, 'completedBy', k]));
      f.sendTo.forEach((s, k) =>
        needRole(s.role, [...at, 'forms', j, 'sendTo', k, 'role'], s.where === 'board' ? 'board' : 'agency'),
      );
    });

    const bounded =
      stage.timescales.some((t) => t.kind === 'conclude-by') ||
      p.stages.some((n) => n.number === stage.number + 1 && n.timescales.some((t) => t.kind === 'start-by'));
    if (!bounded && !p.defaults.timescale) {
      found.push({
        path: [...at, 'timescales'],
        message: `nothing says when stage ${stage.number} ("${stage.name}") should be over: it has no "conclude-by" timescale, no later stage has a "start-by", and the file sets no board default. Add a timescale, or set "defaults.timescale" and say in its note that it is the board's choice`,
      });
    }
    stage.timescales.forEach((t, j) => {
      found.push(...checkTimescale(p, stage, i, t, [...at, 'timescales', j], stageIndex));
      t.categories?.forEach((c, k) => {
        if (!categories.has(c))
          found.push({
            path: [...at, 'timescales', j, 'categories', k],
            message: `names the category "${c}", which is not declared under "categories"${categories.size ? ` (declared: ${[...categories].join(', ')})` : ''}`,
          });
      });
      if (t.shortestOf && stage.timescales.filter((x) => x.shortestOf === t.shortestOf && x.kind === t.kind).length < 2)
        found.push({
          path: [...at, 'timescales', j, 'shortestOf'],
          message: `no other ${t.kind} limit of this stage shares the name "${t.shortestOf}"; "shortestOf" joins two or more limits into one ("whichever is shortest")`,
        });
      // An agreed limit joined to another by shortestOf could be dropped as the later (or an equal)
      // one, leaving nothing for the agencies to agree: an agreed limit is already "whichever is
      // shortest" of the date agreed and its ceiling.
      if (t.shortestOf && t.agreed)
        found.push({
          path: [...at, 'timescales', j, 'shortestOf'],
          message: `an "agreed" limit cannot also be joined by "shortestOf": the date the agencies agree can never pass its own amount, so it is already the shorter of the two. For "within one working week or a timescale that protects the adult from harm (whichever is shortest)" write one limit with "agreed" and "amount: 1, unit: working-weeks", and no "shortestOf"`,
        });
    });
  });

  // The boards' forms: what each field is filled from must exist in this file.
  p.forms.forEach((form, i) => {
    found.push(
      ...duplicates(
        form.fields.map((f) => ({ id: f.key })),
        `forms.${i}.fields`,
        'field',
      ),
    );
    form.fields.forEach((field, j) => {
      const at: PathPart[] = ['forms', i, 'fields', j];
      const needsStage = STAGE_SOURCES.includes(field.from);
      if (field.stage !== undefined && !stageIndex.has(field.stage))
        found.push({
          path: [...at, 'stage'],
          message: `names the stage "${field.stage}", which is not in "stages" (stages: ${p.stages.map((s) => s.id).join(', ')})`,
        });
      else if (
        needsStage &&
        field.stage === undefined &&
        field.from !== 'board-members' &&
        !field.from.startsWith('person-')
      )
        found.push({
          path: [...at, 'stage'],
          message: `"${field.from}" fills the field from one stage: say which, with "stage" (one of: ${p.stages.map((s) => s.id).join(', ')})`,
        });
      else if (field.stage !== undefined && !needsStage)
        found.push({
          path: [...at, 'stage'],
          message: `"${field.from}" is about the whole case, not one stage: remove "stage", or fill the field from something about a stage`,
        });
      if (field.side !== undefined && !field.from.startsWith('person-'))
        found.push({
          path: [...at, 'side'],
          message: `"side" says whose person fills the field, and only the person-name, person-designation, person-agency and person-date fields have one: remove it`,
        });
      if (field.prompt !== undefined && field.from !== 'typed')
        found.push({
          path: [...at, 'prompt'],
          message: `"prompt" is the question put to whoever completes the form, so it is only for a field "from: typed": remove it, or make the field typed`,
        });
      if (field.from === 'typed' && field.prompt === undefined)
        found.push({
          path: [...at, 'prompt'],
          message: 'a typed field needs the question put to whoever completes the form: add "prompt"',
        });
    });
  });
  stagesForms(p).forEach(({ form, at }) => {
    const declared = p.forms.find((f) => f.id === form);
    if (declared && declared.fields.length === 0)
      found.push({
        path: at,
        message: `names the form "${form}", which has no "fields" under "forms": the bot cannot fill or send it until its fields are listed`,
      });
  });

  // The urgent path and immediate risk.
  if (p.immediateRisk?.onYes === 'urgent-path' && !p.urgentPath) {
    found.push({
      path: ['immediateRisk', 'onYes'],
      message: 'says a "yes" to immediate risk takes the urgent path, but the file has no "urgentPath"',
    });
  }
  p.urgentPath?.startAt.forEach((id, j) => {
    if (!stageIndex.has(id))
      found.push({ path: ['urgentPath', 'startAt', j], message: `names the stage "${id}", which is not in "stages"` });
  });
  if (p.urgentPath?.branch && !p.stages.some((s) => s.branch === p.urgentPath?.branch)) {
    found.push({
      path: ['urgentPath', 'branch'],
      message: 'names the urgent branch, but no stage has "branch: urgent"',
    });
  }
  // Signposts: the stages and kinds of disagreement they name exist.
  (p.signposts ?? []).forEach((s, j) => {
    if (s.stages !== 'all')
      s.stages.forEach((id, k) => {
        if (!stageIndex.has(id))
          found.push({
            path: ['signposts', j, 'stages', k],
            message: `names the stage "${id}", which is not in "stages"`,
          });
      });
    if (p.categories)
      (s.categories ?? []).forEach((id, k) => {
        if (!categories.has(id) && id !== 'other')
          found.push({
            path: ['signposts', j, 'categories', k],
            message: `names the kind of disagreement "${id}", which is not in "categories"`,
          });
      });
    if (!s.raising && !s.closed && s.stages !== 'all' && s.stages.length === 0)
      found.push({
        path: ['signposts', j],
        message:
          'is shown nowhere: give "raising: true", the "stages" whose card shows it (or "all"), or "closed: true"',
      });
  });
  found.push(...duplicates(p.signposts ?? [], 'signposts', 'signpost'));
  p.readings.forEach((r, j) => {
    if (r.switch !== undefined && !(SWITCHES as readonly string[]).includes(r.switch)) {
      found.push({
        path: ['readings', j, 'switch'],
        message: `"${r.switch}" is not a setting this file has; the settings a reading can switch are: ${SWITCHES.join(', ')}`,
      });
    }
  });
  return found;
}

function checkTimescale(
  p: Procedure,
  stage: Stage,
  index: number,
  t: Stage['timescales'][number],
  at: PathPart[],
  stageIndex: Map<string, number>,
): Finding[] {
  const found: Finding[] = [];
  if (t.amount !== undefined && t.unit !== 'clock-hours' && !Number.isInteger(t.amount)) {
    found.push({ path: [...at, 'amount'], message: `${t.unit} must be counted in whole numbers (it is ${t.amount})` });
  }
  if (t.unit === 'day-number' && t.from !== 'raised') {
    found.push({
      path: [...at, 'from'],
      message: 'a "day-number" counts from the day the concern arose, so "from" must be "raised"',
    });
  }
  if (typeof t.from === 'object' && 'milestone' in t.from) {
    const id = t.from.milestone;
    if (!(stage.milestones ?? []).some((m) => m.id === id))
      found.push({
        path: [...at, 'from', 'milestone'],
        message: `runs from the milestone "${id}", which is not one of this stage's "milestones"`,
      });
  } else if (typeof t.from === 'object') {
    const target = stageIndex.get(t.from.stage);
    if (target === undefined) {
      found.push({
        path: [...at, 'from', 'stage'],
        message: `runs from the stage "${t.from.stage}", which is not in "stages" (stages: ${p.stages.map((s) => s.id).join(', ')})`,
      });
    } else {
      const other = p.stages[target];
      if (target === index && t.from.at === 'end')
        found.push({ path: [...at, 'from'], message: 'a stage cannot run from its own end' });
      else if (other && (other.number > stage.number || (other.number === stage.number && target !== index))) {
        found.push({
          path: [...at, 'from', 'stage'],
          message: `runs from stage "${other.id}", which does not come before this one; a timescale can only run from this stage or an earlier one`,
        });
      }
    }
  }
  if (index === 0 && t.kind === 'start-by' && t.from === 'stage-start') {
    found.push({
      path: [...at, 'from'],
      message: 'the first stage starts when the case is raised, so a "start-by" for it must run from "raised"',
    });
  }
  return found;
}

export interface ProcedureTextOptions {
  /**
   * The text of a form file the board's file names (`forms: [{ file: forms/monitoring.yaml }]`),
   * read beside the board's file; undefined where there is none.
   */
  formFile?: (name: string) => string | undefined;
}

export function checkProcedureText(text: string, options: ProcedureTextOptions = {}): Checked<Procedure> {
  return checkYaml(text, procedureSchema, crossCheckProcedure, (raw) => withFormFiles(raw, options.formFile));
}

/** A form file's name: a path beside the board's file, in folders below it at most. */
export const FORM_FILE_NAME = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9_./-]*\.ya?ml$/;

/** The board's forms, those kept in files of their own read in and checked, each problem said with its file and line. */
function withFormFiles(raw: unknown, read: ProcedureTextOptions['formFile']): { raw: unknown; problems: Finding[] } {
  const problems: Finding[] = [];
  const record = raw as Record<string, unknown>;
  if (!Array.isArray(record.forms)) return { raw, problems };
  const forms = record.forms.map((entry: unknown, i): unknown => {
    if (!entry || typeof entry !== 'object' || !('file' in entry)) return entry;
    const { file, ...rest } = entry as Record<string, unknown>;
    const at: PathPart[] = ['forms', i, 'file'];
    if (typeof file !== 'string' || !FORM_FILE_NAME.test(file)) {
      problems.push({
        path: at,
        message: 'must name a form file beside the board\'s file, like "forms/monitoring-form.yaml"',
      });
      return entry;
    }
    if (Object.keys(rest).length > 0)
      problems.push({
        path: ['forms', i],
        message: `a form kept in its own file is written there whole: give only "file" here (not ${Object.keys(rest).join(', ')})`,
      });
    const text = read?.(file);
    if (text === undefined) {
      problems.push({ path: at, message: `names the form file "${file}", which is not beside the board's file` });
      return entry;
    }
    const checked = checkYaml(text, formDeclarationSchema, () => []);
    if (!checked.ok) {
      for (const p of checked.problems)
        problems.push({ path: at, message: `${file}${p.line ? `, line ${p.line}` : ''}, ${p.where}: ${p.message}` });
      return entry;
    }
    return checked.value;
  });
  return { raw: { ...record, forms }, problems };
}
