import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO, usePackedPackage } from '../helpers/packed-package';

/**
 * The code of the README and of the guides, compiled as a user's project compiles it: against the
 * types of the packed package (not src/), under `strict`, with each module resolution a user may
 * have. A block that stops compiling fails here, with its file and line.
 */
const packed = usePackedPackage(['ws', '@types/ws', '@types/node', 'undici-types']);

/** The documents whose code is for users (docs/test-server.md shows the repository's own server). */
const DOCUMENTS = ['README.md', 'docs/troubleshooting.md', 'docs/migrating-from-reconnecting-websocket.md', 'docs/sharing.md'];
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));

/** Blocks in these languages are not TypeScript; any other language must be taught to this test. */
const NOT_CODE = new Set(['sh', 'bash', 'console', 'text']);

/** A "before" block shows another library's code, whose types are its own business. */
const OTHER_LIBRARY = /from 'reconnecting-websocket'/;

/** The no-bundler page imports the browser file by path: the file behind `webconnection-websocket/browser`. */
const PAGE_IMPORT = './dist/webconnection-websocket.min.js';

interface Block {
  /** The document, and the line of the block's first line of code in it. */
  file: string;
  line: number;
  code: string;
}

function codeBlocks(file: string): Block[] {
  const text = readFileSync(join(REPO, file), 'utf8');
  const blocks: Block[] = [];
  for (const m of text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)) {
    const [, lang, body] = m;
    const line = text.slice(0, m.index).split('\n').length + 1;
    if (NOT_CODE.has(lang)) continue;
    if (lang === 'js' || lang === 'ts') {
      if (!OTHER_LIBRARY.test(body)) blocks.push({ file, line, code: body });
    }
    else if (lang === 'html') {
      for (const s of body.matchAll(/<script type="module">\n([\s\S]*?)<\/script>/g)) {
        const before = body.slice(0, s.index).split('\n').length;
        blocks.push({ file, line: line + before, code: s[1].replaceAll(`'${PAGE_IMPORT}'`, `'${pkg.name}/browser'`) });
      }
    } else throw new Error(`${file}:${line}: a \`\`\`${lang} block: compile it here or add "${lang}" to NOT_CODE`);
  }
  return blocks;
}

/**
 * Names that a block uses after an earlier block (or the prose) introduced them. A block that
 * needs another one fails with "Cannot find name": add it here only if the document means it.
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
 * Writes the files into the fixture and type-checks them; returns the errors, document lines
 * resolved. `declarationsOnly`: no blocks and no @types/node, so that the package's own
 * declarations can be checked (skipLibCheck off) without checking all of Node's.
 */
function compile(mode: keyof typeof MODES, blocks: Block[], declarationsOnly = false): string[] {
  const dir = join(packed().root, `src-${mode}-${Math.random().toString(36).slice(2)}`);
  const files: Record<string, string> = { 'docs-context.d.ts': CONTEXT, ...entryFiles(mode) };
  const blockOf = new Map<string, Block>();
  blocks.forEach((b, i) => {
    const name = `block-${i}.ts`;
    // Code first, so a diagnostic's line plus the block's start is its line in the document.
    files[name] = `${b.code}\nexport {};\n`;
    blockOf.set(join(dir, name), b);
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
    const block = blockOf.get(d.file.fileName);
    return block ? `${block.file}:${block.line + line}: ${text}` : `${d.file.fileName.replace(packed().root, '<fixture>')}:${line + 1}: ${text}`;
  });
}

describe("the code of the README and the guides against the packed package's types", () => {
  const blocks = DOCUMENTS.flatMap(codeBlocks);

  it("finds the blocks, the README's Node one among them, which passes the ws class with no cast", () => {
    expect(pkg.exports['./browser'].default).toBe(PAGE_IMPORT);
    for (const file of DOCUMENTS) expect(blocks.filter((b) => b.file === file).length, file).toBeGreaterThan(0);
    expect(blocks.filter((b) => b.file === 'README.md').length).toBeGreaterThanOrEqual(6);
    const nodeBlock = blocks.find((b) => b.file === 'README.md' && b.code.includes("from 'ws'"));
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

  it('reports a block that does not compile, at its line in its document', () => {
    const broken = { file: 'README.md', line: 1000, code: "import { WebConnectionWebSocket } from 'webconnection-websocket';\nnew WebConnectionWebSocket({ queueLimit: 'many' });\n" };
    const errors = compile('bundler', [...blocks, broken]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^README\.md:1001: Type 'string' is not assignable to type 'number'/);
  });
});
