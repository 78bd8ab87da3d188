import { Badge, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';

import { api, data } from '../api/client';
import { Listing, usePages } from '../components/Listing';

/** A date input's day as the start of that day in the user's time zone, as an ISO instant. */
function startOfDay(day: string, plusDays = 0): string | undefined {
  if (!day) return undefined;
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y!, m! - 1, d! + plusDays).toISOString();
}

export default function AuditLog() {
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [category, setCategory] = useState<string | null>(null);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [filters] = useDebouncedValue(
    { actor: actor.trim(), action: action.trim(), category, from, to },
    300,
  );
  const list = usePages(['audit', filters], async (cursor) =>
    data(
      await api.GET('/api/audit-logs', {
        params: {
          query: {
            actorId: filters.actor || undefined,
            action: filters.action || undefined,
            category: (filters.category as 'auth' | 'admin' | 'data_access' | 'security' | null) ?? undefined,
            from: startOfDay(filters.from),
            // "To" is inclusive of its day.
            to: startOfDay(filters.to, 1),
            limit: 50,
            cursor,
          },
        },
      }),
    ),
  );

  return (
    <Stack>
      <Title order={2}>Audit log</Title>
      <Group align="flex-end">
        <TextInput
          label="Actor"
          placeholder="user id"
          value={actor}
          onChange={(e) => setActor(e.currentTarget.value)}
        />
        <TextInput
          label="Action"
          placeholder="domain.created"
          value={action}
          onChange={(e) => setAction(e.currentTarget.value)}
        />
        <Select
          label="Category"
          placeholder="Any"
          data={['auth', 'admin', 'data_access', 'security']}
          value={category}
          onChange={setCategory}
          clearable
        />
        <TextInput label="From" type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
        <TextInput label="To" type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
      </Group>
      <Listing pages={list} empty="No entries match.">
        {(entries) => (
          <Table.ScrollContainer minWidth={640}>
            <Table striped aria-label="Audit log">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>When</Table.Th>
                  <Table.Th>Actor</Table.Th>
                  <Table.Th>Action</Table.Th>
                  <Table.Th>Target</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {entries.map((e) => (
                  <Table.Tr key={e.id}>
                    <Table.Td>{new Date(e.createdAt).toLocaleString()}</Table.Td>
                    <Table.Td>{e.actorId}</Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Badge color="gray">{e.category}</Badge>
                        <Text size="sm">{e.action}</Text>
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">
                        {e.targetType} {e.targetId}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Listing>
    </Stack>
  );
}
