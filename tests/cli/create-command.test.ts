import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli/main.js';
import { captureIO } from '../helpers/cli.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY], retryAfterMs: 20 });
const tmp = useTempDir('autotune-create-');
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const problem = 'A baker makes 7 trays of 20 rolls and sells 90 of them. How many rolls are left?';
beforeEach(() => server().resetStats());

function cli(extra: Record<string, string | undefined> = {}) {
  return captureIO({ ...fixtureEnv(server(), { NO_COLOR: '1' }), ...extra }, tmp());
}

function write(name: string, text: string): string {
  writeFileSync(join(tmp(), name), text);
  return name;
}

describe('autotune create', () => {
  it('prints each choice, then cost, cached, config_id and pass_filter; a repeat is a cache hit', async () => {
    const args = ['create', '--model', 'gpt-3.5-turbo', '--prompt', "{problem} Let's think step by step.", '--var', `problem=${problem}`, '-n', '2', '--temperature', '0.7'];
    const c = cli();
    expect(await run(args, c.io)).toBe(0);
    expect(c.out()).toMatch(/--- choice 0 \(stop\)[\s\S]*answer is[\s\S]*--- choice 1/);
    expect(c.out()).toMatch(/cost\s+\$\d\.\d+ at list price, \$\d\.\d+ paid now/);
    expect(c.out()).toMatch(/cached\s+no/);
    expect(c.out()).toMatch(/config_id\s+0/);
    expect(c.out()).toMatch(/pass_filter\s+true/);
    const again = cli();
    expect(await run(args, again.io)).toBe(0);
    expect(again.out()).toMatch(/cached\s+yes/);
    expect(again.out()).toMatch(/\$0 paid now/);
    expect(server().stats().requests).toBe(1);
    // the cache lives under the working directory's .cache/41
    expect(readFileSync(join(tmp(), '.cache', '41', 'cache.sqlite')).length).toBeGreaterThan(0);
  });

  it('--json prints the response with cost, paid, cached, config_id, pass_filter', async () => {
    const c = cli();
    expect(await run(['create', '--model', 'gpt-4', '--prompt', 'hi {who}', '--context', '{"who": "there"}', '--json'], c.io)).toBe(0);
    const r = JSON.parse(c.out()) as Record<string, unknown>;
    expect(r).toMatchObject({ object: 'chat.completion', model: 'gpt-4', cached: false, config_id: 0, pass_filter: true });
    expect(r.cost).toBeCloseTo(server().stats().cost, 12);
    expect(server().stats().log[0]?.model).toBe('gpt-4');
  });

  it('takes a saved config (module templates too) and lets flags override it', async () => {
    write('prompts.mjs', 'export function ask(row) { return `Q: ${row.problem}`; }\n');
    write('best.yaml', ['model: gpt-3.5-turbo', 'prompt: {module: ./prompts.mjs, export: ask}', 'temperature: 0', 'max_tokens: 300', 'eval: builtin:answer_vote', 'metric: success_vote', 'tuning: {trials: 3}', ''].join('\n'));
    const c = cli();
    expect(await run(['create', '--config', 'best.yaml', '--var', `problem=${problem}`, '--model', 'gpt-4', '--json'], c.io)).toBe(0);
    const r = JSON.parse(c.out()) as { model: string };
    expect(r.model).toBe('gpt-4');
  });

  it('fails over through a config list file, and a filter moves on to the next endpoint', async () => {
    write('endpoints.yaml', [`- {base_url: "${server().baseURL}", api_key: "wrong-key-123456"}`, `- {base_url: "${server().baseURL}", api_key: "\${OPENAI_API_KEY}", model: gpt-3.5-turbo}`, `- {base_url: "${server().baseURL}", api_key: "\${OPENAI_API_KEY}", model: gpt-4}`, ''].join('\n'));
    write('filter.mjs', 'export default function (context, response) { return response.model === "gpt-4"; }\n');
    const c = cli();
    expect(await run(['create', '--model', 'gpt-4', '--prompt', 'hi', '--config-list', 'endpoints.yaml', '--filter', 'filter.mjs', '--json'], c.io)).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject({ config_id: 2, pass_filter: true, model: 'gpt-4' });
    expect(c.err()).toMatch(/warning: config 0 .* failed \(auth/);
    expect(c.err()).not.toContain('wrong-key-123456');
  });

  it('reads OAI_CONFIG_LIST (JSON text) and talks to an Azure-style endpoint', async () => {
    const list = JSON.stringify([{ base_url: server().url, api_type: 'azure', api_version: '2024-06-01', api_key: '${OPENAI_API_KEY}' }]);
    const c = cli({ OPENAI_BASE_URL: undefined, OAI_CONFIG_LIST: list });
    expect(await run(['create', '--model', 'gpt-35-turbo', '--prompt', 'hi', '--json'], c.io)).toBe(0);
    expect(server().stats().log[0]?.path).toMatch(/^\/openai\/deployments\/gpt-35-turbo\/chat\/completions/);
  });

  it('a model without a known price costs $0, with one clear warning', async () => {
    const c = cli();
    expect(await run(['create', '--model', 'local-llama', '--prompt', 'hi', '-n', '2'], c.io)).toBe(0);
    expect(c.err()).toMatch(/warning: no price known for model local-llama: its cost counts as \$0 \(add it under prices: in the config\)/);
    expect(c.err().match(/warning/g)).toHaveLength(1);
    expect(c.out()).toMatch(/cost\s+\$0 at list price/);
  });

  it('bad input exits 2 with the field named: no model, a missing template field, a bad flag', async () => {
    const noModel = cli();
    expect(await run(['create', '--prompt', 'hi'], noModel.io)).toBe(2);
    expect(noModel.err()).toMatch(/no model given[\s\S]*hint: pass --model/);
    const missing = cli();
    expect(await run(['create', '--model', 'gpt-4', '--prompt', '{question}', '--var', 'problem=x'], missing.io)).toBe(2);
    expect(missing.err()).toMatch(/template field \{question\}[\s\S]*available fields: problem/);
    const flag = cli();
    expect(await run(['create', '--model', 'gpt-4', '--prompt', 'x', '--temperature', 'hot'], flag.io)).toBe(2);
    expect(flag.err()).toMatch(/error: --temperature: must be a number/);
    expect(server().stats().requests).toBe(0);
  });

  it('when every endpoint fails it prints each reason and exits 1', async () => {
    const c = cli({ OPENAI_API_KEY: 'not-the-right-key-1' });
    expect(await run(['create', '--model', 'gpt-4', '--prompt', 'hi'], c.io)).toBe(1);
    expect(c.err()).toMatch(/every endpoint in config_list failed:[\s\S]*config 0 .*: auth 401/);
    expect(c.err()).not.toContain('not-the-right-key-1');
  });

  it('runs as a real executable (bin/autotune.js) with the same output', async () => {
    // async spawn: the fixture server lives in this process and must keep answering
    const child = spawn(process.execPath, [join(ROOT, 'bin/autotune.js'), 'create', '--model', 'gpt-4', '--prompt', 'hi', '--json'], {
      cwd: tmp(),
      env: { ...process.env, ...fixtureEnv(server()) },
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ model: 'gpt-4', config_id: 0 });
  });
});
