import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** seo's tables (docs/seo.md § Storage). `down()` undoes `up()` exactly. */
export class SeoInitial1796223754165 implements MigrationInterface {
  name = 'SeoInitial1796223754165';

  async up(runner: QueryRunner): Promise<void> {
    // Substring search over keywords (`?q=`) by trigram index; pg_trgm is a trusted extension.
    await runner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await runner.query(`
      CREATE TABLE seo_sources (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id varchar(100) NOT NULL,
        domain_id uuid NOT NULL,
        type varchar(10) NOT NULL CHECK (type IN ('gsc', 'ahrefs')),
        name varchar(200) NOT NULL,
        -- The property (gsc) or target (ahrefs): one source per domain and external account.
        external varchar(500) NOT NULL,
        -- The config without its secrets (shown to users).
        settings jsonb NOT NULL,
        -- The secrets, sealed by the credential vault for this row.
        secret text NOT NULL,
        -- Stored completely: every day from history_from, final up to final_through.
        history_from date,
        final_through date,
        -- Its domain is suspended (or its org deleted): no scheduled runs, no run now; data kept.
        paused boolean NOT NULL DEFAULT false,
        created_by varchar(100) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        UNIQUE (org_id, domain_id, type, external)
      )`);
    await runner.query(
      `CREATE INDEX seo_sources_org_created_idx ON seo_sources (org_id, created_at DESC, id DESC)`,
    );

    await runner.query(`
      CREATE TABLE ingestions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id varchar(100) NOT NULL,
        domain_id uuid NOT NULL,
        source_id uuid NOT NULL REFERENCES seo_sources (id) ON DELETE CASCADE,
        trigger varchar(10) NOT NULL CHECK (trigger IN ('manual', 'schedule')),
        state varchar(10) NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
        window_start date,
        window_end date,
        rows_read integer NOT NULL DEFAULT 0,
        rows_stored integer NOT NULL DEFAULT 0,
        rows_rejected integer NOT NULL DEFAULT 0,
        reject_sample jsonb NOT NULL DEFAULT '[]',
        units_spent integer NOT NULL DEFAULT 0,
        pages integer NOT NULL DEFAULT 0,
        error text,
        error_code varchar(20),
        created_by varchar(100),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        started_at timestamptz(3),
        -- Moved by every page and window a run gets through: a run silent for long is over (the sweep).
        heartbeat_at timestamptz(3),
        finished_at timestamptz(3)
      )`);
    await runner.query(
      `CREATE INDEX ingestions_org_created_idx ON ingestions (org_id, created_at DESC, id DESC)`,
    );
    await runner.query(
      `CREATE INDEX ingestions_source_created_idx ON ingestions (source_id, created_at DESC)`,
    );
    // One ingestion of a source at a time: "run now" while one is queued or running answers that one.
    await runner.query(
      `CREATE UNIQUE INDEX ingestions_one_active_idx ON ingestions (source_id) WHERE state IN ('queued', 'running')`,
    );

    await runner.query(`
      CREATE TABLE keywords (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id varchar(100) NOT NULL,
        domain_id uuid NOT NULL,
        query text NOT NULL,
        -- The summary of the last 7 days of data (refreshed by the analysis after each ingestion).
        clicks integer NOT NULL DEFAULT 0,
        impressions integer NOT NULL DEFAULT 0,
        ctr double precision NOT NULL DEFAULT 0,
        position double precision,
        previous_position double precision,
        position_change double precision,
        url text,
        previous_url text,
        last_date date,
        -- The source the summary was taken from (Search Console before Ahrefs).
        summary_source uuid,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        UNIQUE (domain_id, query)
      )`);
    // The keyword list's sorts (keyset pages: the key, then id, in one direction); missing figures sort last.
    for (const [name, key] of [
      ['clicks', 'clicks DESC, id DESC'],
      ['impressions', 'impressions DESC, id DESC'],
      ['position', 'coalesce(position, 1e9), id'],
      ['change', 'coalesce(position_change, -1e9) DESC, id DESC'],
    ]) {
      await runner.query(`CREATE INDEX keywords_${name}_idx ON keywords (domain_id, ${key})`);
      await runner.query(`CREATE INDEX keywords_org_${name}_idx ON keywords (org_id, ${key})`);
    }
    // The analysis reads the keywords whose summary a source gave.
    await runner.query(`CREATE INDEX keywords_summary_source_idx ON keywords (summary_source)`);
    await runner.query(`CREATE INDEX keywords_query_trgm_idx ON keywords USING gin (query gin_trgm_ops)`);

    await runner.query(`
      CREATE TABLE keyword_metrics (
        keyword_id uuid NOT NULL REFERENCES keywords (id) ON DELETE CASCADE,
        source_id uuid NOT NULL REFERENCES seo_sources (id) ON DELETE CASCADE,
        date date NOT NULL,
        page text NOT NULL,
        domain_id uuid NOT NULL,
        clicks integer NOT NULL CHECK (clicks >= 0 AND clicks <= impressions),
        impressions integer NOT NULL,
        ctr double precision NOT NULL CHECK (ctr >= 0 AND ctr <= 1),
        position double precision NOT NULL CHECK (position >= 1),
        data_state varchar(5) NOT NULL CHECK (data_state IN ('final', 'fresh')),
        PRIMARY KEY (keyword_id, source_id, date, page)
      )`);
    // A window's rows of a source (replaced whole), and a domain's days (analysis, pages).
    await runner.query(`CREATE INDEX keyword_metrics_source_date_idx ON keyword_metrics (source_id, date)`);
    await runner.query(
      `CREATE INDEX keyword_metrics_domain_date_idx ON keyword_metrics (domain_id, date) INCLUDE (page, clicks, impressions)`,
    );

    // Each analysis signal once per subject and window (a second run emits nothing).
    await runner.query(`
      CREATE TABLE analysis_signals (
        domain_id uuid NOT NULL,
        kind varchar(30) NOT NULL,
        subject text NOT NULL,
        window_end date NOT NULL,
        org_id varchar(100) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (domain_id, kind, subject, window_end)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE analysis_signals`);
    await runner.query(`DROP TABLE keyword_metrics`);
    await runner.query(`DROP TABLE keywords`);
    await runner.query(`DROP TABLE ingestions`);
    await runner.query(`DROP TABLE seo_sources`);
  }
}
