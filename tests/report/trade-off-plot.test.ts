import { Chalk } from 'chalk';
import { run } from '../../src/cli/main.js';
import { renderTradeOffPlot } from '../../src/cli/render/trade-off-plot.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { captureIO } from '../helpers/cli.js';
import { tuneYaml, writeTuneConfig } from '../tune/tune-helpers.js';

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY] });
const tmp = useTempDir('autotune-plot-');
const ANSI = /\u001b\[/;

describe('the terminal cost-vs-metric plot', () => {
  const points = [
    { cost: 0.001, metric: 0.5, pareto: true, pick: false },
    { cost: 0.005, metric: 0.2, pareto: false, pick: false },
    { cost: 0.02, metric: 0.9, pareto: true, pick: true },
  ];

  it('puts each trial in its braille cell: cost across (log scale over a factor > 10), metric up; the pick as ★', () => {
    const lines = renderTradeOffPlot(points, { metric: 'acc', width: 20, height: 4, inferenceBudget: 0.01, c: new Chalk({ level: 0 }) });
    expect(lines).toHaveLength(1 + 4 + 2);
    expect(lines[0]).toBe('acc vs USD per instance (log scale): ⣿ Pareto front  ★ pick  ┊ inference budget');
    const area = lines.slice(1, 5).map((l) => l.slice(9)); // after the 7-wide label and the axis
    expect(lines[1]!.startsWith('  0.900 ┤')).toBe(true);
    expect(lines[4]!.startsWith('  0.200 ┤')).toBe(true);
    // the pick: the dearest and best, top right
    expect(area[0]![19]).toBe('★');
    // 0.5 at $0.001: dot row round(0.3 / 0.7 × 15) = 6 from the bottom = 9 from the top: line 2, dot row 1, left column
    expect(area[2]![0]).toBe(String.fromCodePoint(0x2800 + 0x02));
    // 0.2 at $0.005: log position 0.537 of 39 dots = 21, cell 10, right column; the bottom dot row
    expect(area[3]![10]).toBe(String.fromCodePoint(0x2800 + 0x80));
    // the budget ($0.01, log position 0.77 → dot 30, cell 15) as a dotted column where nothing is drawn
    expect(area.map((l) => l[15])).toEqual(['┊', '┊', '┊', '┊']);
    expect(lines[6]).toMatch(/^ {9}\$0\.0010 +\$0\.020$/);
    expect(lines.join('\n')).not.toMatch(ANSI);
  });

  it('colours the Pareto front apart from the other trials, when colours are on', () => {
    const lines = renderTradeOffPlot(points, { metric: 'acc', width: 20, height: 4, c: new Chalk({ level: 1 }) });
    expect(lines[3]).toContain(`\u001b[33m${String.fromCodePoint(0x2802)}`); // yellow: on the front
    expect(lines[4]).toContain(`\u001b[34m${String.fromCodePoint(0x2880)}`); // blue: dominated
  });

  it('after a tune: shown on a terminal (no colour with NO_COLOR), never in a pipe or with --json', async () => {
    const file = writeTuneConfig(tmp(), tuneYaml({ optimization_budget: '0.1' }));
    const tty = captureIO(fixtureEnv(server(), { NO_COLOR: '1' }), tmp(), { tty: true });
    expect(await run(['tune', file], tty.io)).toBe(0);
    expect(tty.out()).toMatch(/success_vote vs USD per instance/);
    expect(tty.out()).toContain('★');
    expect(tty.out()).not.toMatch(ANSI);
    const coloured = captureIO(fixtureEnv(server(), { FORCE_COLOR: '1' }), tmp(), { tty: true });
    expect(await run(['tune', file], coloured.io)).toBe(0);
    expect(coloured.out()).toMatch(/\u001b\[32m\u001b\[1m★/);
    const pipe = captureIO(fixtureEnv(server(), { NO_COLOR: '1' }), tmp());
    expect(await run(['tune', file], pipe.io)).toBe(0);
    expect(pipe.out()).not.toMatch(/vs USD per instance/);
    const json = captureIO(fixtureEnv(server(), { NO_COLOR: '1' }), tmp(), { tty: true });
    expect(await run(['tune', file, '--json'], json.io)).toBe(0);
    expect(json.out()).not.toMatch(/vs USD per instance/);
  });
});
