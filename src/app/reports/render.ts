/**
 * A board's figures as a self-contained HTML page (charts drawn as inline SVG: nothing loaded
 * from the network) and as CSV (one figure a row).
 */
import type { BoardFigures, Count } from './figures';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const COLOURS = ['#1f4e79', '#2e75b6', '#5b9bd5', '#9dc3e6', '#c55a11', '#70ad47', '#7f6000', '#7030a0'];

/** A horizontal bar chart: one bar a row, its value at the end. */
function bars(title: string, rows: readonly Count[], unit = ''): string {
  if (!rows.length) return `<section><h2>${esc(title)}</h2><p class="none">None in this period.</p></section>`;
  const max = Math.max(...rows.map((r) => r.value), 1);
  const rowH = 28;
  const labelW = 450;
  const barW = 360;
  const height = rows.length * rowH + 10;
  const items = rows
    .map((r, i) => {
      const w = Math.max(2, (r.value / max) * barW);
      const y = i * rowH + 5;
      return `<g><title>${esc(`${r.label}: ${r.value}${unit}`)}</title><text x="${labelW - 8}" y="${y + 17}" text-anchor="end" class="label">${esc(r.label.length > 66 ? `${r.label.slice(0, 65)}…` : r.label)}</text><rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${COLOURS[i % COLOURS.length] ?? '#1f4e79'}" rx="3"/><text x="${(labelW + w + 6).toFixed(1)}" y="${y + 17}" class="value">${r.value}${esc(unit)}</text></g>`;
    })
    .join('');
  return `<section><h2>${esc(title)}</h2><svg role="img" aria-label="${esc(title)}" width="${labelW + barW + 70}" height="${height}" viewBox="0 0 ${labelW + barW + 70} ${height}">${items}</svg></section>`;
}

function tile(label: string, value: string): string {
  return `<div class="tile"><div class="big">${esc(value)}</div><div>${esc(label)}</div></div>`;
}

export function figuresHtml(f: BoardFigures): string {
  const missed = f.deadlinesMissedByStage.reduce((n, c) => n + c.value, 0);
  const closed = f.outcomes.filter((o) => o.key !== 'open').reduce((n, c) => n + c.value, 0);
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>${esc(f.board.name)}: escalations ${esc(f.from)} to ${esc(f.to)}</title>
<style>
  body { font-family: "Segoe UI", Arial, sans-serif; margin: 24px 32px; color: #1b1b1b; max-width: 1100px; }
  h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 16px; margin: 22px 0 6px; }
  .sub { color: #555; margin-top: 0; } .none { color: #777; font-style: italic; }
  .tiles { display: flex; gap: 14px; flex-wrap: wrap; margin: 16px 0; }
  .tile { background: #f2f6fb; border-left: 5px solid #1f4e79; padding: 10px 16px; min-width: 150px; }
  .big { font-size: 28px; font-weight: 600; }
  .grid { display: grid; grid-template-columns: 1fr; gap: 4px; }
  svg .label { font-size: 12px; fill: #222; } svg .value { font-size: 12px; fill: #222; font-weight: 600; }
  footer { margin-top: 28px; color: #666; font-size: 12px; }
</style>
</head>
<body>
<h1>${esc(f.board.name)}: resolving professional disagreements</h1>
<p class="sub">Escalations raised on or after ${esc(f.from)} and before ${esc(f.to)}; open cases counted to ${esc(f.asOf.slice(0, 10))}. No adult's details are in this report.</p>
<div class="tiles">
${tile('escalations raised', String(f.raised))}
${tile('closed (resolved, decided or withdrawn)', String(closed))}
${tile('mean working days from raising to close (or to date)', String(f.meanWorkingDaysTotal))}
${tile('deadlines missed', String(missed))}
</div>
<div class="grid">
${bars('Outcomes', f.outcomes)}
${bars('Resolved or decided, by the stage it closed at', f.resolvedAtStage)}
${bars('Mean working days spent at each stage', f.workingDaysAtStage, ' days')}
${bars('Deadlines missed, by stage', f.deadlinesMissedByStage)}
${bars('Deadlines missed, by agency', f.deadlinesMissedByAgency)}
${bars('Themes: the kinds of disagreement', f.categories)}
${bars('Pairs of agencies (raised by → with)', f.pairs)}
</div>
<footer>Figures from the escalation record (every action recorded, hash-chained). Working days exclude weekends and ${esc(f.board.name)}'s bank holidays.</footer>
</body>
</html>
`;
}

const csvCell = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function figuresCsv(f: BoardFigures): string {
  const rows: string[][] = [['figure', 'key', 'label', 'value']];
  rows.push(['raised', '', 'Escalations raised', String(f.raised)]);
  rows.push([
    'mean_working_days_total',
    '',
    'Mean working days from raising to close (or to date)',
    String(f.meanWorkingDaysTotal),
  ]);
  const add = (figure: string, counts: readonly Count[]): void => {
    for (const c of counts) rows.push([figure, c.key, c.label, String(c.value)]);
  };
  add('outcome', f.outcomes);
  add('resolved_at_stage', f.resolvedAtStage);
  add('mean_working_days_at_stage', f.workingDaysAtStage);
  add('deadlines_missed_by_stage', f.deadlinesMissedByStage);
  add('deadlines_missed_by_agency', f.deadlinesMissedByAgency);
  add('category', f.categories);
  add('agency_pair', f.pairs);
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}
