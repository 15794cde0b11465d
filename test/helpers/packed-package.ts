import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** The package as a consumer gets it: `npm pack`, extracted into a fixture's node_modules. */
export interface PackedPackage {
  /** The fixture project: its package.json says `"type": "module"`. */
  root: string;
  /** node_modules/webconnection-websocket inside the fixture. */
  dir: string;
  tarball: string;
  /** Every path in the tarball, relative to the package root, as `npm pack` lists them. */
  files: string[];
}

/**
 * Packs what the last build produced (`npm test` builds first; the prepack build is skipped here
 * so the suite never rewrites dist under the other tests) and installs the tarball into a fresh
 * fixture, offline. `links` are packages of the repo's node_modules that the fixture sees as its
 * own (e.g. typescript, ws, @types/ws), through symlinks rather than an install.
 */
export function packPackage(links: string[] = []): PackedPackage {
  for (const built of ['dist/index.js', 'types/index.d.ts']) {
    if (!existsSync(join(REPO, built))) throw new Error(`${built} is missing: run \`npm run build\` first (npm test does).`);
  }
  const root = mkdtempSync(join(tmpdir(), 'wcws-packed-'));
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', root], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [info] = JSON.parse(out) as { filename: string; name: string; files: { path: string }[] }[];
  const tarball = join(root, info.filename);
  const dir = join(root, 'node_modules', info.name);
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1']);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'fixture', private: true, type: 'module' }));
  for (const name of links) {
    const link = join(root, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(REPO, 'node_modules', name), link, 'junction');
  }
  return { root, dir, tarball, files: info.files.map((f) => f.path).sort() };
}

/** {@link packPackage} once for the file, removed after it. */
export function usePackedPackage(links: string[] = []): () => PackedPackage {
  let packed: PackedPackage | undefined;
  beforeAll(() => {
    packed = packPackage(links);
  });
  afterAll(() => {
    if (packed) rmSync(packed.root, { recursive: true, force: true });
  });
  return () => {
    if (!packed) throw new Error('usePackedPackage(): the package is packed in beforeAll');
    return packed;
  };
}
