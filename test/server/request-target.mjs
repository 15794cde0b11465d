// @ts-check
/**
 * The path of a request, read without trusting the request line. `new URL(target, base)` reads a
 * target that starts with "//" as a host, so `//a:99999/` throws (bad port) and `//[` throws (bad
 * IPv6): the path has to be parsed as a path.
 */

/**
 * @param {string | undefined} target the request-target as the client sent it (`req.url`)
 * @returns {URL | undefined} a URL whose pathname and searchParams are the request's; undefined when it is no valid target
 */
export function parseRequestTarget(target) {
  if (!target) return undefined;
  try {
    // origin-form ("/path?query"), the usual case; absolute-form ("http://host/path"), as proxies send.
    if (target.startsWith('/')) return new URL(`http://server${target}`);
    if (/^https?:\/\//i.test(target)) return new URL(target);
  } catch {
    // Not a target at all; the caller answers 400.
  }
  return undefined;
}
