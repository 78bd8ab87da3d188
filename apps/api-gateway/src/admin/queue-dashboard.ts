import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { contextFromClaims, TokenVerifier } from '@smartbeak/auth';
import { splitList } from '@smartbeak/config';
import { CONSUMED_EVENT_QUEUES } from '@smartbeak/contracts';
import { bullConnection, bullPrefix } from '@smartbeak/messaging';
import { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { type GatewayConfig } from '../config/gateway.config';
import { problem, sendProblem } from '../problem/problem';

export const QUEUE_DASHBOARD_PATH = '/api/admin/queues';
/**
 * The job queues an operator watches; their job data carry ids and bounded
 * event payloads, never content bodies. Event queues are those some service
 * consumes (an event a consumer gave up on is also in its dead-letter table).
 */
const DASHBOARD_QUEUES = [
  'publishing',
  'publishing-maintenance',
  'content-maintenance',
  'media-maintenance',
  'control-plane-maintenance',
  ...CONSUMED_EVENT_QUEUES,
];

/**
 * bull-board at /api/admin/queues, for `org:admin` of an operator org
 * (QUEUE_DASHBOARD_ORGS or OPERATOR_ORGS). Queues are platform-wide, so a customer org's
 * admin is not enough; unset, the dashboard is not mounted at all. The
 * token comes as a Bearer header or, for a browser, the `smartbeak_token` cookie.
 */
export async function mountQueueDashboard(
  app: NestFastifyApplication,
  config: GatewayConfig,
): Promise<Queue[]> {
  const operatorOrgs = [...splitList(config.QUEUE_DASHBOARD_ORGS), ...splitList(config.OPERATOR_ORGS)];
  if (!operatorOrgs.length) return [];
  const queues = DASHBOARD_QUEUES.map(
    (name) =>
      new Queue(name, {
        connection: bullConnection(config.REDIS_URL),
        prefix: bullPrefix(config.REDIS_PREFIX),
      }),
  );
  const board = new BullBoardFastifyAdapter();
  board.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter: board });
  const verifier = app.get(TokenVerifier);
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  await fastify.register(async (scope) => {
    scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const token = bearerOf(request);
      const claims = token ? await verifier.verify(token).catch(() => null) : null;
      const ctx = claims ? contextFromClaims(claims, String(request.id)) : null;
      if (!ctx) {
        sendProblem(reply, problem(401, 'COMMON.UNAUTHENTICATED', 'A valid session token is required'));
        return reply;
      }
      if (!ctx.permissions.includes('org:admin') || !operatorOrgs.includes(ctx.orgId)) {
        sendProblem(
          reply,
          problem(403, 'COMMON.FORBIDDEN', 'The queue dashboard is for admins of an operator org'),
        );
        return reply;
      }
    });
    await scope.register(board.registerPlugin() as never, { prefix: QUEUE_DASHBOARD_PATH });
  });
  return queues;
}

function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7);
  const cookie = /(?:^|;\s*)smartbeak_token=([^;]+)/.exec(request.headers.cookie ?? '');
  return cookie ? decodeURIComponent(cookie[1] as string) : null;
}
