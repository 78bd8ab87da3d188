import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';

import { api, data } from '../api/client';
import type { components } from '../api/schema';
import { Listing, usePages } from '../components/Listing';
import { Failed, fieldError, formError, Loading } from '../components/States';
import { useCurrentDomain } from '../session';

type Keyword = components['schemas']['KeywordDto'];
type Point = components['schemas']['KeywordPointDto'];
type Sort = 'clicks' | 'impressions' | 'position' | 'change';

const number = new Intl.NumberFormat();
const position = (p: number | null) => (p === null ? '–' : p.toFixed(1));

/** Up (better, green) or down (worse, red) by the change in average position. */
function Change({ value }: { value: number | null }) {
  if (value === null || Math.abs(value) < 0.05)
    return (
      <Text span c="dimmed">
        –
      </Text>
    );
  return (
    <Text
      span
      c={value > 0 ? 'teal.9' : 'red.9'}
      aria-label={value > 0 ? `up ${value.toFixed(1)}` : `down ${(-value).toFixed(1)}`}
    >
      {value > 0 ? '▲' : '▼'} {Math.abs(value).toFixed(1)}
    </Text>
  );
}

/** Position per day, 1 at the top (the axis inverted, as every rank tracker draws it). */
function PositionChart({ points }: { points: Point[] }) {
  if (!points.length) return <Text c="dimmed">No days with data yet.</Text>;
  const width = 640;
  const height = 180;
  const worst = Math.max(10, ...points.map((p) => p.position));
  const x = (i: number) => (points.length === 1 ? width / 2 : (i / (points.length - 1)) * (width - 40) + 30);
  const y = (p: number) => 10 + ((p - 1) / (worst - 1)) * (height - 30);
  const path = points
    .map((p, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.position).toFixed(1)}`)
    .join(' ');
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label="Average position per day (1 at the top)"
      width="100%"
    >
      {[1, Math.round(worst / 2), Math.round(worst)].map((p) => (
        <g key={p}>
          <line x1={30} x2={width} y1={y(p)} y2={y(p)} stroke="#ddd" />
          <text x={0} y={y(p) + 4} fontSize={11}>
            {p}
          </text>
        </g>
      ))}
      <path d={path} fill="none" stroke="#228be6" strokeWidth={2} />
      {points.map((p, i) => (
        <circle
          key={p.date}
          cx={x(i)}
          cy={y(p.position)}
          r={2.5}
          fill={p.dataState === 'fresh' ? '#fab005' : '#228be6'}
        >
          <title>{`${p.date}: position ${p.position.toFixed(1)}, ${p.clicks} clicks, ${p.url}${p.dataState === 'fresh' ? ' (fresh)' : ''}`}</title>
        </circle>
      ))}
    </svg>
  );
}

function KeywordHistory({ id }: { id: string }) {
  const history = useQuery({
    queryKey: ['seo', 'history', id],
    queryFn: async () =>
      data(await api.GET('/api/seo/keywords/{id}/history', { params: { path: { id }, query: {} } })),
  });
  if (history.isPending) return <Loading />;
  if (history.error) return <Failed error={history.error} />;
  const points = history.data.points;
  const urls = [...new Set(points.map((p) => p.url))];
  return (
    <Card withBorder>
      <Title order={4}>“{history.data.keyword.query}”</Title>
      <PositionChart points={points} />
      <Text size="sm">
        Ranking URL{urls.length > 1 ? 's (it changed)' : ''}: {urls.slice(-3).join(' → ') || '–'}
      </Text>
    </Card>
  );
}

function AddSource({ domainId }: { domainId: string | null }) {
  const client = useQueryClient();
  const [type, setType] = useState<'gsc' | 'ahrefs'>('gsc');
  const [property, setProperty] = useState('');
  const [credentials, setCredentials] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [budget, setBudget] = useState<number | string>(20000);
  const create = useMutation({
    mutationFn: async () =>
      data(
        await api.POST('/api/seo/sources', {
          body: {
            ...(domainId ? { domainId } : {}),
            type,
            config:
              type === 'gsc'
                ? { property, credentials }
                : { target: property, apiKey, monthlyUnitBudget: Number(budget) },
          },
        }),
      ),
    onSuccess: () => {
      setCredentials('');
      setApiKey('');
      void client.invalidateQueries({ queryKey: ['seo'] });
    },
  });
  return (
    <Card withBorder>
      <Stack>
        <Title order={4}>Connect a source</Title>
        <SegmentedControl
          value={type}
          onChange={(value) => setType(value as 'gsc' | 'ahrefs')}
          data={[
            { value: 'gsc', label: 'Search Console' },
            { value: 'ahrefs', label: 'Ahrefs' },
          ]}
        />
        <TextInput
          label={type === 'gsc' ? 'Property' : 'Target'}
          placeholder={type === 'gsc' ? 'sc-domain:example.com or https://www.example.com/' : 'example.com'}
          value={property}
          onChange={(e) => setProperty(e.currentTarget.value)}
          error={fieldError(create.error, type === 'gsc' ? 'config.property' : 'config.target')}
        />
        {type === 'gsc' ? (
          <Textarea
            label="Service-account key (JSON)"
            autosize
            minRows={3}
            value={credentials}
            onChange={(e) => setCredentials(e.currentTarget.value)}
            error={fieldError(create.error, 'config.credentials')}
          />
        ) : (
          <Group grow>
            <TextInput
              label="API key"
              type="password"
              value={apiKey}
              onChange={(e) => setApiKey(e.currentTarget.value)}
              error={fieldError(create.error, 'config.apiKey')}
            />
            <NumberInput label="Monthly unit budget" value={budget} onChange={setBudget} min={50} />
          </Group>
        )}
        {create.error && !fieldError(create.error, 'config.property') && (
          <Alert color="red">{formError(create.error)}</Alert>
        )}
        <Group>
          <Button onClick={() => create.mutate()} loading={create.isPending}>
            Connect and check
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

export default function Seo() {
  const [domainId] = useCurrentDomain();
  const client = useQueryClient();
  const [sort, setSort] = useState<Sort>('clicks');
  const [q, setQ] = useState('');
  // A notification's link opens /seo/keywords/:id with that keyword's chart.
  const { id: linked } = useParams();
  const [picked, setSelected] = useState<Keyword | null>(null);
  const selected = picked?.id ?? linked ?? null;
  const [tested, setTested] = useState<Record<string, { ok: boolean; detail: string }>>({});
  const scope = domainId ? { domainId } : {};

  const sources = useQuery({
    queryKey: ['seo', 'sources', domainId],
    queryFn: async () => data(await api.GET('/api/seo/sources', { params: { query: scope } })),
  });
  const ingestions = usePages(
    ['seo', 'ingestions', domainId],
    async (cursor) => data(await api.GET('/api/seo/ingestions', { params: { query: { ...scope, cursor } } })),
    { refetchInterval: 3000 },
  );
  const keywords = usePages(['seo', 'keywords', domainId, sort, q], async (cursor) =>
    data(
      await api.GET('/api/seo/keywords', {
        params: { query: { ...scope, sort, q: q || undefined, cursor, limit: 50 } },
      }),
    ),
  );
  const run = useMutation({
    mutationFn: async (sourceId: string) =>
      data(await api.POST('/api/seo/ingestions', { body: { sourceId } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['seo', 'ingestions'] }),
  });
  const test = useMutation({
    mutationFn: async (id: string) =>
      data(await api.POST('/api/seo/sources/{id}/test', { params: { path: { id } } })),
    onSuccess: (result, id) => setTested((all) => ({ ...all, [id]: result })),
  });

  return (
    <Stack>
      <Title order={2}>SEO</Title>
      <Title order={3}>Sources</Title>
      {sources.isPending ? (
        <Loading />
      ) : sources.error ? (
        <Failed error={sources.error} />
      ) : (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Source</Table.Th>
              <Table.Th>Stored</Table.Th>
              <Table.Th>Check</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {sources.data.items.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>
                  <Badge variant="light">{s.type === 'gsc' ? 'Search Console' : 'Ahrefs'}</Badge> {s.name}
                  {s.unitsSpentThisMonth !== undefined && (
                    <Text size="xs" c="dimmed">
                      {number.format(s.unitsSpentThisMonth)} of{' '}
                      {number.format(Number(s.settings['monthlyUnitBudget']))} units this month
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {s.historyFrom ? `${s.historyFrom} → ${s.finalThrough} final` : 'nothing yet'}
                </Table.Td>
                <Table.Td>
                  {tested[s.id] && (
                    <Text size="sm" c={tested[s.id]?.ok ? 'teal.9' : 'red.9'}>
                      {tested[s.id]?.detail}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap="xs">
                    <Button
                      size="xs"
                      variant="default"
                      onClick={() => test.mutate(s.id)}
                      loading={test.isPending && test.variables === s.id}
                    >
                      Test
                    </Button>
                    <Button
                      size="xs"
                      onClick={() => run.mutate(s.id)}
                      loading={run.isPending && run.variables === s.id}
                    >
                      Run now
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <AddSource domainId={domainId ?? null} />

      <Title order={3}>Keywords</Title>
      <Group>
        <TextInput label="Search" value={q} onChange={(e) => setQ(e.currentTarget.value)} />
        <Select
          label="Sort by"
          value={sort}
          onChange={(value) => setSort((value as Sort) ?? 'clicks')}
          data={[
            { value: 'clicks', label: 'Clicks' },
            { value: 'impressions', label: 'Impressions' },
            { value: 'position', label: 'Position' },
            { value: 'change', label: 'Change' },
          ]}
        />
      </Group>
      {selected && <KeywordHistory id={selected} />}
      <Listing pages={keywords} empty="No keywords yet: connect a source and let it run.">
        {(items) => (
          <Table highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Keyword</Table.Th>
                <Table.Th>Clicks (7 d)</Table.Th>
                <Table.Th>Impressions</Table.Th>
                <Table.Th>Position</Table.Th>
                <Table.Th>Change</Table.Th>
                <Table.Th>Ranking URL</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((k) => (
                <Table.Tr key={k.id} onClick={() => setSelected(k)} style={{ cursor: 'pointer' }}>
                  <Table.Td>
                    <Button variant="subtle" size="compact-sm" onClick={() => setSelected(k)}>
                      {k.query}
                    </Button>
                  </Table.Td>
                  <Table.Td>{number.format(k.clicks)}</Table.Td>
                  <Table.Td>{number.format(k.impressions)}</Table.Td>
                  <Table.Td>{position(k.position)}</Table.Td>
                  <Table.Td>
                    <Change value={k.positionChange} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">{k.url ?? '–'}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Listing>

      <Title order={3}>Ingestions</Title>
      <Listing pages={ingestions} empty="No ingestions yet.">
        {(items) => (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Started</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Days</Table.Th>
                <Table.Th>Read / stored / rejected</Table.Th>
                <Table.Th>Units</Table.Th>
                <Table.Th>Error</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((i) => (
                <Table.Tr key={i.id}>
                  <Table.Td>{new Date(i.createdAt).toLocaleString()}</Table.Td>
                  <Table.Td>
                    <Badge color={i.state === 'failed' ? 'red' : i.state === 'succeeded' ? 'teal' : 'blue'}>
                      {i.state}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{i.windowStart ? `${i.windowStart} → ${i.windowEnd}` : '–'}</Table.Td>
                  <Table.Td>
                    {number.format(i.rowsRead)} / {number.format(i.rowsStored)} /{' '}
                    {number.format(i.rowsRejected)}
                  </Table.Td>
                  <Table.Td>{i.unitsSpent ? number.format(i.unitsSpent) : '–'}</Table.Td>
                  <Table.Td>
                    <Text size="xs" c="red.9">
                      {i.error ?? ''}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Listing>
    </Stack>
  );
}
