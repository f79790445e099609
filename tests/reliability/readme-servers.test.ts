import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { MODEL_PROFILES } from '../../fixtures/server/index.mjs';
import { fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { ROOT } from '../tune/tune-helpers.js';
import { DIRECT, cli } from './reliability-helpers.js';

// The config-list examples of docs/endpoints.md, "Local models and gateways", run against the fixture's
// imitation of each server (the `<!-- fixture: … -->` line above each names the quirks), with
// the model renamed to one the fixture knows when it is a local model's name.
const server = useFixtureServer({});
const tmp = useTempDir('autotune-readme-servers-');

function examples(): Array<{ quirks: string; yaml: string }> {
  const doc = readFileSync(join(ROOT, 'docs/endpoints.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Local models and gateways'), doc.indexOf('## Prices'));
  return [...section.matchAll(/<!-- fixture: (\S+) -->\n```yaml\n([\s\S]*?)```/g)].map((m) => ({ quirks: m[1] as string, yaml: m[2] as string }));
}

it('docs/endpoints.md shows the five servers', () => {
  expect(examples().map((e) => e.quirks)).toEqual(['llama-server', 'ollama', 'vllm', 'budget=1', 'portkey']);
});

describe.each(examples())('docs/endpoints.md example for $quirks', ({ quirks, yaml }) => {
  it('create -n 5 gets 5 samples through it', async () => {
    const list = parse(yaml) as Array<Record<string, unknown>>;
    const entries = list.map((e) => {
      const url = new URL(String(e.base_url));
      const model = typeof e.model === 'string' && !(e.model in MODEL_PROFILES) ? 'local-llama' : e.model;
      return { ...e, base_url: `${server().url}/${quirks}${url.pathname}`, ...(model ? { model } : {}) };
    });
    writeFileSync(join(tmp(), 'list.json'), JSON.stringify(entries));
    const env = fixtureEnv(server(), { VLLM_API_KEY: 'vllm-key-123456', LITELLM_API_KEY: 'sk-litellm-123456', PORTKEY_API_KEY: 'pk-portkey-123456' });
    const r = await cli(['create', '--model', 'gpt-4o-mini', '--prompt', DIRECT, '--var', 'problem=What is 7 * 6?', '-n', '5', '--config-list', 'list.json', '--json'], env, tmp());
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).choices).toHaveLength(5);
  });
});
