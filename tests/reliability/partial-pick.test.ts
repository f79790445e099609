import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { cli, killAll, reliabilityTuneYaml, spawnCli, waitFor, type CliChild } from './reliability-helpers.js';
import { writeTuneConfig } from '../tune/tune-helpers.js';

// A pick measured on part of the data never replaces a complete one: it goes to
// NAME.partial.yaml beside --output, and the warning on stderr says why the run stopped.
const server = useFixtureServer({ apiKeys: [FIXTURE_KEY] });
const tmp = useTempDir('autotune-partial-');
const children: CliChild[] = [];
afterEach(() => killAll(children));
beforeEach(() => server().resetStats());

const COMPLETE = '# a complete pick from an earlier run\nmodel: gpt-4\nn: 1\n';

describe('a partial pick never replaces a complete one', () => {
  it('a tune stopped by its budget before any trial saw every row writes best.partial.yaml and says "budget"', async () => {
    writeFileSync(join(tmp(), 'best.yaml'), COMPLETE);
    const file = writeTuneConfig(tmp(), reliabilityTuneYaml({ optimization_budget: '0.012', num_samples: '-1' }));
    const r = await cli(['tune', file, '--output', 'best.yaml', '--json'], fixtureEnv(server()), tmp());
    const report = JSON.parse(r.out) as { stop_reason: string; best_result: { rows: number } | null; output?: string; partial?: boolean };
    expect(report.stop_reason).toBe('budget');
    expect(report.best_result?.rows).toBeLessThan(60);
    expect(readFileSync(join(tmp(), 'best.yaml'), 'utf8')).toBe(COMPLETE);
    const partial = parse(readFileSync(join(tmp(), 'best.partial.yaml'), 'utf8')) as { tuning: { rows: number; total_rows: number; stop_reason: string } };
    expect(partial.tuning).toMatchObject({ rows: report.best_result?.rows, total_rows: 60, stop_reason: 'budget' });
    expect(report).toMatchObject({ output: 'best.partial.yaml', partial: true });
    expect(r.err).toMatch(/warning: the best config was measured on \d+ of 60 rows only \(stopped: budget: the optimization budget ran out\); saved to best\.partial\.yaml, best\.yaml left as it was/);
    expect(server().stats().cost).toBeLessThanOrEqual(0.012 + 1e-12);
  }, 120_000);

  it('Ctrl-C (SIGINT to the built CLI) writes best.partial.yaml, leaves best.yaml whole, and says "interrupted"', async () => {
    writeFileSync(join(tmp(), 'best.yaml'), COMPLETE);
    server().setOptions({ latencyMs: 30 });
    try {
      const file = writeTuneConfig(tmp(), reliabilityTuneYaml({ optimization_budget: '0.4', num_samples: '-1', log_file: 'log.jsonl' }));
      const c = spawnCli(['tune', file, '--output', 'best.yaml', '--json'], fixtureEnv(server()), tmp(), children);
      // interrupt as soon as a trial has a score on its first rows (6 of 60): the race is far
      // from measuring any trial on all 60
      const scored = (): boolean => existsSync(join(tmp(), 'log.jsonl')) && readFileSync(join(tmp(), 'log.jsonl'), 'utf8').split('\n').some((l) => /"type":"trial"/.test(l) && /"metric":[0-9]/.test(l));
      await waitFor(scored, 60_000, 'a scored trial');
      c.child.kill('SIGINT');
      const done = await c.done;
      expect(done.code).toBe(130);
      const report = JSON.parse(done.out) as { stop_reason: string; best_result: { rows: number } | null; output?: string };
      expect(report.stop_reason).toBe('interrupted');
      expect(report.best_result?.rows).toBeLessThan(60);
      expect(report.output).toBe('best.partial.yaml');
      expect(readFileSync(join(tmp(), 'best.yaml'), 'utf8')).toBe(COMPLETE);
      const partial = parse(readFileSync(join(tmp(), 'best.partial.yaml'), 'utf8')) as { tuning: { rows: number; stop_reason: string } };
      expect(partial.tuning).toMatchObject({ rows: report.best_result?.rows, stop_reason: 'interrupted' });
      expect(done.err).toMatch(/warning: the best config was measured on \d+ of 60 rows only \(stopped: interrupted\); saved to best\.partial\.yaml, best\.yaml left as it was/);
      expect(done.err).not.toMatch(/budget ran out/);
    } finally {
      server().setOptions({ latencyMs: 0 });
    }
  }, 120_000);

  it('a complete pick still goes to --output', async () => {
    writeFileSync(join(tmp(), 'best.yaml'), COMPLETE);
    const file = writeTuneConfig(tmp(), reliabilityTuneYaml({ optimization_budget: '0.5' }));
    const r = await cli(['tune', file, '--output', 'best.yaml', '--json'], fixtureEnv(server()), tmp());
    expect(r.code).toBe(0);
    const doc = parse(readFileSync(join(tmp(), 'best.yaml'), 'utf8')) as { tuning: { rows: number } };
    expect(doc.tuning.rows).toBe(60);
    expect(existsSync(join(tmp(), 'best.partial.yaml'))).toBe(false);
    expect(JSON.parse(r.out)).not.toHaveProperty('partial');
  }, 120_000);
});
