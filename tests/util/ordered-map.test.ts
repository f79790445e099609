import { mapOrdered } from '../../src/util/ordered-map.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('mapOrdered', () => {
  it('delivers results in input order while work finishes out of order', async () => {
    const out: Array<[number, number]> = [];
    const taken = await mapOrdered([30, 5, 20, 1, 10, 0], {
      window: 3,
      work: async (ms) => {
        await sleep(ms);
        return ms * 2;
      },
      sink: (r, i) => void out.push([i, r]),
    });
    expect(taken).toBe(6);
    expect(out).toEqual([[0, 60], [1, 10], [2, 40], [3, 2], [4, 20], [5, 0]]);
  });

  it('never has more than `window` items between input and sink, for any input size', async () => {
    let active = 0;
    let maxActive = 0;
    let sunk = 0;
    let misordered = 0;
    async function* items(): AsyncGenerator<number> {
      for (let i = 0; i < 5000; i++) yield i;
    }
    await mapOrdered(items(), {
      window: 8,
      work: async (i) => {
        active++;
        maxActive = Math.max(maxActive, active);
        if (i % 7 === 0) await new Promise((r) => setImmediate(r));
        return i;
      },
      sink: (r, i) => {
        if (r !== i || i !== sunk) misordered++;
        active--;
        sunk++;
      },
    });
    expect([sunk, misordered]).toEqual([5000, 0]);
    expect(maxActive).toBeLessThanOrEqual(8);
  });

  it('stops taking items when asked, and finishes what is in flight', async () => {
    const seen: number[] = [];
    let stop = false;
    const taken = await mapOrdered(Array.from({ length: 100 }, (_, i) => i), {
      window: 4,
      shouldStop: () => stop,
      work: async (i) => {
        await sleep(1);
        if (i === 5) stop = true;
        return i;
      },
      sink: (r) => void seen.push(r),
    });
    expect(taken).toBeLessThan(12);
    expect(seen).toEqual(Array.from({ length: taken }, (_, i) => i));
  });

  it('rethrows a work failure after the rest settles, and an input failure too', async () => {
    let settled = 0;
    await expect(
      mapOrdered([1, 2, 3, 4], {
        window: 4,
        work: async (i) => {
          await sleep(i * 3);
          settled++;
          if (i === 1) throw new Error('boom');
          return i;
        },
        sink: () => undefined,
      }),
    ).rejects.toThrow('boom');
    expect(settled).toBe(4);
    async function* broken(): AsyncGenerator<number> {
      yield 1;
      throw new Error('bad input');
    }
    const sunk: number[] = [];
    await expect(mapOrdered(broken(), { window: 2, work: async (i) => i, sink: (r) => void sunk.push(r) })).rejects.toThrow('bad input');
    expect(sunk).toEqual([1]);
    await expect(mapOrdered([1], { window: 0, work: async (i) => i, sink: () => undefined })).rejects.toThrow(RangeError);
  });
});
