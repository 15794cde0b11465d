import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO, usePackedPackage } from '../helpers/packed-package';

/**
 * The README's code, compiled as a user's project compiles it: against the types of the packed
 * package (not src/), under `strict`, with each module resolution a user may have. A README block
 * that stops compiling fails here, with its line in README.md.
 */
const packed = usePackedPackage(['ws', '@types/ws', '@types/node', 'undici-types']);
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));

/** Blocks in these languages are not TypeScript; any other language must be taught to this test. */
const NOT_CODE = new Set(['sh', 'bash', 'console', 'text']);

/** The no-bundler page imports the browser file by path: the file behind `webconnection-websocket/browser`. */
const PAGE_IMPORT = './dist/webconnection-websocket.min.js';

interface Block {
  /** Line in README.md of the block's first line of code. */
  line: number;
  code: string;
}

function readmeBlocks(readme: string): Block[] {
  const blocks: Block[] = [];
  for (const m of readme.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)) {
    const [, lang, body] = m;
    const line = readme.slice(0, m.index).split('\n').length + 1;
    if (NOT_CODE.has(lang)) continue;
    if (lang === 'js' || lang === 'ts') blocks.push({ line, code: body });
    else if (lang === 'html') {
      for (const s of body.matchAll(/<script type="module">\n([\s\S]*?)<\/script>/g)) {
        const before = body.slice(0, s.index).split('\n').length;
        blocks.push({ line: line + before, code: s[1].replaceAll(`'${PAGE_IMPORT}'`, `'${pkg.name}/browser'`) });
      }
    } else throw new Error(`README.md:${line}: a \`\`\`${lang} block: compile it here or add "${lang}" to NOT_CODE`);
  }
  return blocks;
}

/**
 * Names that a README block uses after an earlier block (or the prose) introduced them. A block
 * that needs another one fails with "Cannot find name": add it here only if the README means it.
 */
const CONTEXT = `import type * as Sdk from '${pkg.name}';
declare global {
  const WebConnectionWebSocket: typeof Sdk.WebConnectionWebSocket;
  const socket: Sdk.WebConnectionWebSocket;
  const msg: Sdk.WebConnectionMessage;
  function badge(state: Sdk.ConnectionState, reason?: string, retryAt?: number): void;
}
export {};
`;

const MODES = {
  bundler: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler },
  node16: { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 },
  nodenext: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
} as const;

/** Every entry of the package, imported and used, in ESM and (where the resolution allows it) CommonJS. */
function entryFiles(mode: keyof typeof MODES): Record<string, string> {
  const specifiers = Object.keys(pkg.exports)
    .filter((e) => e !== './package.json')
    .map((e) => pkg.name + e.slice(1));
  const files: Record<string, string> = {
    'entries.ts': `${specifiers.map((s, i) => `import * as e${i} from '${s}';`).join('\n')}
export const exportCounts: number[] = [${specifiers.map((_, i) => `Object.keys(e${i}).length`).join(', ')}];
`,
  };
  if (mode !== 'bundler') {
    files['entries-require.cts'] = `${specifiers.map((s, i) => `import e${i} = require('${s}');`).join('\n')}
export const client = new e0.WebConnectionWebSocket({ url: 'ws://127.0.0.1:1/' });
export const kinds: string[] = [${specifiers.map((_, i) => `typeof e${i}`).join(', ')}];
`;
  }
  return files;
}

const parsed: Record<string, ts.SourceFile | undefined> = {};

/**
 * Writes the files into the fixture and type-checks them; returns the errors, README lines
 * resolved. `declarationsOnly`: no README blocks and no @types/node, so that the package's own
 * declarations can be checked (skipLibCheck off) without checking all of Node's.
 */
function compile(mode: keyof typeof MODES, blocks: Block[], declarationsOnly = false): string[] {
  const dir = join(packed().root, `src-${mode}-${Math.random().toString(36).slice(2)}`);
  const files: Record<string, string> = { 'readme-context.d.ts': CONTEXT, ...entryFiles(mode) };
  const lineOf = new Map<string, number>();
  blocks.forEach((b, i) => {
    const name = `readme-${i}.ts`;
    // Code first, so a diagnostic's line plus the block's start is its README line.
    files[name] = `${b.code}\nexport {};\n`;
    lineOf.set(join(dir, name), b.line);
  });
  ts.sys.createDirectory(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const options: ts.CompilerOptions = {
    ...MODES[mode],
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    types: declarationsOnly ? [] : ['node'],
    strict: true,
    noEmit: true,
    skipLibCheck: !declarationsOnly,
    skipDefaultLibCheck: true,
  };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, target, ...rest) => {
    // lib.dom and @types/node are parsed once for all the programs of the file.
    const key = `${name}|${JSON.stringify(target)}`;
    if (name.includes('/node_modules/') && !name.includes(`/${pkg.name}/`)) return (parsed[key] ??= read(name, target, ...rest));
    return read(name, target, ...rest);
  };
  const program = ts.createProgram({ rootNames: Object.keys(files).map((f) => join(dir, f)), options, host });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file) return text;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    const start = lineOf.get(d.file.fileName);
    return start === undefined ? `${d.file.fileName.replace(packed().root, '<fixture>')}:${line + 1}: ${text}` : `README.md:${start + line}: ${text}`;
  });
}

describe("the README's code against the packed package's types", () => {
  const blocks = readmeBlocks(readFileSync(join(REPO, 'README.md'), 'utf8'));

  it('finds the blocks, the Node one among them, which passes the ws class with no cast', () => {
    expect(pkg.exports['./browser'].default).toBe(PAGE_IMPORT);
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    const nodeBlock = blocks.find((b) => b.code.includes("from 'ws'"));
    expect(nodeBlock?.code).toContain("import { WebSocket } from 'ws';");
    expect(nodeBlock?.code).toMatch(/new WebConnectionWebSocket\(\{ url: [^}]*, WebSocket \}\)/);
    expect(nodeBlock?.code).not.toMatch(/\bas\b|<WebSocketConstructor>/);
  });

  for (const mode of Object.keys(MODES) as (keyof typeof MODES)[]) {
    it(`compiles under strict with moduleResolution ${mode}, every subpath included`, () => {
      expect(compile(mode, blocks)).toEqual([]);
    });
  }

  it("holds the package's own declaration files to strict too, in every mode", () => {
    for (const mode of Object.keys(MODES) as (keyof typeof MODES)[]) expect(compile(mode, [], true), mode).toEqual([]);
  });

  it('reports a block that does not compile, at its README line', () => {
    const broken = { line: 1000, code: "import { WebConnectionWebSocket } from 'webconnection-websocket';\nnew WebConnectionWebSocket({ queueLimit: 'many' });\n" };
    const errors = compile('bundler', [...blocks, broken]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^README\.md:1001: Type 'string' is not assignable to type 'number'/);
  });
});
