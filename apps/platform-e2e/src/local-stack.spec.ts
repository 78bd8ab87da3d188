import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort, WORKSPACE_ROOT } from '@smartbeak/testing';
import { Client } from 'pg';

// The local stack's own module (plain JS, no build): what `npm start` runs first.
const system = require(join(WORKSPACE_ROOT, 'tools/stack/system.js')) as {
  startPostgres(options: { dir: string; port: number; fast?: boolean }): boolean;
  removePostgres(options: { dir: string }): void;
  postgresRoot(dir: string): string;
};

describe('the local stack, cloned where only its owner can enter', () => {
  let parent: string;

  beforeAll(() => {
    // Like a clone in root's home (mode 700): the postgres user cannot walk into it.
    parent = mkdtempSync(join(tmpdir(), 'smartbeak-home-'));
    chmodSync(parent, 0o700);
  });
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('starts PostgreSQL for a data folder under a 0700 parent, and says where the cluster lives', async () => {
    const dir = join(parent, 'smartbeak', '.data');
    const port = await freePort();
    try {
      expect(system.startPostgres({ dir, port, fast: true })).toBe(true);
      const root = system.postgresRoot(dir);
      if (process.getuid?.() === 0) {
        // As root the server runs as `postgres`, which cannot reach `dir`: the cluster lives outside it.
        expect(root).toMatch(/^\/var\/lib\/smartbeak\/[0-9a-f]{16}$/);
      } else {
        expect(root).toBe(dir);
      }
      const client = new Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
      await client.connect();
      try {
        expect((await client.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
      } finally {
        await client.end();
      }
    } finally {
      system.removePostgres({ dir });
    }
  });
});
