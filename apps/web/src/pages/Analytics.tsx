import {
  Anchor,
  Badge,
  Card,
  Group,
  MultiSelect,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';

import { api, data } from '../api/client';
import type { components } from '../api/schema';
import { BarChart } from '../components/BarChart';
import { useDomains } from '../components/DomainSelect';
import { Empty, Failed, Loading } from '../components/States';
import { useCurrentDomain } from '../session';

type Granularity = 'hour' | 'day' | 'month';
type Metric = components['schemas']['UsageSeriesDto']['metric'];

const METRICS: { value: Metric; label: string; bytes?: true }[] = [
  { value: 'content.created', label: 'Content created' },
  { value: 'content.updated', label: 'Content saves' },
  { value: 'content.published', label: 'Content published' },
  { value: 'publishing.attempts', label: 'Publish attempts' },
  { value: 'publishing.failures', label: 'Publish failures' },
  { value: 'media.uploads', label: 'Media uploads' },
  { value: 'media.bytes_uploaded', label: 'Bytes uploaded', bytes: true },
  { value: 'api.requests', label: 'API requests' },
];
const labelOf = (metric: string) => METRICS.find((m) => m.value === metric)?.label ?? metric;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Ranges offered, each with the granularities that give a readable number of bars. */
const RANGES = [
  { value: '24h', label: 'Last 24 hours', ms: DAY, granularities: ['hour'] },
  { value: '7d', label: 'Last 7 days', ms: 7 * DAY, granularities: ['hour', 'day'] },
  { value: '30d', label: 'Last 30 days', ms: 30 * DAY, granularities: ['hour', 'day'] },
  { value: '90d', label: 'Last 90 days', ms: 90 * DAY, granularities: ['day', 'month'] },
  { value: '12m', label: 'Last 12 months', ms: 365 * DAY, granularities: ['day', 'month'] },
] as const;

const number = new Intl.NumberFormat();
function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${i ? n.toFixed(1) : n} ${units[i]}`;
}
const percent = (rate: number | null) => (rate === null ? '–' : `${Math.round(rate * 100)} %`);

/** The browser's zone: days and months are cut at its midnight (the API sums them from hourly figures, 90 days back). */
const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

function bucketLabel(bucket: string, granularity: Granularity, timeZone: string): string {
  const at = new Date(bucket);
  if (granularity === 'hour') return at.toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });
  if (granularity === 'day') return at.toLocaleDateString([], { dateStyle: 'medium', timeZone });
  return at.toLocaleDateString([], { month: 'short', year: 'numeric', timeZone });
}

/** A link that downloads a report as CSV (the session cookie goes with it; same origin). */
function CsvLink({ path, query }: { path: string; query: Record<string, string | undefined> }) {
  const params = new URLSearchParams(
    Object.entries({ ...query, format: 'csv' }).filter((e): e is [string, string] => !!e[1]),
  );
  return (
    <Anchor href={`${path}?${params}`} download size="sm">
      Download CSV
    </Anchor>
  );
}

export default function Analytics() {
  const [domainId] = useCurrentDomain();
  const domains = useDomains();
  const nameOf = (id: string | null) =>
    id === null ? 'No domain (API)' : (domains.data?.items.find((d) => d.id === id)?.name ?? id.slice(0, 8));
  const [metrics, setMetrics] = useState<string[]>([
    'content.created',
    'content.published',
    'publishing.attempts',
  ]);
  const [rangeKey, setRangeKey] = useState<string>('30d');
  const range = RANGES.find((r) => r.value === rangeKey) ?? RANGES[2];
  const [chosen, setGranularity] = useState<Granularity>('day');
  const granularity: Granularity = (range.granularities as readonly string[]).includes(chosen)
    ? chosen
    : range.granularities[0];
  // The range ends at the end of the current hour, so the hour under way is in it.
  const window = useMemo(() => {
    const to = new Date(Math.ceil((Date.now() + 1) / HOUR) * HOUR);
    return { from: new Date(to.getTime() - range.ms).toISOString(), to: to.toISOString() };
  }, [range.ms]);
  const base = { ...window, domainId: domainId ?? undefined };
  const tz = range.ms <= 90 * DAY ? ZONE : 'UTC';

  const usage = useQuery({
    queryKey: ['analytics', 'usage', base, metrics, granularity, tz],
    enabled: metrics.length > 0,
    queryFn: async () =>
      data(
        await api.GET('/api/analytics/usage', {
          params: { query: { ...base, metric: metrics.join(','), granularity, tz } },
        }),
      ),
  });
  const reportGranularity = granularity === 'month' ? 'month' : 'day';
  const content = useQuery({
    queryKey: ['analytics', 'content', base, reportGranularity, tz],
    queryFn: async () =>
      data(
        await api.GET('/api/analytics/reports/content', {
          params: { query: { ...base, granularity: reportGranularity, tz } },
        }),
      ),
  });
  const portfolio = useQuery({
    queryKey: ['analytics', 'portfolio', window],
    queryFn: async () =>
      data(await api.GET('/api/analytics/reports/portfolio', { params: { query: window } })),
  });

  return (
    <Stack>
      <Title order={2}>Analytics</Title>
      <Text size="sm" c="dimmed">
        {domainId ? `Domain ${nameOf(domainId)}` : 'Every domain of the organisation'}; hours and days in UTC;
        the hour under way is included.
      </Text>
      <Group align="flex-end" wrap="wrap">
        <MultiSelect
          label="Metrics"
          data={METRICS}
          value={metrics}
          onChange={setMetrics}
          maxValues={5}
          w={420}
          comboboxProps={{ withinPortal: true }}
        />
        <Select
          label="Range"
          data={RANGES.map(({ value, label }) => ({ value, label }))}
          value={rangeKey}
          onChange={(value) => value && setRangeKey(value)}
          allowDeselect={false}
          w={180}
        />
        <div>
          <Text size="sm" fw={500} mb={4} id="granularity-label">
            Granularity
          </Text>
          <SegmentedControl
            aria-labelledby="granularity-label"
            data={range.granularities.map((g) => ({ value: g, label: g }))}
            value={granularity}
            onChange={(value) => setGranularity(value as Granularity)}
          />
        </div>
        {metrics.length > 0 && (
          <CsvLink
            path="/api/analytics/usage"
            query={{ ...base, metric: metrics.join(','), granularity, tz }}
          />
        )}
      </Group>

      {metrics.length === 0 ? (
        <Empty>Pick a metric.</Empty>
      ) : usage.error ? (
        <Failed error={usage.error} retry={() => usage.refetch()} />
      ) : !usage.data ? (
        <Loading />
      ) : (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          {usage.data.series.map((series) => {
            const format = METRICS.find((m) => m.value === series.metric)?.bytes ? bytes : number.format;
            return (
              <Card key={series.metric} withBorder>
                <Group justify="space-between" mb="xs">
                  <Text fw={600}>{labelOf(series.metric)}</Text>
                  <Badge variant="light" size="lg" aria-label={`${labelOf(series.metric)} total`}>
                    {format(series.total)}
                  </Badge>
                </Group>
                <BarChart
                  title={labelOf(series.metric)}
                  format={format}
                  bars={series.points.map((p) => ({
                    label: bucketLabel(p.bucket, granularity, tz),
                    value: p.value,
                  }))}
                />
              </Card>
            );
          })}
        </SimpleGrid>
      )}

      <Group justify="space-between" mt="md">
        <Title order={3}>Content and publishing</Title>
        <CsvLink
          path="/api/analytics/reports/content"
          query={{ ...base, granularity: reportGranularity, tz }}
        />
      </Group>
      {content.error ? (
        <Failed error={content.error} retry={() => content.refetch()} />
      ) : !content.data ? (
        <Loading />
      ) : content.data.rows.length === 0 ? (
        <Empty>No content or publishing activity in this range.</Empty>
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table striped aria-label="Content and publishing by period and domain">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Period</Table.Th>
                <Table.Th>Domain</Table.Th>
                <Table.Th ta="right">Created</Table.Th>
                <Table.Th ta="right">Published</Table.Th>
                <Table.Th ta="right">Attempts</Table.Th>
                <Table.Th ta="right">Failures</Table.Th>
                <Table.Th ta="right">Success</Table.Th>
                <Table.Th>By destination</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {[...content.data.rows].reverse().map((row) => (
                <Table.Tr key={`${row.period} ${row.domainId}`}>
                  <Table.Td>{bucketLabel(row.period, reportGranularity, tz)}</Table.Td>
                  <Table.Td>{nameOf(row.domainId)}</Table.Td>
                  <Table.Td ta="right">{number.format(row.created)}</Table.Td>
                  <Table.Td ta="right">{number.format(row.published)}</Table.Td>
                  <Table.Td ta="right">{number.format(row.attempts)}</Table.Td>
                  <Table.Td ta="right">{number.format(row.failures)}</Table.Td>
                  <Table.Td ta="right">{percent(row.successRate)}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {Object.entries(row.byDestination).map(([type, figures]) => (
                        <Badge key={type} color={figures.failures ? 'orange.9' : 'teal.9'}>
                          {type} {percent(figures.successRate)} of {figures.attempts}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}

      <Group justify="space-between" mt="md">
        <Title order={3}>Portfolio</Title>
        <CsvLink path="/api/analytics/reports/portfolio" query={window} />
      </Group>
      {portfolio.error ? (
        <Failed error={portfolio.error} retry={() => portfolio.refetch()} />
      ) : !portfolio.data ? (
        <Loading />
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table striped aria-label="Every domain side by side">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Domain</Table.Th>
                {METRICS.map((m) => (
                  <Table.Th key={m.value} ta="right">
                    {m.label}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {[
                // Every domain of the org, with or without activity; then usage not tied to one.
                ...(domains.data?.items ?? []).map((d) => d.id as string | null),
                ...portfolio.data.domains
                  .map((row) => row.domainId)
                  .filter((id) => !domains.data?.items.some((d) => d.id === id)),
              ].map((id) => {
                const row = portfolio.data.domains.find((r) => r.domainId === id);
                return (
                  <Table.Tr key={id ?? 'none'}>
                    <Table.Td>{nameOf(id)}</Table.Td>
                    {METRICS.map((m) => (
                      <Table.Td key={m.value} ta="right">
                        {(m.bytes ? bytes : number.format)(row?.metrics[m.value] ?? 0)}
                      </Table.Td>
                    ))}
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
