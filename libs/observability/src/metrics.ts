import { createServer, type Server } from 'node:http';

import { Controller, Get, Header, Module, SetMetadata } from '@nestjs/common';
import { PUBLIC_ROUTE_METADATA } from '@smartbeak/contracts';
import { ApiExcludeController } from '@nestjs/swagger';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** One registry per process; every lib registers its metrics here. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

export const httpRequestDuration = new Histogram({
  name: 'smartbeak_http_request_duration_seconds',
  help: 'HTTP request duration by route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

export const rpcServerDuration = new Histogram({
  name: 'smartbeak_rpc_server_duration_seconds',
  help: 'Time a service spent answering an RPC, by pattern and outcome',
  labelNames: ['pattern', 'outcome'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export const rpcClientDuration = new Histogram({
  name: 'smartbeak_rpc_client_duration_seconds',
  help: 'Round trip of an RPC as the caller saw it, by pattern and outcome',
  labelNames: ['pattern', 'outcome'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export const outboxRelayed = new Counter({
  name: 'smartbeak_outbox_relayed_total',
  help: 'Events the outbox relay handed to consumer queues',
  labelNames: ['type'] as const,
  registers: [metricsRegistry],
});

/** Messages a receiver refused before any handler ran (unsigned, forged, expired, not its sender's to send). */
export const messagesRefused = new Counter({
  name: 'smartbeak_messages_refused_total',
  help: 'RPC requests and events refused by signature or sender checks, by kind and reason',
  labelNames: ['kind', 'reason'] as const,
  registers: [metricsRegistry],
});

/** Events a consumer gave up on (out of attempts, or refused), written to its dead-letter table. */
export const eventDeadLettered = new Counter({
  name: 'smartbeak_event_dead_letters_total',
  help: "Events written to a consuming service's event_dead_letters table, by queue and type",
  labelNames: ['queue', 'type'] as const,
  registers: [metricsRegistry],
});

@ApiExcludeController()
@SetMetadata(PUBLIC_ROUTE_METADATA, true)
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', metricsRegistry.contentType)
  @Header('Cache-Control', 'no-store')
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}

@Module({ controllers: [MetricsController] })
export class MetricsModule {}

/**
 * `/metrics` on a port of its own, for a process whose HTTP port is public
 * (the gateway): Prometheus scrapes it inside the cluster, and the public
 * port never shows it. Resolves once listening; `port` 0 takes a free one.
 */
export async function serveMetrics(port: number, host = '0.0.0.0'): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metricsRegistry.metrics().then(
      (text) =>
        res
          .writeHead(200, { 'Content-Type': metricsRegistry.contentType, 'Cache-Control': 'no-store' })
          .end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
