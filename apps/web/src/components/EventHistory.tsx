import { Badge, Paper, Table, Text, Title } from '@mantine/core';

import { api, data } from '../api/client';
import { Listing, usePages } from './Listing';

/** `content.item.updated` → `updated`. */
const verb = (type: string) => type.split('.').pop() ?? type;

/** Everything that happened to an item (its event store), newest first: who, what moved, at which version. */
export function EventHistory({ id, version }: { id: string; version: number }) {
  const events = usePages(['content', id, 'events', version], async (cursor) =>
    data(
      await api.GET('/api/content/{id}/events', { params: { path: { id }, query: { limit: 20, cursor } } }),
    ),
  );
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="xs">
        Event history
      </Title>
      <Listing pages={events} empty="No events yet.">
        {(list) => (
          <Table.ScrollContainer minWidth={480}>
            <Table aria-label="Event history">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>When</Table.Th>
                  <Table.Th>What</Table.Th>
                  <Table.Th>Version</Table.Th>
                  <Table.Th>Who</Table.Th>
                  <Table.Th>Changed</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((event) => {
                  const payload = event.payload as { actor?: string; changes?: Record<string, unknown> };
                  return (
                    <Table.Tr key={event.eventId}>
                      <Table.Td>{new Date(event.occurredAt).toLocaleString()}</Table.Td>
                      <Table.Td>
                        <Badge color="gray">{verb(event.type)}</Badge>
                      </Table.Td>
                      <Table.Td>{event.version}</Table.Td>
                      <Table.Td>{payload.actor ?? '—'}</Table.Td>
                      <Table.Td>
                        <Text size="sm">{Object.keys(payload.changes ?? {}).join(', ')}</Text>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Listing>
    </Paper>
  );
}
