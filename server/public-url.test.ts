/**
 * `--public-url`: a server behind a TLS proxy publishes links under it (the
 * Atom feed's and the webhook's), a real `gilbench server` process asked over
 * plain HTTP on 127.0.0.1; a bad value is one line and exit 2 for `server`
 * and `start`, before anything is made.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../harness/errors.ts';
import { fixtureHistory, fixtureMachine, runCli, tempDir } from '../harness/test-support/index.ts';
import { parsePublicUrl, publicLink } from './public-url.ts';
import { ADMIN_TOKEN, killStarted, type ServerProcess, startGilbench } from './test-support/index.ts';

describe('parsePublicUrl', () => {
  it('keeps an absolute http(s) URL and its path prefix, without the trailing slash', () => {
    expect(parsePublicUrl('https://bench.example.org/')).toBe('https://bench.example.org');
    expect(parsePublicUrl('https://bench.example.org/gilbench/')).toBe('https://bench.example.org/gilbench');
    expect(parsePublicUrl('http://10.0.0.5:8443')).toBe('http://10.0.0.5:8443');
    expect(publicLink('/feed.xml', 'http://127.0.0.1:8080/feed.xml', 'https://bench.example.org/gb')).toBe(
      'https://bench.example.org/gb/feed.xml',
    );
    expect(publicLink('/feed.xml', 'http://127.0.0.1:8080/feed.xml', null)).toBe('http://127.0.0.1:8080/feed.xml');
  });

  it.each([
    ['bench.example.org', /an absolute http\(s\) URL/],
    ['/gilbench', /an absolute http\(s\) URL/],
    ['ftp://bench.example.org', /an absolute http\(s\) URL/],
    ['https://user:secret@bench.example.org', /without credentials/],
    ['https://bench.example.org/?x=1', /without a query or fragment/],
    ['https://bench.example.org/#/overview', /without a query or fragment/],
  ])('refuses %s in one line', (value, why) => {
    expect(() => parsePublicUrl(value)).toThrow(UsageError);
    expect(() => parsePublicUrl(value)).toThrow(why);
  });
});

describe('gilbench server --public-url, behind a TLS proxy', () => {
  const { dir, remove } = tempDir('gilbench-public-url-');
  const received: Array<{ text: string; changes: Array<{ url?: string }> }> = [];
  const PUBLIC = 'https://bench.example.org/gb';
  let receiver: Server;
  let server: ServerProcess;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let text = '';
      req.on('data', (b: Buffer) => {
        text += b;
      });
      req.on('end', () => {
        received.push(JSON.parse(text));
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    server = await startGilbench(join(dir, 'public-url.db'), {
      args: ['--public', '--public-url', `${PUBLIC}/`, '--webhook', hook],
    });
  });
  afterAll(async () => {
    await killStarted();
    receiver.close();
    remove();
  });

  it('links the feed and the webhook alert under the public URL, not the request’s origin', async () => {
    const docs = fixtureHistory({
      machine: fixtureMachine(61),
      runs: 32,
      step: { at: 30, factor: 1.3, match: () => true },
    });
    for (const doc of docs) {
      const res = await fetch(`${server.url}/api/v1/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(doc),
      });
      expect(res.status).toBe(201);
    }
    const xml = await (await fetch(`${server.url}/feed.xml`)).text();
    const hrefs = [...xml.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
    expect(hrefs.length).toBeGreaterThan(2);
    for (const href of hrefs) expect(href.startsWith(`${PUBLIC}/`), href).toBe(true);
    expect(hrefs).toContain(`${PUBLIC}/feed.xml`);
    expect(xml).not.toContain(server.url);
    // The alert is sent after the upload's answer.
    const deadline = Date.now() + 10_000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received.length).toBeGreaterThan(0);
    expect(received[0]!.text.split('\n').at(-1)).toBe(`${PUBLIC}/#/regressions`);
    expect(received[0]!.changes[0]!.url).toMatch(new RegExp(`^${PUBLIC}/api/v1/series/\\d+/history$`));
  }, 120_000);

  it.each(['server', 'start'])(
    'gilbench %s refuses a bad --public-url in one line, exit 2, making nothing',
    async (command) => {
      const data = join(dir, `bad-${command}`);
      const where = command === 'server' ? ['--no-web', '--db', join(data, 'x.db')] : ['--no-run', '--data', data];
      const result = await runCli([command, '--port', '0', ...where, '--public-url', 'ftp://x']);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(
        "--public-url must be an absolute http(s) URL such as https://bench.example.org, got 'ftp://x'",
      );
      expect(existsSync(data)).toBe(false);
    },
  );
});
