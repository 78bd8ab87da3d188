import { canonicalUrl, normaliseQuery, normaliseRows } from './normalise';
import { advance, planWindows } from './windows';

const window = { start: '2026-11-01', end: '2026-11-30' };
const row = (overrides: Record<string, unknown> = {}) => ({
  date: '2026-11-10',
  query: 'seo tools',
  page: 'https://example.com/a',
  clicks: 5,
  impressions: 100,
  ctr: 0.05,
  position: 3.2,
  ...overrides,
});

describe('normalisation', () => {
  it('folds queries: case, outer and inner whitespace, Unicode NFC', () => {
    expect(normaliseQuery('  SEO\t Tools \n')).toBe('seo tools');
    expect(normaliseQuery('cafe\u0301')).toBe('caf\u00e9');
  });

  it('canonicalises page URLs: scheme and host case, default port, fragment and tracking parameters dropped', () => {
    expect(canonicalUrl('HTTPS://Example.COM:443/Path?utm_source=x&id=7&gclid=1#top')).toBe(
      'https://example.com/Path?id=7',
    );
    expect(canonicalUrl('http://example.com:80/?fbclid=abc')).toBe('http://example.com/');
    expect(canonicalUrl('ftp://example.com/file')).toBeNull();
    expect(canonicalUrl('not a url')).toBeNull();
  });

  it('rejects impossible rows with a reason and keeps a sample; stores the rest', () => {
    const result = normaliseRows(
      [
        row(),
        row({ clicks: 11, impressions: 10 }),
        row({ ctr: 1.5 }),
        row({ position: 0.5 }),
        row({ date: '2026-02-30' }),
        row({ date: '2026-12-05' }),
        row({ page: 'mailto:me@example.com' }),
        row({ query: '   ' }),
        row({ clicks: 1.5 }),
      ],
      window,
    );
    expect(result.rows).toHaveLength(1);
    expect(result.rejected).toBe(8);
    expect(result.sample.map((s) => s.reason)).toEqual([
      'clicks exceed impressions',
      'ctr is not between 0 and 1',
      'position is not ≥ 1',
      'date is not a YYYY-MM-DD day',
      'date outside the requested window',
      'page is not an http(s) URL',
      'query empty',
      'clicks is not a whole number ≥ 0',
    ]);
  });

  it('merges rows that normalise to the same keyword × page × day, weighting the position by impressions', () => {
    const result = normaliseRows(
      [
        row({
          query: 'SEO Tools',
          page: 'https://example.com/a?utm_medium=mail',
          clicks: 10,
          impressions: 100,
          position: 2,
        }),
        row({ query: 'seo  tools', clicks: 0, impressions: 300, position: 6 }),
      ],
      window,
    );
    expect(result.rows).toEqual([
      expect.objectContaining({
        query: 'seo tools',
        page: 'https://example.com/a',
        clicks: 10,
        impressions: 400,
        position: 5,
        ctr: 0.025,
      }),
    ]);
  });
});

describe('ingestion windows', () => {
  const base = { today: '2026-12-02', earliest: '2026-11-01', windowDays: 7 };

  it('a new source backfills newest first, down to what Search Console keeps', () => {
    const windows = planWindows({ ...base, historyFrom: null, finalThrough: null });
    expect(windows[0]).toEqual({ start: '2026-11-26', end: '2026-12-02', kind: 'backfill' });
    expect(windows[windows.length - 1]).toEqual({ start: '2026-11-01', end: '2026-11-04', kind: 'backfill' });
    expect(windows).toHaveLength(5);
  });

  it('later runs fetch the days not final yet (oldest first), then the history a backfill did not finish', () => {
    const windows = planWindows({ ...base, historyFrom: '2026-11-12', finalThrough: '2026-11-29' });
    expect(windows).toEqual([
      { start: '2026-11-30', end: '2026-12-02', kind: 'recent' },
      { start: '2026-11-05', end: '2026-11-11', kind: 'backfill' },
      { start: '2026-11-01', end: '2026-11-04', kind: 'backfill' },
    ]);
  });

  it('moves what is final forward only up to the first incomplete day, never back', () => {
    const recent = { start: '2026-11-30', end: '2026-12-02', kind: 'recent' as const };
    expect(advance({ historyFrom: '2026-11-12', finalThrough: '2026-11-29' }, recent, '2026-12-01')).toEqual({
      historyFrom: '2026-11-12',
      finalThrough: '2026-11-30',
    });
    const older = { start: '2026-11-05', end: '2026-11-11', kind: 'backfill' as const };
    expect(advance({ historyFrom: '2026-11-12', finalThrough: '2026-11-30' }, older, '2026-12-01')).toEqual({
      historyFrom: '2026-11-05',
      finalThrough: '2026-11-30',
    });
  });
});
