/**
 * The agent's HTTP layer against real local servers: answers over the size limit are refused
 * (with a length or chunked), and plain http:// to another host is warned about.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { plainHttpWarning, ResponseTooLarge, ServerClient, ServerUnreachable } from './client.ts';

let server: Server | null = null;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  server = null;
});

/** A real server on 127.0.0.1 that answers every request with `bytes` bytes of JSON, chunked or with a length. */
async function answering(bytes: number, chunked: boolean): Promise<{ url: string; sent: () => number }> {
  let sent = 0;
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': String(bytes) }) });
    // A JSON string of the wanted size, written in pieces until the client stops reading.
    const piece = Buffer.alloc(64 * 1024, 'x');
    res.write('"');
    sent = 1;
    const more = () => {
      while (sent < bytes - 1) {
        const part = piece.subarray(0, Math.min(piece.length, bytes - 1 - sent));
        sent += part.length;
        if (!res.write(part)) return void res.once('drain', more);
      }
      res.end('"');
    };
    res.on('error', () => {});
    more();
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sent: () => sent };
}

describe('ServerClient response size limit', () => {
  it('reads an answer under the limit', async () => {
    const { url } = await answering(1000, true);
    const client = new ServerClient(url, 'gb_x', { maxResponseBytes: 4096 });
    expect(await client.request('GET', '/health')).toBe('x'.repeat(998));
  });

  it('refuses an answer over the limit by its Content-Length, without reading it', async () => {
    const { url, sent } = await answering(64 * 1024 * 1024, false);
    const client = new ServerClient(url, 'gb_x', { maxResponseBytes: 1024 * 1024 });
    const err = await client.request('GET', '/health').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseTooLarge);
    expect((err as Error).message).toMatch(
      /GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/health: the answer is larger than 1024 KiB/,
    );
    expect((err as ResponseTooLarge).retryable).toBe(false);
    expect(sent()).toBeLessThan(64 * 1024 * 1024);
  });

  it('stops reading a chunked answer once it passes the limit (the default, 8 MiB)', async () => {
    const { url, sent } = await answering(200 * 1024 * 1024, true);
    const client = new ServerClient(url, 'gb_x');
    const err = await client.request('GET', '/health').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseTooLarge);
    expect((err as Error).message).toMatch(/larger than 8192 KiB/);
    expect(err).not.toBeInstanceOf(ServerUnreachable);
    // The server could not send all 200 MiB: the client stopped reading.
    expect(sent()).toBeLessThan(200 * 1024 * 1024);
  });
});

describe('plainHttpWarning', () => {
  it('warns for http:// to another host, not for https or this host', () => {
    expect(plainHttpWarning('http://bench.example:8080')).toMatch(/plain http:\/\/ to bench\.example:8080: .*https/);
    expect(plainHttpWarning('http://10.0.0.5')).toMatch(/10\.0\.0\.5/);
    expect(plainHttpWarning('https://bench.example')).toBeNull();
    for (const local of ['http://127.0.0.1:8080', 'http://127.5.0.1', 'http://localhost:1', 'http://[::1]:8080']) {
      expect(plainHttpWarning(local), local).toBeNull();
    }
  });
});
