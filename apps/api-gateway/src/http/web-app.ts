import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';

import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Clerk's sign-in in the console: the publishable key, and the instance's Frontend API host it names. */
export interface WebAppClerk {
  publishableKey: string;
  frontendApi: string;
}

/** Cloudflare's bot protection, which Clerk's sign-in loads (Clerk's CSP guide). */
const CLERK_CHALLENGES = 'https://challenges.cloudflare.com';

/**
 * The console's Content-Security-Policy: its own scripts only, no inline
 * script, no framing. With Clerk, what Clerk's CSP guide lists: its Frontend
 * API for scripts and calls, its image host, Cloudflare's challenge (script
 * and frame), workers from blobs.
 */
export function webAppCsp(extraOrigins: readonly string[], clerk?: WebAppClerk): string {
  const extra = extraOrigins.length ? ` ${extraOrigins.join(' ')}` : '';
  const fapi = clerk ? ` https://${clerk.frontendApi}` : '';
  return [
    "default-src 'self'",
    `script-src 'self'${clerk ? `${fapi} ${CLERK_CHALLENGES}` : ''}`,
    // Mantine sets CSS variables in style attributes (and Clerk styles at run time).
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${extra}${clerk ? ' https://img.clerk.com' : ''}`,
    `connect-src 'self'${extra}${fapi}`,
    ...(clerk ? ["worker-src 'self' blob:", `frame-src ${CLERK_CHALLENGES}`] : []),
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** index.html with the publishable key in a meta tag (no inline script: the CSP stays strict). */
function withClerk(index: Buffer, clerk?: WebAppClerk): Buffer {
  if (!clerk) return index;
  const meta = `<meta name="clerk-publishable-key" content="${clerk.publishableKey.replace(/[^A-Za-z0-9_$=+/-]/g, '')}">`;
  return Buffer.from(index.toString('utf8').replace('</head>', `  ${meta}\n  </head>`));
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
  clerk?: WebAppClerk,
): Promise<boolean> {
  const indexPath = join(root, 'index.html');
  if (!existsSync(indexPath)) return false;
  const index = withClerk(readFileSync(indexPath), clerk);
  const csp = webAppCsp(cspOrigins, clerk);
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
