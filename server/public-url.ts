/**
 * `--public-url URL`: where readers reach this server (e.g. behind a TLS
 * proxy), the base of the absolute links it publishes: the Atom feeds' and
 * the webhook's. Checked when the server starts: an absolute http(s) URL,
 * without credentials, query or fragment (a path prefix is kept).
 *
 * @example parsePublicUrl('https://bench.example.org/gilbench/') === 'https://bench.example.org/gilbench'
 */
import { UsageError } from '../harness/errors.ts';

/** The URL without a trailing slash; a UsageError of one line otherwise. */
export function parsePublicUrl(value: string): string {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {}
  const wrong =
    !url || (url.protocol !== 'http:' && url.protocol !== 'https:')
      ? 'an absolute http(s) URL such as https://bench.example.org'
      : url.username || url.password
        ? 'a URL without credentials'
        : url.search || url.hash || value.includes('?') || value.includes('#')
          ? 'a URL without a query or fragment'
          : null;
  if (wrong) throw new UsageError(`--public-url must be ${wrong}, got '${value}'`);
  return url!.href.replace(/\/+$/, '');
}

/**
 * An absolute link to `path` on this server: under the public URL when one is set, else on the request's origin.
 * @example publicLink('/feed.xml', 'http://127.0.0.1:8080/feed.xml', 'https://bench.example.org') === 'https://bench.example.org/feed.xml'
 */
export function publicLink(path: string, requestUrl: string, publicUrl: string | null): string {
  if (!publicUrl) return new URL(path, requestUrl).href;
  return new URL(path.replace(/^\/+/, ''), `${publicUrl}/`).href;
}
