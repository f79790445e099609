import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError, loadDataset, streamDataset, streamDatasetBatches, type DatasetRow } from '../../src/index.js';
import { useTempDir } from '../helpers/fixture.js';

const tmp = useTempDir('autotune-dataset-');

function file(name: string, text: string): string {
  const path = join(tmp(), name);
  writeFileSync(path, text);
  return path;
}

async function collect(path: string, requiredFields?: string[], maxLineBytes?: number): Promise<DatasetRow[]> {
  const out: DatasetRow[] = [];
  for await (const item of streamDataset(path, { ...(requiredFields ? { requiredFields } : {}), ...(maxLineBytes ? { maxLineBytes } : {}) })) out.push(item);
  return out;
}

async function failure(p: Promise<unknown>): Promise<DatasetError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(DatasetError);
  return err as DatasetError;
}

describe('streamDataset', () => {
  it('yields one object per line with its 1-based line, skipping blank lines (CRLF and a BOM too)', async () => {
    const path = file('d.jsonl', '\uFEFF{"id": 1}\r\n\r\n  \n{"id": 2, "x": {"y": 3}}\n{"id": 3}');
    const rows = await collect(path);
    expect(rows).toEqual([
      { row: { id: 1 }, line: 1 },
      { row: { id: 2, x: { y: 3 } }, line: 4 },
      { row: { id: 3 }, line: 5 },
    ]);
  });

  it('names the file and line of a line that is not JSON, with a snippet, and has exit code 2', async () => {
    const path = file('bad.jsonl', '{"a": 1}\n{"a": 2}\n{"a": oops}\n');
    const err = await failure(collect(path));
    expect(err).toMatchObject({ file: path, line: 3, exitCode: 2, code: 'E_DATASET_JSON' });
    expect(err.message).toContain('{"a": oops}');
    expect(err.location).toBe(`${path}:3`);
  });

  it('rejects a line that is not an object', async () => {
    const err = await failure(collect(file('arr.jsonl', '{"a": 1}\n[1, 2]\n')));
    expect(err).toMatchObject({ line: 2, code: 'E_DATASET_ROW' });
    expect(err.message).toMatch(/an array, not a JSON object/);
    await expect(collect(file('num.jsonl', '42\n'))).rejects.toThrow(/a number, not a JSON object/);
  });

  it('checks required fields, listing the row\'s fields; dotted names reach nested objects', async () => {
    const path = file('f.jsonl', '{"problem": "p", "meta": {"q": 1}}\n{"question": "q", "answer": 4}\n');
    await expect(collect(path, ['problem', 'meta.q']).then((r) => r.length)).rejects.toBeInstanceOf(DatasetError);
    const err = await failure(collect(path, ['problem']));
    expect(err).toMatchObject({ file: path, line: 2, field: 'problem', code: 'E_DATASET_FIELD' });
    expect(err.message).toContain("'problem'");
    expect(err.hint).toBe("the row's fields: question, answer");
    expect((await collect(file('ok.jsonl', '{"meta": {"q": 1}}\n'), ['meta.q'])).length).toBe(1);
  });

  it('reports a missing file and an empty dataset', async () => {
    const missing = join(tmp(), 'nope.jsonl');
    const err = await failure(collect(missing));
    expect(err.message).toContain('no such file');
    expect(err.file).toBe(missing);
    const empty = await failure(collect(file('empty.jsonl', '\n \n')));
    expect(empty).toMatchObject({ code: 'E_DATASET_EMPTY' });
    await expect(collect(tmp())).rejects.toThrow(/not a file/);
  });

  it('accepts a .json file holding an array, with the line each element starts on', async () => {
    const path = file('d.json', '[\n  {"id": 1, "s": "a,[{b"},\n  {"id": 2},\n\n  {"id": 3,\n   "t": [1, 2]}\n]\n');
    expect(await collect(path)).toEqual([
      { row: { id: 1, s: 'a,[{b' }, line: 2 },
      { row: { id: 2 }, line: 3 },
      { row: { id: 3, t: [1, 2] }, line: 5 },
    ]);
    const err = await failure(collect(file('bad.json', '[\n {"id": 1},\n "x"\n]')));
    expect(err).toMatchObject({ line: 3, code: 'E_DATASET_ROW' });
    await expect(collect(file('syntax.json', '[\n {"id": 1},\n {"id": }\n]'))).rejects.toMatchObject({ line: 3, code: 'E_DATASET_JSON' });
    // a .json file of JSON lines is read as JSONL
    expect((await collect(file('lines.json', '{"id": 1}\n{"id": 2}\n'))).length).toBe(2);
  });

  it('streams 50k lines without holding them (stops early on break)', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 50_000; i++) lines.push(JSON.stringify({ id: i, problem: `question number ${i}` }));
    const path = file('big.jsonl', `${lines.join('\n')}\n`);
    let count = 0;
    let last = 0;
    let mismatches = 0;
    for await (const { row, line } of streamDataset(path, { requiredFields: ['problem'] })) {
      count++;
      last = line;
      if (row.id !== line - 1) mismatches++;
    }
    expect([count, last, mismatches]).toEqual([50_000, 50_000, 0]);
    let seen = 0;
    for await (const _ of streamDataset(path)) if (++seen === 10) break;
    expect(seen).toBe(10);
  });
});

describe('streamDataset: bounded by construction', () => {
  // Before: every 8 KiB read re-scanned the whole unfinished line, so an 8 MB line took 39 s
  // (quadratic). Linear, it takes a fraction of a second; the timeout leaves room for a loaded
  // machine while failing the quadratic reader.
  it('reads an 8 MB line in linear time', async () => {
    const big = 'x'.repeat(8 * 1024 * 1024);
    const path = file('long.jsonl', `{"id": 1}\n${JSON.stringify({ id: 2, text: big })}\n{"id": 3}\n`);
    const rows = await collect(path);
    expect(rows.map((r) => [r.row.id, r.line])).toEqual([[1, 1], [2, 2], [3, 3]]);
    expect((rows[1]?.row.text as string).length).toBe(big.length);
  }, 15_000);

  it('refuses a line over the maximum length with file:line (default 16 MiB, maxLineBytes overrides)', async () => {
    const path = file('over.jsonl', `{"id": 1}\n{"id": 2, "pad": "${'y'.repeat(5000)}"}\n{"id": 3}\n`);
    const seen: unknown[] = [];
    const err = await failure(
      (async () => {
        for await (const { row } of streamDataset(path, { maxLineBytes: 4096 })) seen.push(row.id);
      })(),
    );
    expect(seen).toEqual([1]);
    expect(err).toMatchObject({ file: path, line: 2, exitCode: 2, code: 'E_DATASET_LINE_TOO_LONG' });
    expect(err.message).toMatch(/longer than 4096 bytes/);
    expect(err.hint).toMatch(/max_line_bytes/);
    // the same file under the default maximum
    expect((await collect(path)).length).toBe(3);
    // an unended last line over the maximum too (it is never buffered whole)
    const tail = file('tail.jsonl', `{"id": 1}\n${'z'.repeat(20_000)}`);
    await expect(collect(tail, undefined, 4096)).rejects.toMatchObject({ line: 2, code: 'E_DATASET_LINE_TOO_LONG' });
  });

  it('refuses a line over the default 16 MiB', async () => {
    const path = file('huge.jsonl', `{"id": 1}\n{"pad": "${'w'.repeat(17 * 1024 * 1024)}"}\n`);
    await expect(collect(path)).rejects.toMatchObject({ file: path, line: 2, code: 'E_DATASET_LINE_TOO_LONG', message: expect.stringMatching(/16 MiB/) });
  }, 15_000);

  it('refuses invalid UTF-8 in a row with file:line instead of replacing it and scoring the row', async () => {
    const path = join(tmp(), 'latin1.jsonl');
    writeFileSync(path, Buffer.concat([Buffer.from('{"q": "ok"}\n{"q": "caf'), Buffer.from([0xe9]), Buffer.from('"}\n{"q": "fine"}\n')]));
    const seen: unknown[] = [];
    const err = await failure(
      (async () => {
        for await (const { row } of streamDataset(path)) seen.push(row.q);
      })(),
    );
    expect(seen).toEqual(['ok']);
    expect(err).toMatchObject({ file: path, line: 2, exitCode: 2, code: 'E_DATASET_UTF8' });
    expect(err.hint).toMatch(/UTF-8/);
    // a .json array too
    const json = join(tmp(), 'latin1.json');
    writeFileSync(json, Buffer.concat([Buffer.from('[\n {"q": "a"},\n {"q": "caf'), Buffer.from([0xe9]), Buffer.from('"}\n]\n')]));
    await expect(collect(json)).rejects.toMatchObject({ file: json, line: 3, code: 'E_DATASET_UTF8' });
    // multi-byte characters split across 8 KiB reads are fine
    const emoji = file('emoji.jsonl', Array.from({ length: 3000 }, (_, i) => JSON.stringify({ i, s: '😀é中' })).join('\n'));
    expect((await collect(emoji)).every((r) => r.row.s === '😀é中')).toBe(true);
  });
});

describe('streamDatasetBatches', () => {
  it('yields the same rows as streamDataset, at most 64 at a time, lines intact across chunks', async () => {
    const text = Array.from({ length: 30000 }, (_, i) => JSON.stringify({ id: i, pad: 'x'.repeat(20) })).join('\n');
    const path = file('big.jsonl', text);
    const batches: DatasetRow[][] = [];
    for await (const batch of streamDatasetBatches(path, { requiredFields: ['id'] })) batches.push(batch);
    expect(batches.length).toBeGreaterThan(1); // ~1 MB of JSONL, read 8 KiB at a time
    expect(batches.flat()).toEqual(await collect(path));
    // parsed a few dozen rows at a time, not a whole chunk at once
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(64);
    // every row whole and on its own line, though lines straddle the 8 KiB reads
    expect(batches.flat().map((b) => [b.row.id, b.line])).toEqual(Array.from({ length: 30000 }, (_, i) => [i, i + 1]));
  });

  it('hands out the rows before a bad one first, so a caller that stops early never meets it', async () => {
    const path = file('late.jsonl', '{"a": 1}\n{"a": 2}\n{"a": 3}\n{"a": oops}\n');
    const seen: unknown[] = [];
    const err = await failure(
      (async () => {
        for await (const batch of streamDatasetBatches(path)) seen.push(...batch.map((b) => b.row.a));
      })(),
    );
    expect(seen).toEqual([1, 2, 3]);
    expect(err.line).toBe(4);
    expect((await loadDataset(path, { limit: 2 })).rows).toEqual([{ a: 1 }, { a: 2 }]);
    const fields = file('late-field.jsonl', '{"p": 1}\n{"p": 2}\n{"q": 3}\n');
    expect((await loadDataset(fields, { requiredFields: ['p'], limit: 2 })).rows).toHaveLength(2);
    await expect(loadDataset(fields, { requiredFields: ['p'] })).rejects.toMatchObject({ line: 3, field: 'p' });
  });
});

describe('loadDataset', () => {
  it('reads rows and lines, honouring limit', async () => {
    const path = file('d.jsonl', '{"id": 1}\n\n{"id": 2}\n{"id": 3}\n');
    expect(await loadDataset(path)).toEqual({ file: path, rows: [{ id: 1 }, { id: 2 }, { id: 3 }], lines: [1, 3, 4] });
    expect(await loadDataset(path, { limit: 2 })).toEqual({ file: path, rows: [{ id: 1 }, { id: 2 }], lines: [1, 3] });
    await expect(loadDataset(path, { requiredFields: ['problem'] })).rejects.toMatchObject({ line: 1, field: 'problem' });
  });

  it('reads the fixture arith data', async () => {
    const { rows } = await loadDataset('fixtures/data/arith/tune.jsonl', { requiredFields: ['problem', 'answer'] });
    expect(rows.length).toBe(60);
  });
});
