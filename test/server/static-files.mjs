// @ts-check
/** Serves files from a few roots, with content types, and nothing outside them. */
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

const TYPES = /** @type {Record<string, string>} */ ({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
});

/**
 * @param {Record<string, string>} mounts URL prefix (e.g. "/dist/") -> directory
 * @returns {(pathname: string) => Promise<{ status: number, type: string, body: Buffer | string }>}
 */
export function staticFiles(mounts) {
  const entries = Object.entries(mounts).sort((a, b) => b[0].length - a[0].length);
  return async (pathname) => {
    let path;
    try {
      path = decodeURIComponent(pathname);
    } catch {
      return { status: 400, type: TYPES['.txt'], body: 'bad path encoding\n' };
    }
    const mount = entries.find(([prefix]) => path.startsWith(prefix));
    if (!mount || path.includes('\0')) return notFound();
    const [prefix, dir] = mount;
    const root = resolve(dir);
    let file = resolve(root, '.' + sep + path.slice(prefix.length));
    // resolve() collapses "..": anything that lands outside the root is refused.
    if (file !== root && !file.startsWith(root + sep)) return { status: 403, type: TYPES['.txt'], body: 'forbidden\n' };
    try {
      if ((await stat(file)).isDirectory()) file = resolve(file, 'index.html');
      return { status: 200, type: TYPES[extname(file)] ?? 'application/octet-stream', body: await readFile(file) };
    } catch {
      return notFound();
    }
  };
}

const notFound = () => ({ status: 404, type: TYPES['.txt'], body: 'not found\n' });
