import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../src/cli/main.js';
import { useTempDir } from '../helpers/fixture.js';
import { captureIO } from '../helpers/cli.js';

const tmp = useTempDir('autotune-prices-');

async function cli(argv: string[]) {
  const c = captureIO({ NO_COLOR: '1' }, tmp());
  const code = await run(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

describe('autotune prices', () => {
  it('prints the table a run would use: input, cached input and output per 1M tokens, with the source', async () => {
    const r = await cli(['prices', 'gpt-5-mini', 'o3-pro', 'gpt-4o-2024-08-06']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/gpt-5-mini\s+\$0\.25\s+\$0\.025\s+\$2\s+builtin/);
    // no cached price: cached prompt tokens cost the input price
    expect(r.out).toMatch(/o3-pro\s+\$20\s+\$20\s+\$80\s+builtin/);
    expect(r.out).toMatch(/gpt-4o-2024-08-06\s+\$2\.5\s+\$1\.25\s+\$10\s+builtin \(as gpt-4o\)/);
  });

  it('--json, --config overrides, and an unpriced model: exit 1 with a warning', async () => {
    writeFileSync(join(tmp(), 'tune.yaml'), 'prices:\n  my-model: [0.001, 0.002]\n  gpt-4o-mini: [0.0002, 0.0008, 0.0001]\n');
    const r = await cli(['prices', 'gpt-4o-mini', 'my-model', 'gpt-4o-mini-typo', 'constructor', '--config', 'tune.yaml', '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as { prices: Array<Record<string, unknown>> };
    expect(j.prices).toEqual([
      { model: 'gpt-4o-mini', input: 0.0002, cached_input: 0.0001, output: 0.0008, source: 'config', matched: 'gpt-4o-mini' },
      { model: 'my-model', input: 0.001, cached_input: 0.001, output: 0.002, source: 'config', matched: 'my-model' },
      { model: 'gpt-4o-mini-typo', input: null, cached_input: null, output: null, source: 'none', matched: null },
      { model: 'constructor', input: null, cached_input: null, output: null, source: 'none', matched: null },
    ]);
    expect(r.err).toContain('no price for gpt-4o-mini-typo, constructor');
  });

  it('with no model, lists the whole table', async () => {
    const r = await cli(['prices', '--json']);
    expect(r.code).toBe(0);
    const models = (JSON.parse(r.out) as { prices: Array<{ model: string }> }).prices.map((p) => p.model);
    for (const m of ['gpt-5.1', 'gpt-5.4', 'gpt-5.4-mini', 'gpt-5.5', 'gpt-4.1-nano', 'o3', 'o3-pro', 'o4-mini', 'gpt-4o-mini']) expect(models).toContain(m);
  });
});
