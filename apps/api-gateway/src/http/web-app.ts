import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';

import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** The console's Content-Security-Policy: its own scripts only, no inline script, no framing. */
export function webAppCsp(extraOrigins: readonly string[]): string {
  const extra = extraOrigins.length ? ` ${extraOrigins.join(' ')}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Mantine sets CSS variables in style attributes.
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${extra}`,
    `connect-src 'self'${extra}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const NOT_THE_APP = /^\/(api|health|metrics)(\/|$|\?)/;

/**
 * Serves the built console (`apps/web`, Vite's `dist/apps/web`) at `/`, so the
 * console and `/api` share an origin: hashed files under `/assets/` cached for
 * a year, other files of the build as they are, and every other path the
 * console's `index.html` (its router decides; never cached) with a strict CSP.
 * `/api`, `/health` and `/metrics` paths are never the console: theirs stay problem+json.
 * Returns false (nothing served) when there is no build at `root`.
 */
export async function serveWebApp(
  fastify: FastifyInstance,
  root: string,
  cspOrigins: readonly string[],
): Promise<boolean> {
  const indexPath = join(root, 'index.html');
  if (!existsSync(indexPath)) return false;
  const index = readFileSync(indexPath);
  const csp = webAppCsp(cspOrigins);
  if (existsSync(join(root, 'assets'))) {
    await fastify.register(fastifyStatic, {
      root: join(root, 'assets'),
      prefix: '/assets/',
      decorateReply: false,
      index: false,
      immutable: true,
      maxAge: 365 * 24 * 3600 * 1000,
    });
  }
  fastify.get('/*', (req, reply) => {
    const path = decodeURIComponent(req.url.split('?')[0] ?? '/');
    if (NOT_THE_APP.test(path)) return reply.callNotFound();
    // A top-level file of the build (favicon, manifest); never outside it.
    const file = normalize(join(root, path));
    if (
      path !== '/' &&
      extname(path) &&
      file.startsWith(root) &&
      existsSync(file) &&
      statSync(file).isFile()
    ) {
      return reply
        .header('cache-control', 'public, max-age=3600')
        .type(mimeOf(file))
        .send(readFileSync(file));
    }
    return reply
      .header('content-security-policy', csp)
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(index);
  });
  return true;
}

function mimeOf(file: string): string {
  const types: Record<string, string> = {
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.ico': 'image/x-icon',
    '.json': 'application/json',
    '.webmanifest': 'application/manifest+json',
    '.txt': 'text/plain; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
  };
  return types[extname(file)] ?? 'application/octet-stream';
}
