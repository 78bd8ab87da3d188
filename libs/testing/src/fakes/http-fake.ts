import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Parsed JSON, else the raw bytes. */
  body: unknown;
}

/** What a scripted misbehaviour does to the next matching request. */
export type Misbehaviour =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | 'hang' // never answers
  | 'hang-after' // does the work, then never answers (an unknown outcome for the caller)
  | 'reset'; // drops the connection without answering

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * A small HTTP server for contract fakes of outside APIs: JSON in and out,
 * a log of every request, optional latency, and a script of misbehaviours
 * consumed one per request of a given route.
 */
export class HttpFake {
  readonly requests: FakeRequest[] = [];
  private readonly scripts = new Map<string, Misbehaviour[]>();
  private server?: Server;
  url = '';
  /** Waited before the work of every request. */
  latencyMs = 0;
  /** Waited after the work, before the answer (a window where the work is done but unanswered). */
  answerDelayMs = 0;

  constructor(
    private readonly handle: (req: FakeRequest) => Answer | Promise<Answer>,
    private readonly routeOf: (req: FakeRequest) => string,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** The next `times` requests of `route` misbehave as told (in order, when several are queued). */
  script(route: string, ...behaviours: Misbehaviour[]): void {
    this.scripts.set(route, [...(this.scripts.get(route) ?? []), ...behaviours]);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const raw = bytes.toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    let body: unknown = bytes;
    if ((req.headers['content-type'] ?? '').includes('application/json')) {
      try {
        body = JSON.parse(raw || 'null');
      } catch {
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ code: 'rest_invalid_json', message: 'Invalid JSON body passed.' }));
        return;
      }
    }
    const request: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
    };
    this.requests.push(request);
    const route = this.routeOf(request);
    const behaviour = this.scripts.get(route)?.shift();
    if (this.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    if (behaviour === 'hang') return;
    if (behaviour === 'reset') {
      req.socket.destroy();
      return;
    }
    if (behaviour && typeof behaviour === 'object') {
      res
        .writeHead(behaviour.status, { 'content-type': 'application/json', ...behaviour.headers })
        .end(JSON.stringify(behaviour.body ?? {}));
      return;
    }
    const answer = await this.handle(request);
    if (behaviour === 'hang-after') return;
    if (this.answerDelayMs) await new Promise((resolve) => setTimeout(resolve, this.answerDelayMs));
    res
      .writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
      .end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  }
}
