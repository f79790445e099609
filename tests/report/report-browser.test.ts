import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { run } from '../../src/cli/main.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { captureIO } from '../helpers/cli.js';
import { TEST_DATA, readJsonl, tuneYaml, writeTuneConfig } from '../tune/tune-helpers.js';

/** Debian's chromium package (.ci/run installs it); the tests need a real browser. */
const CHROMIUM = '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
const suite = haveBrowser ? describe : describe.skip;

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY] });
const tmp = useTempDir('autotune-report-');

let browser: Browser | undefined;
beforeAll(async () => {
  if (haveBrowser) browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
});

/** The trials of the log's last run, each as its last line left it. */
function lastTrials(log: Array<Record<string, unknown>>): Array<Record<string, unknown> & { trial: number }> {
  const start = log.map((l) => l.type).lastIndexOf('start');
  const last = new Map<number, Record<string, unknown> & { trial: number }>();
  for (const l of log.slice(start)) if (l.type === 'trial') last.set(l.trial as number, l as Record<string, unknown> & { trial: number });
  return [...last.values()];
}

interface Drawn {
  scatter: number[];
  front: number[];
  pick: number[];
  budget: number[];
  history: number;
}

suite(`autotune report in a headless browser (${haveBrowser ? CHROMIUM : `skipped: no ${CHROMIUM}; apt-get install -y chromium`})`, () => {
  it('tune --report and report --results: one offline page; the scatter has a point per trial, the Pareto points and pick of the log, a table that sorts', async () => {
    const dir = tmp();
    const env = fixtureEnv(server(), { NO_COLOR: '1' });
    const file = writeTuneConfig(dir, tuneYaml({ optimization_budget: '0.4', log_file: 'log.jsonl' }));
    const tuned = captureIO(env, dir);
    expect(await run(['tune', file, '-o', 'best.yaml', '--json', '--report', 'tune.html'], tuned.io)).toBe(0);
    expect(tuned.err()).toMatch(/report written to tune\.html \(\d+ trials, \d+ on the Pareto front; \d+ KiB, opens offline\)/);
    expect(existsSync(join(dir, 'tune.html'))).toBe(true);

    // a test run of the pick, with an eval that fails on one row: the report lists that failure
    writeFileSync(join(dir, 'eval.mjs'), [
      'export default function (responses, row) {',
      "  if (row.id === 'arith-test-007') throw new Error('this row cannot be scored');",
      "  const last = (s) => (String(s).match(/-?\\d+/g) ?? []).at(-1);",
      '  return { success_vote: responses.some((r) => last(r) === String(row.answer)) ? 1 : 0 };',
      '}',
      '',
    ].join('\n'));
    const tested = captureIO(env, dir);
    expect(await run(['test', '--config', 'best.yaml', '--data', TEST_DATA, '--limit', '40', '--eval', './eval.mjs', '--results', 'results.jsonl', '--json'], tested.io)).toBe(1);
    const testJson = JSON.parse(tested.out()) as { metrics: { success_vote: number }; failed: number };
    expect(testJson.failed).toBe(1);

    const made = captureIO(env, dir);
    expect(await run(['report', 'log.jsonl', '--results', 'results.jsonl', '-o', 'page.html', '--json'], made.io)).toBe(0);
    const written = JSON.parse(made.out()) as { pareto: number[]; pick: number; trials: number };

    // what the log says, worked out here on its own
    const log = readJsonl(join(dir, 'log.jsonl'));
    const trials = lastTrials(log);
    const measured = trials.filter((t) => typeof t.metric === 'number' && typeof t.inference_cost === 'number' && t.state !== 'failed' && (t.rows as number) > 0) as Array<{ trial: number; metric: number; inference_cost: number }>;
    const front = measured.filter((t) => !measured.some((o) => o.metric >= t.metric && o.inference_cost <= t.inference_cost && (o.metric > t.metric || o.inference_cost < t.inference_cost))).map((t) => t.trial);
    const end = log.filter((l) => l.type === 'end').at(-1) as { best_trial: number };
    expect(written).toMatchObject({ trials: trials.length, pick: end.best_trial });
    expect([...written.pareto].sort((a, b) => a - b)).toEqual([...front].sort((a, b) => a - b));

    const page = await browser!.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    const url = pathToFileURL(join(dir, 'page.html')).href;
    page.on('request', (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    await page.goto(url, { waitUntil: 'load' });

    const drawn = await page.evaluate((): Drawn => {
      type ChartLike = { getDatasetMeta(i: number): { data: unknown[] }; data: { datasets: Array<{ data: Array<{ trial?: number; x: number }> }> } };
      const g = globalThis as unknown as { Chart: { getChart(c: unknown): ChartLike }; document: { getElementById(id: string): unknown } };
      const get = (id: string): ChartLike => g.Chart.getChart(g.document.getElementById(id));
      const scatter = get('scatter');
      const ids = (i: number): number[] => (scatter.data.datasets[i]?.data ?? []).map((p) => p.trial as number);
      // points actually drawn for the trials dataset (the chart's own element list)
      return {
        scatter: ids(0).slice(0, scatter.getDatasetMeta(0).data.length),
        front: ids(1),
        pick: ids(2),
        budget: (scatter.data.datasets[3]?.data ?? []).map((p) => p.x),
        history: get('history').getDatasetMeta(0).data.length,
      };
    });
    expect(drawn.scatter.sort((a, b) => a - b)).toEqual(measured.map((t) => t.trial).sort((a, b) => a - b));
    expect(drawn.front.sort((a, b) => a - b)).toEqual([...front].sort((a, b) => a - b));
    expect(drawn.pick).toEqual([end.best_trial]);
    expect(drawn.budget).toEqual([0.002, 0.002]);
    expect(drawn.history).toBe(measured.length);
    // the table marks the same trials
    expect((await page.$$eval('#trials tr.pareto', (rows) => rows.map((r) => Number(r.getAttribute('data-trial'))))).sort((a, b) => a - b)).toEqual([...front].sort((a, b) => a - b));
    expect(await page.$$eval('#trials tbody tr', (rows) => rows.length)).toBe(trials.length);

    // the table sorts: by the metric up, then down; by trial number
    const column = async (i: number): Promise<string[]> => page.$$eval(`#trials tbody tr td:nth-child(${i})`, (cells) => cells.map((c) => c.getAttribute('data-v') ?? ''));
    await page.click('#trials th:nth-child(4)');
    const up = (await column(4)).filter((v) => v !== '').map(Number);
    expect(up).toEqual([...up].sort((a, b) => a - b));
    expect(await page.getAttribute('#trials th:nth-child(4)', 'aria-sort')).toBe('ascending');
    await page.click('#trials th:nth-child(4)');
    const down = (await column(4)).filter((v) => v !== '').map(Number);
    expect(down).toEqual([...up].sort((a, b) => b - a));
    expect(down[0]).toBeGreaterThan(down.at(-1)!);
    await page.click('#trials th:nth-child(1)');
    expect((await column(1)).map(Number)).toEqual(trials.map((t) => t.trial).sort((a, b) => a - b));

    // the chosen config and the test run
    expect(await page.textContent('#chosen-config')).toMatch(/model: gpt-/);
    const testMetric = (await page.textContent('#test-0 .test-metric')) ?? '';
    expect(testMetric).toContain(testJson.metrics.success_vote.toFixed(3));
    expect(testMetric).toMatch(/95% CI \[0\.\d{3}, [01]\.\d{3}\]/);
    expect(await page.textContent('#test-0 .failures')).toMatch(/7\s*arith-test-007\s*eval threw: this row cannot be scored/);

    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    // offline for real: the page declares that it fetches nothing
    expect(readFileSync(join(dir, 'page.html'), 'utf8')).toMatch(/Content-Security-Policy" content="default-src 'none'/);
    await page.close();
  });

  it('a file that is not a trial log is exit 2 naming it, and nothing is written', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'notes.jsonl'), '{"hello": 1}\n');
    const c = captureIO(fixtureEnv(server(), { NO_COLOR: '1' }), dir);
    expect(await run(['report', 'notes.jsonl', '-o', 'page.html'], c.io)).toBe(2);
    expect(c.err()).toMatch(/notes\.jsonl: not a trial log of autotune tune: it has no start line/);
    expect(existsSync(join(dir, 'page.html'))).toBe(false);
    const none = captureIO(fixtureEnv(server(), { NO_COLOR: '1' }), dir);
    expect(await run(['report', 'missing.jsonl'], none.io)).toBe(2);
    expect(none.err()).toMatch(/missing\.jsonl: no such file/);
  });
});
