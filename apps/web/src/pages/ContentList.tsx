import {
  Badge,
  Button,
  Card,
  Group,
  ScrollArea,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';

import { api, data } from '../api/client';
import type { components } from '../api/schema';
import { DomainSelect, useTargetDomain } from '../components/DomainSelect';
import { FormCard } from '../components/FormCard';
import { Listing, usePages } from '../components/Listing';
import { fieldError } from '../components/States';
import { can, useCurrentDomain, useMe } from '../session';

type Status = NonNullable<components['schemas']['ContentItemDto']['status']>;
export const STATUS_COLOR: Record<Status, string> = {
  draft: 'gray',
  review: 'yellow',
  scheduled: 'blue',
  published: 'green',
  archived: 'dark',
};

export default function ContentList() {
  const me = useMe();
  const navigate = useNavigate();
  const [domainId] = useCurrentDomain();
  const [status, setStatus] = useState<Status | null>(null);
  const [search, setSearch] = useState('');
  const [tagText, setTagText] = useState('');
  const [tags] = useDebouncedValue(
    tagText
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean)
      .join(','),
    300,
  );
  const [q] = useDebouncedValue(search.trim(), 300);
  const [authorText, setAuthorText] = useState('');
  const [author] = useDebouncedValue(authorText.trim(), 300);
  const [view, setView] = useState<'list' | 'board'>('list');
  const filters = {
    domainId: domainId ?? undefined,
    q: q || undefined,
    tags: tags || undefined,
    createdBy: author || undefined,
  };
  const list = usePages(['content', { ...filters, status }], async (cursor) =>
    data(
      await api.GET('/api/content', {
        params: { query: { ...filters, status: status ?? undefined, limit: 25, cursor } },
      }),
    ),
  );
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [chosenDomain, setChosenDomain] = useState<string | null>(null);
  const targetDomain = useTargetDomain(chosenDomain);
  const create = useMutation({
    mutationFn: async () =>
      data(
        await api.POST('/api/content', {
          body: {
            title,
            body: body ? `<p>${escapeHtml(body)}</p>` : undefined,
            domainId: targetDomain ?? undefined,
          },
        }),
      ),
    onSuccess: (item) => navigate(`/content/${item.id}`),
  });

  return (
    <Stack>
      <Title order={2}>Content</Title>
      {can(me.data, 'content:write') && (
        <FormCard title="New draft" error={create.error} onSubmit={() => create.mutate()}>
          <Stack gap="sm">
            <DomainSelect
              value={targetDomain}
              onChange={setChosenDomain}
              error={fieldError(create.error, 'domainId')}
            />
            <TextInput
              label="Title"
              value={title}
              onChange={(e) => setTitle(e.currentTarget.value)}
              error={fieldError(create.error, 'title')}
              required
            />
            <Textarea
              label="First paragraph"
              value={body}
              onChange={(e) => setBody(e.currentTarget.value)}
              error={fieldError(create.error, 'body')}
              autosize
              minRows={2}
            />
            <Button type="submit" w="fit-content" loading={create.isPending}>
              Create draft
            </Button>
          </Stack>
        </FormCard>
      )}
      <Group>
        <TextInput
          aria-label="Search titles"
          placeholder="Search titles"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
        />
        <TextInput
          aria-label="Tags"
          placeholder="Tags (all of them)"
          value={tagText}
          onChange={(e) => setTagText(e.currentTarget.value)}
        />
        <TextInput
          aria-label="Author"
          placeholder="Author (user id)"
          value={authorText}
          onChange={(e) => setAuthorText(e.currentTarget.value)}
        />
        {view === 'list' && (
          <Select
            aria-label="Status"
            placeholder="Any status"
            data={Object.keys(STATUS_COLOR)}
            value={status}
            onChange={(value) => setStatus(value as Status | null)}
            clearable
          />
        )}
        <SegmentedControl
          aria-label="View"
          data={[
            { value: 'list', label: 'List' },
            { value: 'board', label: 'Board' },
          ]}
          value={view}
          onChange={(value) => setView(value as 'list' | 'board')}
        />
      </Group>
      {view === 'board' ? (
        <Board filters={filters} />
      ) : (
        <Listing pages={list} empty="No content here yet.">
          {(items) => (
            <Table.ScrollContainer minWidth={480}>
              <Table highlightOnHover aria-label="Content">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Title</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Updated</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((item) => (
                    <Table.Tr key={item.id}>
                      <Table.Td>
                        <Link to={`/content/${item.id}`}>{item.title}</Link>
                      </Table.Td>
                      <Table.Td>
                        <Badge color={STATUS_COLOR[item.status]}>{item.status}</Badge>
                      </Table.Td>
                      <Table.Td>{new Date(item.updatedAt).toLocaleString()}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Listing>
      )}
    </Stack>
  );
}

type Filters = { domainId?: string; q?: string; tags?: string; createdBy?: string };

/** One column per lifecycle state, the newest changes first (the 20 latest of each). */
function Board({ filters }: { filters: Filters }) {
  return (
    <ScrollArea type="auto" offsetScrollbars>
      <SimpleGrid cols={5} miw={1000} spacing="sm" aria-label="Content by state">
        {(Object.keys(STATUS_COLOR) as Status[]).map((status) => (
          <BoardColumn key={status} status={status} filters={filters} />
        ))}
      </SimpleGrid>
    </ScrollArea>
  );
}

function BoardColumn({ status, filters }: { status: Status; filters: Filters }) {
  const column = useQuery({
    queryKey: ['content', 'board', status, filters],
    queryFn: async () =>
      data(
        await api.GET('/api/content', {
          params: { query: { ...filters, status, sort: 'updatedAt', limit: 20 } },
        }),
      ),
  });
  const items = column.data?.items ?? [];
  return (
    <Stack gap="xs" role="region" aria-label={`${status} items`}>
      <Group justify="space-between">
        <Badge color={STATUS_COLOR[status]}>{status}</Badge>
        <Text size="xs" c="dimmed">
          {column.data ? `${items.length}${column.data.nextCursor ? '+' : ''}` : '…'}
        </Text>
      </Group>
      {items.map((item) => (
        <Card key={item.id} withBorder padding="xs">
          <Link to={`/content/${item.id}`}>{item.title}</Link>
          <Text size="xs" c="dimmed">
            {item.createdBy} · {new Date(item.updatedAt).toLocaleDateString()}
          </Text>
        </Card>
      ))}
    </Stack>
  );
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
