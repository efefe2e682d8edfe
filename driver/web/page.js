// The status page's script: reads /api/* (same origin) and draws with uPlot (window.uPlot, from node_modules).
// Runs and charts refresh by themselves; the chosen snapshot and question are kept across refreshes.
const REFRESH_MS = Number(new URLSearchParams(location.search).get('refresh-s') || 30) * 1000;
/** The value a trend charts per hour: the question's deciding column, at its largest among the hour's rows. */
const TREND_METRIC = {
  'top-airline': 'flights',
  'top-regional-airline-per-continent': 'flights',
  'longest-flight': 'distance_km',
  'avg-flight-length-per-continent': 'avg_distance_km',
  'top-manufacturer': 'flights',
  'top-models-per-airline-country': 'flights',
  'airport-max-in-out-diff': 'diff',
};

const $ = (selector) => document.querySelector(selector);
const charts = {};
window.flightRadarCharts = charts; // for tests and the curious: the uPlot instances

async function api(path) {
  const response = await fetch(path, { credentials: 'same-origin' });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || `${path}: HTTP ${response.status}`);
  return body;
}

function cell(tag, text, className) {
  const el = document.createElement(tag);
  el.textContent = text === null || text === undefined ? '' : String(text);
  if (className) el.className = className;
  return el;
}

/** A plain table of answer rows; numeric columns right-aligned. */
function rowsTable(columns, rows, attributes = {}) {
  const table = document.createElement('table');
  for (const [k, v] of Object.entries(attributes)) table.setAttribute(k, v);
  const numeric = columns.map((c) => rows.length > 0 && rows.every((r) => r[c] === null || typeof r[c] === 'number'));
  const head = table.createTHead().insertRow();
  columns.forEach((c, i) => head.appendChild(cell('th', c, numeric[i] ? 'num' : '')));
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    columns.forEach((c, i) => tr.appendChild(cell('td', row[c], numeric[i] ? 'num' : '')));
  }
  return table;
}

/** A uPlot line chart in `container`, replaced on every refresh; x = Unix seconds. */
function lineChart(id, container, xs, series) {
  charts[id]?.destroy();
  const width = Math.min(560, Math.max(320, window.innerWidth / 2 - 60));
  const opts = {
    width,
    height: 220,
    scales: { x: { time: true } },
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'), // the axis in UTC, like every time of the product
    series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: true, size: 6 }, spanGaps: false }))],
    axes: [{}, { size: 60 }],
  };
  const data = [xs, ...series.map((s) => s.values)];
  charts[id] = new uPlot(opts, data, container);
  const points = series.reduce((n, s) => n + s.values.filter((v) => v !== null && v !== undefined).length, 0);
  container.dataset.points = String(points);
}

const seconds = (iso) => Date.parse(iso) / 1000;

function renderRuns(runs) {
  const body = $('#runs tbody');
  body.replaceChildren();
  for (const run of runs) {
    const tr = body.insertRow();
    tr.dataset.runId = run.runId;
    const ratio = run.requests !== null && run.requestsLowerBound ? (run.requests / run.requestsLowerBound).toFixed(2) : null;
    const status = `${run.status}${run.partial ? ' (partial)' : ''}${run.backfill ? ' (backfill)' : ''}`;
    const cells = [
      [run.runId], [run.snapshotTime.replace('T', ' ').slice(0, 19)], [status, run.status],
      [run.flights, 'num'], [run.requests, 'num'], [ratio, 'num'], [run.truncatedCells, 'num'], [run.failedCells, 'num'],
      [run.quarantinedRows, 'num'], [run.stageSeconds.extract, 'num'], [run.stageSeconds.silver, 'num'], [run.stageSeconds.gold, 'num'],
      [run.errors[0] ? run.errors[0].slice(0, 80) : ''],
    ];
    for (const [text, className] of cells) tr.appendChild(cell('td', text, className));
    tr.addEventListener('click', () => {
      $('#run-detail').hidden = false;
      $('#run-detail-id').textContent = run.runId;
      $('#run-detail pre').textContent = JSON.stringify(run.manifest, null, 2);
    });
  }
}

function renderCharts(runs) {
  const ordered = [...runs].reverse(); // oldest first
  const xs = ordered.map((r) => seconds(r.snapshotTime));
  const succeeded = (r, v) => (r.status === 'succeeded' ? v : null);
  lineChart('flights', $('#chart-flights'), xs, [{ label: 'flights', color: '#1f6feb', values: ordered.map((r) => succeeded(r, r.flights)) }]);
  lineChart('durations', $('#chart-durations'), xs, [
    { label: 'extract', color: '#8250df', values: ordered.map((r) => r.stageSeconds.extract) },
    { label: 'silver', color: '#1f883d', values: ordered.map((r) => r.stageSeconds.silver) },
    { label: 'gold', color: '#bf8700', values: ordered.map((r) => r.stageSeconds.gold) },
  ]);
  lineChart('coverage', $('#chart-coverage'), xs, [
    { label: 'requests ÷ lower bound', color: '#1f6feb', values: ordered.map((r) => (r.requests !== null && r.requestsLowerBound ? r.requests / r.requestsLowerBound : null)) },
    { label: 'truncated cells', color: '#bf8700', values: ordered.map((r) => r.truncatedCells) },
    { label: 'failed cells', color: '#cf222e', values: ordered.map((r) => r.failedCells) },
  ]);
}

async function renderAnswers() {
  const at = $('#snapshot-select').value;
  const target = $('#answers');
  try {
    const { snapshotTime, answers } = await api(`/api/answers${at ? `?at=${encodeURIComponent(at)}` : ''}`);
    target.replaceChildren(cell('p', `snapshot ${snapshotTime}`, 'muted'));
    for (const answer of answers) {
      const question = questions.find((q) => q.name === answer.question);
      target.appendChild(cell('h3', `${answer.question}: ${question.description}`));
      target.appendChild(rowsTable(question.columns, answer.rows, { 'data-question': answer.question }));
    }
  } catch (error) {
    target.replaceChildren(cell('p', error.message, 'error'));
  }
}

async function renderTrend() {
  const name = $('#trend-question').value;
  const question = questions.find((q) => q.name === name);
  const metric = TREND_METRIC[name];
  try {
    const trend = await api(`/api/trends?question=${encodeURIComponent(name)}&last=${$('#trend-range').value}`);
    $('#trend-title').textContent = `${name}: largest ${metric} per hour, ${trend.from} to ${trend.to} UTC`;
    const xs = trend.hours.map((h) => seconds(`${h.hour}:00:00Z`));
    const values = trend.hours.map((h) => (h.rows && h.rows.length > 0 ? Math.max(...h.rows.map((r) => r[metric])) : null));
    lineChart('trend', $('#chart-trend'), xs, [{ label: metric, color: '#1f6feb', values }]);
    const notes = [];
    if (trend.missing.length > 0) notes.push(`${trend.missing.length} hour(s) without a complete snapshot: ${trend.missing.join(', ')}`);
    if (trend.withoutAnswers.length > 0) notes.push(`no stored answers (make backfill stage=gold): ${trend.withoutAnswers.join(', ')}`);
    $('#trend-missing').textContent = notes.join(' · ');
    const rows = trend.hours.flatMap((h) => (h.rows ?? []).map((r) => ({ hour: h.hour, ...r })));
    $('#trend-table').replaceChildren(rowsTable(['hour', ...question.columns], rows, { 'data-trend': name }));
  } catch (error) {
    $('#trend-missing').textContent = error.message;
  }
}

let questions = [];

async function refresh() {
  try {
    const [{ runs }, { snapshots }] = await Promise.all([api('/api/runs'), api('/api/snapshots')]);
    renderRuns(runs);
    renderCharts(runs);
    const select = $('#snapshot-select');
    const chosen = select.value;
    const hours = new Set(); // newest first: the newest snapshot of each hour, which ?at= picks
    select.replaceChildren(
      ...snapshots.filter((s) => s.hasAnswers && !hours.has(s.time.slice(0, 13)) && hours.add(s.time.slice(0, 13))).map((s) => {
        const option = cell('option', s.time.replace('T', ' ').slice(0, 19));
        option.value = s.time.slice(0, 13);
        return option;
      }),
    );
    if (chosen && [...select.options].some((o) => o.value === chosen)) select.value = chosen;
    await Promise.all([renderAnswers(), renderTrend()]);
    $('#refreshed').textContent = new Date().toISOString().slice(11, 19) + ' UTC';
    $('#error').textContent = '';
  } catch (error) {
    $('#error').textContent = error.message;
  }
  document.body.dataset.loaded = 'true';
}

async function start() {
  const info = await api('/api/info');
  questions = info.questions;
  $('#bucket').textContent = info.bucket;
  $('#spark-ui').href = info.links.sparkMasterUi;
  $('#minio-console').href = info.links.minioConsole;
  $('#trend-question').replaceChildren(...questions.map((q) => Object.assign(cell('option', q.name), { value: q.name })));
  $('#snapshot-select').addEventListener('change', renderAnswers);
  $('#trend-question').addEventListener('change', renderTrend);
  $('#trend-range').addEventListener('change', renderTrend);
  await refresh();
  setInterval(refresh, REFRESH_MS);
}

start().catch((error) => {
  $('#error').textContent = error.message;
});
