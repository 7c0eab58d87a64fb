/**
 * The agent's own test support: an HTTP proxy in front of a server that
 * records when each request arrives and can drop answers (a server that
 * stored a run but whose answer never reached the agent). Processes, temporary
 * folders and run builders are harness's (harness/test-support); starting a
 * server is the server's (server/test-support).
 *
 * @example const proxy = await startRecordingProxy(() => server.port);
 */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request seen by the recording proxy. */
export interface ProxiedRequest {
  at: number;
  method: string;
  url: string;
}

/** An HTTP proxy in front of a server: records every request's arrival time, and can drop answers. */
export interface RecordingProxy {
  url: string;
  requests: ProxiedRequest[];
  /** Called with each upstream answer; return true to drop it (the client's connection is cut instead). */
  dropAnswer: ((request: ProxiedRequest, status: number) => boolean) | null;
  close: () => Promise<void>;
}

/**
 * Starts a proxy on 127.0.0.1 that forwards to `upstreamPort()` (read per request, so a
 * restarted server can move). An unreachable upstream is answered 502.
 */
export async function startRecordingProxy(upstreamPort: () => number): Promise<RecordingProxy> {
  const proxy: RecordingProxy = { url: '', requests: [], dropAnswer: null, close: async () => {} };
  const server = createServer((req, res) => {
    const seen: ProxiedRequest = { at: Date.now(), method: req.method ?? '', url: req.url ?? '' };
    proxy.requests.push(seen);
    const upstream = httpRequest(
      { host: '127.0.0.1', port: upstreamPort(), method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          if (proxy.dropAnswer?.(seen, answer.statusCode ?? 0)) {
            res.socket?.destroy();
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(chunks));
        });
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'bad-gateway', detail: 'the server is down' }));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return proxy;
}
