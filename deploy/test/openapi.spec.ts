// deploy/openapi.json: the public contract as an artefact — fresh, lint-clean,
// and never broken without an entry in deploy/openapi-changelog.md.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

type Document = Record<string, any>;
const { problems, unacknowledged, ARTEFACT } = require(join(ROOT, 'tools/openapi.js')) as {
  problems: () => string[];
  unacknowledged: (changes: string[], changelog: string) => string[];
  ARTEFACT: string;
};
const { breakingChanges } = require(join(ROOT, 'tools/openapi/diff.js')) as {
  breakingChanges: (before: Document, after: Document) => string[];
};

/** `redocly lint` with redocly.yaml: its exit status and error count. */
function redoclyLint(file: string): { status: number; errors: number } {
  const cli = join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');
  try {
    const out = execFileSync(
      process.execPath,
      [cli, 'lint', file, '--format=json', '--config', join(ROOT, 'redocly.yaml')],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return { status: 0, errors: JSON.parse(out.toString()).totals.errors };
  } catch (error) {
    const failure = error as { status: number; stdout: Buffer };
    return { status: failure.status, errors: JSON.parse(failure.stdout.toString()).totals.errors };
  }
}

/** A small document of one resource, to change one thing at a time. */
function sample(): Document {
  return {
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {
      '/api/things': {
        get: {
          parameters: [
            { in: 'query', name: 'limit', required: false, schema: { type: 'integer', maximum: 100 } },
          ],
          responses: {
            '200': {
              description: 'ok',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
            },
          },
        },
        post: {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateThing' } } },
          },
          responses: {
            '201': {
              description: 'made',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
            },
          },
        },
      },
      '/api/things/{id}': { delete: { responses: { '204': { description: 'gone' } } } },
    },
    components: {
      schemas: {
        Thing: {
          type: 'object',
          required: ['id', 'status'],
          properties: {
            id: { type: 'string' },
            status: { type: 'string', enum: ['draft', 'live'] },
            title: { type: 'string' },
          },
        },
        CreateThing: {
          type: 'object',
          required: ['title'],
          properties: {
            title: { type: 'string', maxLength: 200 },
            kind: { type: 'string', enum: ['a', 'b'] },
          },
        },
      },
    },
  };
}

describe('deploy/openapi.json', () => {
  it('is what the gateway describes, and breaks nothing the changelog does not acknowledge', () => {
    expect(problems()).toEqual([]);
  });

  it('passes redocly lint (recommended rules, redocly.yaml)', () => {
    expect(redoclyLint(join(ROOT, ARTEFACT))).toEqual({ status: 0, errors: 0 });
  });

  it('redocly lint refuses a broken document (so a green means something)', () => {
    const broken = JSON.parse(readFileSync(join(ROOT, ARTEFACT), 'utf8'));
    delete broken.info;
    broken.paths['/api/me'].get.responses = {};
    const file = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'broken.json');
    writeFileSync(file, JSON.stringify(broken));
    const result = redoclyLint(file);
    expect(result.status).not.toBe(0);
    expect(result.errors).toBeGreaterThanOrEqual(1);
  });
});

describe('breaking changes (tools/openapi/diff.js)', () => {
  it('finds none between a document and itself, or when fields and paths are only added', () => {
    const after = sample();
    after['paths']['/api/others'] = { get: { responses: { '200': { description: 'ok' } } } };
    after['components'].schemas.Thing.properties.createdAt = { type: 'string', format: 'date-time' };
    after['components'].schemas.CreateThing.properties.note = { type: 'string' };
    after['components'].schemas.CreateThing.properties.title.maxLength = 500;
    after['components'].schemas.CreateThing.properties.kind.enum.push('c');
    expect(breakingChanges(sample(), sample())).toEqual([]);
    expect(breakingChanges(sample(), after)).toEqual([]);
  });

  it('finds a removed path or operation', () => {
    const after = sample();
    delete after['paths']['/api/things/{id}'];
    delete after['paths']['/api/things'].get;
    expect(breakingChanges(sample(), after)).toEqual([
      'DELETE /api/things/{id}: removed',
      'GET /api/things: removed',
    ]);
  });

  it('finds narrowed requests: a new required field or parameter, a shorter limit, fewer enum values, a new type', () => {
    const after = sample();
    const create = after['components'].schemas.CreateThing;
    create.required.push('kind');
    create.properties.title.maxLength = 100;
    create.properties.kind.enum = ['a'];
    after['paths']['/api/things'].get.parameters[0].schema = { type: 'string' };
    after['paths']['/api/things'].get.parameters.push({
      in: 'query',
      name: 'domainId',
      required: true,
      schema: { type: 'string' },
    });
    expect(breakingChanges(sample(), after)).toEqual([
      'GET /api/things: parameter query:domainId is now required',
      'GET /api/things: parameter query:limit changed type integer → string',
      'POST /api/things: kind is now required',
      'POST /api/things: kind no longer accepts b',
      'POST /api/things: title maxLength narrowed to 100',
    ]);
  });

  it('finds responses that lose a field, change its type, stop always sending it, or gain enum values', () => {
    const after = sample();
    const thing = after['components'].schemas.Thing;
    delete thing.properties.title;
    thing.properties.id = { type: 'integer' };
    thing.required = ['id'];
    thing.properties.status.enum.push('archived');
    const found = breakingChanges(sample(), after);
    for (const method of ['GET', 'POST']) {
      const status = method === 'GET' ? '200' : '201';
      expect(found).toEqual(
        expect.arrayContaining([
          `${method} /api/things: response ${status} id changed type string → integer`,
          `${method} /api/things: response ${status} status is no longer always present`,
          `${method} /api/things: response ${status} status may now be archived`,
          `${method} /api/things: response ${status} title was removed`,
        ]),
      );
    }
    expect(found).toHaveLength(8);
  });

  it('lets a change through only when the changelog quotes it', () => {
    const changes = ['DELETE /api/things/{id}: removed', 'POST /api/things: kind is now required'];
    const changelog =
      '## 2027-01-10\n- `DELETE /api/things/{id}: removed` — use POST /api/things/{id}/archive.\n';
    expect(unacknowledged(changes, changelog)).toEqual(['POST /api/things: kind is now required']);
  });
});
