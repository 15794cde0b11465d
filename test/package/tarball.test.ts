import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { describe, expect, it } from 'vitest';
import { REPO, usePackedPackage } from '../helpers/packed-package';

/** What `npm publish` would upload, checked file by file: the package a user installs. */
const packed = usePackedPackage();
const read = (path: string) => readFileSync(join(packed().dir, path), 'utf8');
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
const repoUrl: string = pkg.homepage.replace(/#.*$/, '');

describe('the tarball', () => {
  it('holds the build, the types, the licence, the README and the guides, and nothing else', () => {
    const { files } = packed();
    const stray = files.filter((f) => !/^(dist\/.+\.(js|js\.map|cjs)|types\/.+\.d\.c?ts|docs\/[^/]+\.md|README\.md|LICENSE|package\.json)$/.test(f));
    expect(stray).toEqual([]);
    const guides = ['docs/CHANGELOG.md', 'docs/troubleshooting.md', 'docs/migrating-from-reconnecting-websocket.md'];
    for (const f of ['LICENSE', 'README.md', 'package.json', ...guides]) expect(files).toContain(f);
  });

  it('has every file package.json points at, and no chunk that no entry imports (a leftover of an older build)', () => {
    const { files } = packed();
    const targets = new Set<string>([pkg.main, pkg.types]);
    const walk = (node: unknown): void => {
      if (typeof node === 'string') targets.add(posix.normalize(node));
      else if (node && typeof node === 'object') Object.values(node).forEach(walk);
    };
    walk(pkg.exports);
    walk(pkg.typesVersions);
    for (const t of targets) expect(files, t).toContain(posix.normalize(t));

    const reached = new Set<string>();
    const visit = (file: string): void => {
      if (reached.has(file)) return;
      reached.add(file);
      const declarations = /\.d\.c?ts$/.test(file);
      for (const [, spec] of read(file).matchAll(/(?:from|import|import\(|require\()\s*["']([^"']+)["']/g)) {
        if (spec.startsWith('.')) visit(posix.join(posix.dirname(file), declarations ? spec.replace(/\.js$/, '.d.ts') : spec));
      }
    };
    [...targets].filter((t) => /\.(c?js|d\.c?ts)$/.test(t)).forEach((t) => visit(posix.normalize(t)));
    const code = files.filter((f) => /\.(c?js|d\.c?ts)$/.test(f));
    expect(code.filter((f) => !reached.has(f))).toEqual([]);
  });

  it('ships source maps that carry their sources, since src/ is not shipped', () => {
    const maps = packed().files.filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(4);
    for (const file of maps) {
      const map = JSON.parse(read(file)) as { sources: string[]; sourcesContent?: (string | null)[] };
      expect(existsSync(join(packed().dir, file.replace(/\.map$/, ''))), file).toBe(true);
      expect(map.sourcesContent?.length, file).toBe(map.sources.length);
      expect(map.sourcesContent!.filter((s) => typeof s !== 'string' || !s), file).toEqual([]);
    }
  });

  it("keeps reconnecting-websocket's licence banner in every file with its code, and its licence in LICENSE", () => {
    const withIt = packed()
      .files.filter((f) => f.endsWith('.js.map'))
      .filter((f) => (JSON.parse(read(f)).sources as string[]).some((s) => s.includes('/reconnecting-websocket/')))
      .map((f) => f.replace(/\.map$/, ''));
    // The main entry and the browser file carry the transport; a map that lost it must not pass as "no file has it".
    expect(withIt.sort()).toEqual(['dist/index.js', 'dist/webconnection-websocket.min.js']);
    for (const file of withIt) expect(read(file), file).toMatch(/\/\*!\n \* Reconnecting WebSocket\n \* by Pedro Ladaria <[^>\n]+>\n \* https:\/\/github\.com\/pladaria\/reconnecting-websocket\n \* License MIT\n \*\//);
    const license = read('LICENSE');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\)/);
    expect(license).toContain(readFileSync(join(REPO, 'node_modules/reconnecting-websocket/LICENSE'), 'utf8').trim());
    for (const file of withIt) expect(license).toContain(file);
  });

  it('links, from the README and the shipped guides, only to shipped files or to the repository', () => {
    const { files } = packed();
    const docs = files.filter((f) => f.endsWith('.md'));
    const broken: string[] = [];
    for (const doc of docs) {
      for (const [, target] of read(doc).matchAll(/\]\(([^)\s]+)\)/g)) {
        const [path] = target.split('#');
        if (/^[a-z]+:/i.test(path)) {
          // A link into our repository must name a path that exists there.
          const inRepo = path.match(new RegExp(`^${repoUrl}/(?:blob|tree)/main/(.+)$`));
          if (inRepo && !existsSync(join(REPO, inRepo[1]))) broken.push(`${doc}: ${target} (not in the repository)`);
        } else if (path && !files.includes(posix.normalize(posix.join(posix.dirname(doc), path)))) {
          broken.push(`${doc}: ${target} (not in the package)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('names its repository, bugs and licence, builds before packing, and states the Node versions that can require() it', () => {
    expect(pkg).toMatchObject({
      license: 'MIT',
      repository: { type: 'git', url: `git+${repoUrl}.git` },
      bugs: { url: `${repoUrl}/issues` },
      engines: { node: '^20.19.0 || >=22.12.0' },
      scripts: { prepack: 'npm run build' },
      type: 'module',
    });
    expect(pkg.dependencies ?? {}).toEqual({});
  });
});

describe('linters', () => {
  it('publint finds nothing, not even a suggestion', async () => {
    const { messages, pkg: lintedPkg } = await publint({ pkgDir: packed().dir, pack: false, level: 'suggestion' });
    expect(messages.map((m) => `${m.type}: ${formatMessage(m, lintedPkg)}`)).toEqual([]);
  });

  it('are-the-types-wrong finds no problem under its strictest profile (every entry; node10, node16 from CJS and from ESM, bundler)', () => {
    const cli = join(REPO, 'node_modules/@arethetypeswrong/cli/dist/index.js');
    // --no-definitely-typed: no look-up of @types packages on the registry; tests stay offline.
    // The default profile ("strict") judges every resolution, the require() branches and node10 too.
    const args = [cli, packed().tarball, '--no-definitely-typed', '--format', 'json'];
    const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
    expect(run.status, `attw:\n${run.stdout}\n${run.stderr}`).toBe(0);
    const { analysis } = JSON.parse(run.stdout) as { analysis: { entrypoints: Record<string, unknown> } };
    expect(Object.keys(analysis.entrypoints).sort()).toEqual(Object.keys(pkg.exports).sort());
  });
});

describe('loading it on Node', () => {
  const entries = Object.keys(pkg.exports)
    .filter((e) => e !== './package.json')
    .map((e) => pkg.name + e.slice(1));
  const node = (args: string[]) =>
    execFileSync(process.execPath, args, { cwd: packed().root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  it('require() and import give the same module for every entry, on a Node that can require() ES modules', () => {
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const out = {};
      for (const name of ${JSON.stringify(entries)}) {
        const esm = await import(name);
        const cjs = require(name);
        out[name] = Object.keys(esm).length > 0 && Object.keys(esm).every((k) => cjs[k] === esm[k]);
      }
      console.log(JSON.stringify(out));`;
    expect(JSON.parse(node(['--input-type=module', '-e', script]))).toEqual(Object.fromEntries(entries.map((e) => [e, true])));
  });

  it('require() on a Node that cannot load ES modules names the Node versions that can, and import()', () => {
    // A Node of the supported lines with require(esm) switched off behaves as Node 18 or 22.0-22.11 do.
    for (const name of entries) {
      let message = '';
      try {
        node(['--no-experimental-require-module', '-e', `require(${JSON.stringify(name)})`]);
      } catch (err) {
        message = (err as { stderr: string }).stderr;
      }
      expect(message, name).toContain(`${name} is an ES module, and Node ${process.version} cannot require() one. Use Node ^20.19.0 || >=22.12.0`);
      expect(message, name).toContain(`await import('${name}')`);
    }
    const viaImport = node(['--no-experimental-require-module', '--input-type=module', '-e', `console.log(typeof (await import('${pkg.name}')).WebConnectionWebSocket)`]);
    expect(viaImport.trim()).toBe('function');
  });
});
