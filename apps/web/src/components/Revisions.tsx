import { Button, Group, Paper, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';

import { api, data } from '../api/client';
import type { components } from '../api/schema';
import { Failed } from './States';

type Item = components['schemas']['ContentItemDto'];

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/**
 * An item's versions: any two side by side (field by field, as the API's diff
 * says), and a way back to an older one (a new version equal to it).
 */
export function Revisions({
  item,
  canRestore,
  onRestored,
}: {
  item: Item;
  canRestore: boolean;
  onRestored: (restored: Item) => void;
}) {
  const id = item.id;
  const revisions = useQuery({
    queryKey: ['content', id, 'revisions', item.version],
    queryFn: async () =>
      data(await api.GET('/api/content/{id}/revisions', { params: { path: { id }, query: { limit: 100 } } }))
        .items,
  });
  const [from, setFrom] = useState<string | null>(null);
  const a = Number(from ?? Math.max(1, item.version - 1));
  const b = item.version;
  const diff = useQuery({
    queryKey: ['content', id, 'diff', a, b],
    enabled: a !== b,
    queryFn: async () =>
      data(
        await api.GET('/api/content/{id}/revisions/{a}/diff/{b}', {
          params: { path: { id, a: String(a), b: String(b) } },
        }),
      ),
  });
  const restore = useMutation({
    mutationFn: async () =>
      data(
        await api.POST('/api/content/{id}/revisions/{version}/restore', {
          params: { path: { id, version: String(a) } },
          body: { version: item.version },
        }),
      ),
    onSuccess: (restored) => {
      setFrom(null);
      onRestored(restored);
    },
  });
  const options = (revisions.data ?? [])
    .filter((r) => r.version !== b)
    .map((r) => ({
      value: String(r.version),
      label: `Version ${r.version} · ${r.cause} · ${r.createdBy} · ${new Date(r.createdAt).toLocaleString()}`,
    }));

  return (
    <Paper withBorder p="md">
      <Title order={3} size="h5" mb="sm">
        History
      </Title>
      {b === 1 ? (
        <Text size="sm" c="dimmed">
          Only one version so far.
        </Text>
      ) : (
        <Stack gap="sm">
          <Group align="flex-end">
            <Select
              label="Compare the current version with"
              data={options}
              value={String(a)}
              onChange={setFrom}
              allowDeselect={false}
              w={420}
            />
            {canRestore && (
              <Button variant="default" onClick={() => restore.mutate()} loading={restore.isPending}>
                Restore version {a}
              </Button>
            )}
          </Group>
          {diff.error && <Failed error={diff.error} />}
          {restore.error && <Failed error={restore.error} />}
          {diff.data &&
            (diff.data.changes.length ? (
              <Table aria-label={`Changes from version ${a} to ${b}`} layout="fixed">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={120}>Field</Table.Th>
                    <Table.Th>Version {a}</Table.Th>
                    <Table.Th>Version {b}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {diff.data.changes.map((change) => (
                    <Table.Tr key={change.field}>
                      <Table.Td>{change.field}</Table.Td>
                      <Table.Td style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                        {show(change.from)}
                      </Table.Td>
                      <Table.Td style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                        {show(change.to)}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            ) : (
              <Text size="sm">No differences.</Text>
            ))}
        </Stack>
      )}
    </Paper>
  );
}
