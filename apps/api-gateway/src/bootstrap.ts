import { parsePublishableKey } from '@clerk/shared/keys';
import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { splitList } from '@smartbeak/config';
import { DomainError, flattenValidationErrors, STRICT_VALIDATION } from '@smartbeak/errors';
import { JsonText } from '@smartbeak/messaging';
import { pinoOptions, requestIdOf, serveMetrics } from '@smartbeak/observability';
import type { IncomingMessage } from 'node:http';
import { join, resolve } from 'node:path';
import { Logger } from 'nestjs-pino';
import pino from 'pino';

import { mountQueueDashboard } from './admin/queue-dashboard';
import { UsageMeter } from './analytics/usage-meter';
import { AppModule } from './app.module';
import { type GatewayConfig } from './config/gateway.config';
import {
  registerFormBodies,
  registerJsonBodies,
  registerRequestScope,
  securityHeadersOf,
} from './http/fastify-http';
import { serveWebApp } from './http/web-app';

/** `TRUST_PROXY`: a hop count (`1`), `true`, or comma-separated addresses/CIDRs. */
function trustProxyOf(value: string | undefined): boolean | number | string[] {
  if (!value || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return splitList(value);
}

/** The public HTTP contract as OpenAPI 3 (served at /api/docs; the console's API types come from it). */
export function openApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('SmartBeak API')
      .setDescription('Content operations for portfolios of websites. Errors are RFC 9457 problem+json.')
      .setVersion('1')
      .setLicense('Proprietary', 'https://smartbeak.example/terms')
      .addServer('/', 'This gateway')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'Clerk session JWT' })
      .addCookieAuth('__session')
      .build(),
  );
  // Operations that declare no authentication take none (health, the dev sign-in): say so.
  // Those taking the bearer token take the `__session` cookie as well (libs/auth token-verifier).
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations)) {
      if (typeof operation !== 'object' || !('responses' in operation)) continue;
      // A new array each time: Nest shares one between the operations of a controller.
      const security = operation.security ?? [];
      operation.security = security.some((requirement: Record<string, string[]>) => 'bearer' in requirement)
        ? [...security, { cookie: [] }]
        : [...security];
    }
  }
  return document;
}

/**
 * Prints the OpenAPI document without serving anything (`main.js openapi`):
 * the app is built in preview mode, so no provider runs and nothing connects.
 */
export async function printOpenApi(config: GatewayConfig): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(config),
    new FastifyAdapter({ logger: false }),
    { preview: true, logger: false, abortOnError: false },
  );
  app.setGlobalPrefix('api', { exclude: ['health/live', 'health/ready'] });
  process.stdout.write(`${JSON.stringify(openApiDocument(app), null, 2)}\n`);
}

/**
 * The gateway, wired on Fastify (Express served ~5× fewer requests per core
 * here; see bench/): body limits, validation, problem+json, OpenAPI at /api/docs.
 */
export async function createGateway(config: GatewayConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    logger: false,
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: trustProxyOf(config.TRUST_PROXY),
    genReqId: (req: IncomingMessage) => requestIdOf(req),
    requestIdHeader: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config), adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  const fastify = app.getHttpAdapter().getInstance();
  const securityHeaders = securityHeadersOf({
    contentSecurityPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  registerRequestScope(
    fastify,
    pino(pinoOptions({ service: 'api-gateway', level: config.LOG_LEVEL })),
    securityHeaders,
  );
  // An RPC answer forwarded as it came (GatewayRpc.forwardText) is sent as its text.
  fastify.setReplySerializer((payload) =>
    payload instanceof JsonText ? payload.text : JSON.stringify(payload),
  );
  app.get(UsageMeter).attach(fastify);
  registerJsonBodies(fastify, config.BODY_LIMIT_BYTES);
  registerFormBodies(fastify, config.BODY_LIMIT_BYTES);
  const origins = splitList(config.CORS_ORIGINS);
  if (origins.length) {
    app.enableCors({
      origin: origins,
      credentials: true,
      // Spelled out: Fastify's CORS default allows only GET, HEAD and POST.
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
      exposedHeaders: ['x-request-id', 'Retry-After', 'Idempotent-Replayed'],
      maxAge: 600,
    });
  }
  app.setGlobalPrefix('api', { exclude: ['health/live', 'health/ready'] });
  app.useGlobalPipes(
    new ValidationPipe({
      ...STRICT_VALIDATION,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      exceptionFactory: (errors) => DomainError.validation(flattenValidationErrors(errors)),
    }),
  );

  const document = openApiDocument(app);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
  const clerkKey = config.CLERK_PUBLISHABLE_KEY ? parsePublishableKey(config.CLERK_PUBLISHABLE_KEY) : null;
  await serveWebApp(
    fastify,
    resolve(config.WEB_ROOT ?? join(__dirname, '../web')),
    splitList(config.WEB_CSP_ORIGINS),
    clerkKey && config.CLERK_PUBLISHABLE_KEY
      ? { publishableKey: config.CLERK_PUBLISHABLE_KEY, frontendApi: clerkKey.frontendApi }
      : undefined,
  );
  const dashboardQueues = await mountQueueDashboard(app, config);
  const metrics = await serveMetrics(config.METRICS_PORT);
  fastify.addHook('onClose', async () => {
    await Promise.all(dashboardQueues.map((queue) => queue.close()));
    await new Promise((resolve) => metrics.close(resolve));
  });
  return app;
}
