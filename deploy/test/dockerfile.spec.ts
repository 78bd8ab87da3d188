// docker/Dockerfile builds every app's image: it must stay pinned, non-root and lean.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const { lint } = require(join(ROOT, 'tools/deploy/dockerfile-lint.js')) as {
  lint: (text: string) => string[];
};

describe('docker/Dockerfile', () => {
  it('passes our rules: pinned base, no ADD of URLs, no secrets in ENV/ARG, a lean non-root final stage', () => {
    expect(lint(readFileSync(join(ROOT, 'docker/Dockerfile'), 'utf8'))).toEqual([]);
  });

  it('runs on Node 24, the version package.json asks for', () => {
    const text = readFileSync(join(ROOT, 'docker/Dockerfile'), 'utf8');
    const base = /^ARG NODE_IMAGE=node:(\d+)\.\d+\.\d+/m.exec(text);
    const engines = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.node as string;
    expect(base?.[1]).toBe('24');
    expect(engines).toMatch(/^>=24\./);
  });

  it('keeps the workspace’s local state out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const path of ['node_modules', 'dist', '.data', '.git']) expect(ignored).toContain(path);
  });

  it('refuses a Dockerfile that breaks them', () => {
    const bad = [
      'ARG BASE=node:24',
      'FROM ${BASE} AS build',
      'ARG NPM_TOKEN',
      'RUN npm ci',
      'FROM node:latest',
      'ENV NODE_ENV=production CLERK_SECRET_KEY=sk_live_x',
      'ADD https://example.com/tool.tgz /opt/',
      'RUN npm install --omit=dev',
      'COPY --from=build /repo/dist .',
      'CMD ["node", "main.js"]',
    ].join('\n');
    expect(lint(bad)).toEqual([
      'line 2: base image node:24 is not pinned',
      'line 3: ARG NPM_TOKEN looks like a secret (use a build secret mount)',
      'line 5: base image node:latest is not pinned',
      'line 6: ENV CLERK_SECRET_KEY looks like a secret (pass it at run time)',
      'line 7: ADD of a URL (download in a RUN with a checksum, or COPY)',
      'the final stage runs as root (no USER, or USER root)',
      'the final stage has no HEALTHCHECK',
      'line 8: the final stage runs a package manager or build tool',
      'the final stage keeps npm (remove it: nothing that runs needs it)',
    ]);
  });
});
