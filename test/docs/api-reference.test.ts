import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/packed-package';

const files = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).replaceAll('\\', '/'))
    .sort();

const out = mkdtempSync(join(tmpdir(), 'wcws-api-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('docs/api, the API reference', () => {
  it('is what `npm run docs` makes from the JSDoc now (else run npm run docs and commit docs/api)', () => {
    // The same options as `npm run docs`, into a temporary folder; warnings (a broken {@link}, an
    // exported API that names an unexported type) are errors there.
    const typedoc = join(REPO, 'node_modules/typedoc/bin/typedoc');
    const run = spawnSync(process.execPath, [typedoc, '--options', 'docs/typedoc.json', '--out', out], { cwd: REPO, encoding: 'utf8' });
    expect(run.status, `typedoc failed:\n${run.stdout}\n${run.stderr}`).toBe(0);

    const committed = join(REPO, 'docs/api');
    const want = files(out);
    const have = files(committed);
    expect(want).toContain('webconnection-websocket/classes/WebConnectionWebSocket.md');
    const stale = {
      missing: want.filter((f) => !have.includes(f)),
      extra: have.filter((f) => !want.includes(f)),
      changed: want.filter((f) => have.includes(f) && readFileSync(join(out, f), 'utf8') !== readFileSync(join(committed, f), 'utf8')),
    };
    expect(stale).toEqual({ missing: [], extra: [], changed: [] });
  });
});
