import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { splitList } from '@smartbeak/config';
import { httpRequestScope, pinoOptions } from '@smartbeak/observability';
import { DomainError, flattenValidationErrors, STRICT_VALIDATION } from '@smartbeak/errors';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import pino from 'pino';

import { AppModule } from './app.module';
import { type GatewayConfig } from './config/gateway.config';
import { jsonBody, rawBody } from './http/body-parsers';

/** The gateway, wired: body limits, validation, problem+json, OpenAPI at /api/docs. */
export async function createGateway(config: GatewayConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  app.disable('x-powered-by');
  if (config.TRUST_PROXY)
    app.set(
      'trust proxy',
      /^\d+$/.test(config.TRUST_PROXY) ? Number(config.TRUST_PROXY) : config.TRUST_PROXY,
    );
  app.use(httpRequestScope(pino(pinoOptions({ service: 'api-gateway', level: config.LOG_LEVEL }))));
  app.use(helmet({ contentSecurityPolicy: false, crossOriginResourcePolicy: { policy: 'same-site' } }));
  const origins = splitList(config.CORS_ORIGINS);
  if (origins.length) {
    app.enableCors({ origin: origins, credentials: true, exposedHeaders: ['x-request-id', 'Retry-After'] });
  }
  app.use(['/api/webhooks', '/api/media/webhooks'], rawBody(config.BODY_LIMIT_BYTES));
  app.use(jsonBody(config.BODY_LIMIT_BYTES));
  app.setGlobalPrefix('api', { exclude: ['health/live', 'health/ready', 'metrics'] });
  app.useGlobalPipes(
    new ValidationPipe({
      ...STRICT_VALIDATION,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      exceptionFactory: (errors) => DomainError.validation(flattenValidationErrors(errors)),
    }),
  );

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('SmartBeak API')
      .setDescription('Content operations for portfolios of websites. Errors are RFC 9457 problem+json.')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'Clerk session JWT' })
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
  return app;
}
