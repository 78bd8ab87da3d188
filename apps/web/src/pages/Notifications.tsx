import { Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';

import { api, data } from '../api/client';
import { Listing, usePages } from '../components/Listing';

export default function Notifications() {
  const queries = useQueryClient();
  const list = usePages(
    ['notifications'],
    async (cursor) => data(await api.GET('/api/notifications', { params: { query: { limit: 25, cursor } } })),
    { refetchInterval: 30_000 },
  );
  const refresh = () => void queries.invalidateQueries({ queryKey: ['notifications'] });
  const read = useMutation({
    mutationFn: async (id: string) => api.POST('/api/notifications/{id}/read', { params: { path: { id } } }),
    onSuccess: refresh,
  });
  const readAll = useMutation({
    mutationFn: async () => api.POST('/api/notifications/read-all'),
    onSuccess: refresh,
  });
  const anyItems = Boolean(list.data?.pages[0]?.items.length);

  return (
    <Stack maw={800}>
      <Group justify="space-between">
        <Title order={2}>Notifications</Title>
        <Button
          variant="default"
          onClick={() => readAll.mutate()}
          loading={readAll.isPending}
          disabled={!anyItems}
        >
          Mark all read
        </Button>
      </Group>
      <Listing pages={list} empty="Nothing new. You will hear here when something needs you.">
        {(items) =>
          items.map((n) => (
            <Paper key={n.id} withBorder p="sm" aria-label={n.title}>
              <Group justify="space-between" align="flex-start" wrap="nowrap">
                <Stack gap={2}>
                  <Group gap="xs">
                    {!n.readAt && <Badge size="xs">new</Badge>}
                    {n.critical && (
                      <Badge size="xs" color="red">
                        critical
                      </Badge>
                    )}
                    <Text fw={600}>{n.link ? <Link to={n.link}>{n.title}</Link> : n.title}</Text>
                  </Group>
                  <Text size="sm">{n.body}</Text>
                  <Text size="xs" c="dimmed">
                    {new Date(n.createdAt).toLocaleString()}
                  </Text>
                </Stack>
                {!n.readAt && (
                  <Button size="xs" variant="subtle" onClick={() => read.mutate(n.id)}>
                    Mark read
                  </Button>
                )}
              </Group>
            </Paper>
          ))
        }
      </Listing>
    </Stack>
  );
}
