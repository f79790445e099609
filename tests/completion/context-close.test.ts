import { openRunContext } from '../../src/index.js';
import { fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';

const server = useFixtureServer({});
const tmp = useTempDir('autotune-context-close-');

/** Wait until `check` holds (the server sees a closed socket a moment after the client closes it). */
async function eventually(check: () => Promise<boolean>, ms = 3000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

describe('closing a run context', () => {
  it('closes the idle keep-alive connections its engine opened, and the engine can still send afterwards', async () => {
    const run = openRunContext({ env: fixtureEnv(server()), cachePathRoot: tmp(), concurrency: 4 });
    const ask = (i: number) => run.engine.create({ params: { model: 'gpt-4o-mini', prompt: `What is ${i} + 1?` }, useCache: false });
    await Promise.all([1, 2, 3, 4].map(ask));
    // the answers are in, the connections stay open for the next requests (keep-alive)
    expect(await server().connections()).toBeGreaterThan(0);
    run.close();
    expect(await eventually(async () => (await server().connections()) === 0)).toBe(true);
    // closing let go of connections, not of the ability to send
    const again = await ask(5);
    expect(again.choices.length).toBe(1);
    run.close();
  });
});
