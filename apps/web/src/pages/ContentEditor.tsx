import { Alert, Badge, Button, Group, Paper, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';

import { api, ApiProblem, data } from '../api/client';
import type { components } from '../api/schema';
import { EventHistory } from '../components/EventHistory';
import { Revisions } from '../components/Revisions';
import { RichText } from '../components/RichText';
import { Failed, fieldError, formError, Loading } from '../components/States';
import { can, useMe } from '../session';
import { STATUS_COLOR } from './ContentList';

type Item = components['schemas']['ContentItemDto'];
type Status = Item['status'];

/** The moves a person may make (docs/api.md § Content: the API refuses the others with 403/409). */
const MOVES: Partial<Record<Status, { to: Status; label: string; permission: string }[]>> = {
  draft: [{ to: 'review', label: 'Submit for review', permission: 'content:write' }],
  review: [
    { to: 'published', label: 'Approve and publish', permission: 'content:review' },
    { to: 'draft', label: 'Send back to draft', permission: 'content:review' },
  ],
  scheduled: [{ to: 'draft', label: 'Unschedule', permission: 'content:write' }],
  published: [{ to: 'archived', label: 'Archive', permission: 'content:publish' }],
  archived: [{ to: 'draft', label: 'Back to draft', permission: 'content:publish' }],
};

const LOCK_RENEW_MS = 120_000;

export default function ContentEditor() {
  const { id = '' } = useParams();
  const me = useMe();
  const queries = useQueryClient();
  const item = useQuery({
    queryKey: ['content', id],
    queryFn: async () => data(await api.GET('/api/content/{id}', { params: { path: { id } } })),
  });
  const [draft, setDraft] = useState<Pick<Item, 'title' | 'body' | 'excerpt'> & { tags: string }>();
  const [base, setBase] = useState<number>();
  useEffect(() => {
    if (item.data && base === undefined) {
      setDraft({ ...item.data, tags: item.data.tags.join(', ') });
      setBase(item.data.version);
    }
  }, [item.data, base]);

  // The edit lock: taken on opening, renewed while the page is open, released on leaving.
  const writer = can(me.data, 'content:write');
  const lock = useQuery({
    queryKey: ['content', id, 'lock'],
    enabled: writer && item.data?.status !== 'archived',
    refetchInterval: LOCK_RENEW_MS,
    retry: false,
    queryFn: async () =>
      data(await api.POST('/api/content/{id}/lock', { params: { path: { id } }, body: {} })),
  });
  useEffect(
    () => () => {
      if (writer)
        void api.DELETE('/api/content/{id}/lock', { params: { path: { id } } }).catch(() => undefined);
    },
    [id, writer],
  );
  const lockedByOther = lock.error instanceof ApiProblem && lock.error.status === 423;

  const save = useMutation({
    mutationFn: async () =>
      data(
        await api.POST('/api/content/update', {
          body: {
            id,
            version: base!,
            title: draft!.title,
            body: draft!.body,
            excerpt: draft!.excerpt,
            tags: draft!.tags
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
          },
        }),
      ),
    onSuccess: (saved) => {
      setBase(saved.version);
      queries.setQueryData(['content', id], saved);
    },
  });
  const conflict = save.error instanceof ApiProblem && save.error.status === 409;
  const reload = async () => {
    const fresh = await item.refetch();
    if (fresh.data) {
      setDraft({ ...fresh.data, tags: fresh.data.tags.join(', ') });
      setBase(fresh.data.version);
    }
    save.reset();
  };

  const [publishAt, setPublishAt] = useState('');
  const move = useMutation({
    mutationFn: async (to: Status) =>
      data(
        await api.POST('/api/content/{id}/transitions', {
          params: { path: { id } },
          body: {
            to,
            version: base!,
            // The picker's wall-clock time is the user's own zone; the API takes an instant.
            ...(to === 'scheduled' ? { scheduledFor: new Date(publishAt).toISOString() } : {}),
          },
        }),
      ),
    onSuccess: (moved) => {
      setBase(moved.version);
      queries.setQueryData(['content', id], moved);
      void queries.invalidateQueries({ queryKey: ['content'], exact: false });
    },
  });

  if (item.isPending || (item.data && !draft)) return <Loading />;
  if (item.error) return <Failed error={item.error} retry={() => void item.refetch()} />;
  const current = queries.getQueryData<Item>(['content', id]) ?? item.data!;

  return (
    <Stack maw={900}>
      <Group justify="space-between">
        <Title order={2}>{current.title}</Title>
        <Badge color={STATUS_COLOR[current.status]} size="lg">
          {current.status}
        </Badge>
      </Group>
      {lockedByOther && (
        <Alert color="yellow" title="Someone else is editing" role="status">
          {(lock.error as ApiProblem).detail || 'Another member holds the edit lock.'} You can read, not save.
        </Alert>
      )}
      {lock.data && (
        <Text size="xs" c="dimmed">
          You hold the edit lock until {new Date(lock.data.expiresAt).toLocaleTimeString()}.
        </Text>
      )}
      {conflict && (
        <Alert color="orange" title="Someone saved first" role="alert">
          <Stack gap="xs">
            <Text size="sm">
              This item changed since you opened it (your version {base}). Reload to see theirs; copy your
              text first if you need it.
            </Text>
            <Button size="xs" color="orange" onClick={() => void reload()} w="fit-content">
              Reload the latest version
            </Button>
          </Stack>
        </Alert>
      )}
      {!conflict && formError(save.error) && (
        <Alert color="red" role="alert">
          {formError(save.error)}
        </Alert>
      )}
      <Paper withBorder p="md" component="form" onSubmit={(e) => (e.preventDefault(), save.mutate())}>
        <Stack>
          <TextInput
            label="Title"
            value={draft!.title}
            onChange={(e) => setDraft({ ...draft!, title: e.currentTarget.value })}
            error={fieldError(save.error, 'title')}
            readOnly={!writer || lockedByOther}
            required
          />
          <RichText
            label="Body"
            value={draft!.body}
            onChange={(body) => setDraft((current) => (current ? { ...current, body } : current))}
            error={fieldError(save.error, 'body')}
            readOnly={!writer || lockedByOther}
          />
          <Textarea
            label="Excerpt"
            value={draft!.excerpt}
            onChange={(e) => setDraft({ ...draft!, excerpt: e.currentTarget.value })}
            error={fieldError(save.error, 'excerpt')}
            readOnly={!writer || lockedByOther}
            autosize
          />
          <TextInput
            label="Tags"
            description="Comma-separated"
            value={draft!.tags}
            onChange={(e) => setDraft({ ...draft!, tags: e.currentTarget.value })}
            error={fieldError(save.error, 'tags')}
            readOnly={!writer || lockedByOther}
          />
          {writer && (
            <Button type="submit" w="fit-content" loading={save.isPending} disabled={lockedByOther}>
              Save
            </Button>
          )}
          {save.isSuccess && (
            <Text size="sm" role="status">
              Saved (version {base}).
            </Text>
          )}
        </Stack>
      </Paper>
      <Group>
        {(MOVES[current.status] ?? []).map((m) => {
          const allowed = can(me.data, m.permission);
          return (
            <Button
              key={m.to}
              variant="default"
              onClick={() => move.mutate(m.to)}
              loading={move.isPending && move.variables === m.to}
              disabled={!allowed}
              title={allowed ? undefined : `Needs ${m.permission}`}
            >
              {m.label}
            </Button>
          );
        })}
      </Group>
      {current.status === 'review' && can(me.data, 'content:review') && (
        <Group align="flex-end">
          <TextInput
            label="Publish at"
            description={`Your time (${Intl.DateTimeFormat().resolvedOptions().timeZone})`}
            type="datetime-local"
            step={1}
            value={publishAt}
            onChange={(e) => setPublishAt(e.currentTarget.value)}
          />
          <Button
            variant="default"
            onClick={() => move.mutate('scheduled')}
            disabled={!publishAt}
            loading={move.isPending && move.variables === 'scheduled'}
          >
            Schedule
          </Button>
        </Group>
      )}
      {current.status === 'scheduled' && current.scheduledFor && (
        <Text size="sm" role="status">
          Scheduled for {new Date(current.scheduledFor).toLocaleString()}: it goes to every destination set to
          publish scheduled items.
        </Text>
      )}
      {move.error && <Failed error={move.error} />}
      <Revisions
        item={current}
        canRestore={writer && !lockedByOther}
        onRestored={(restored) => {
          queries.setQueryData(['content', id], restored);
          setDraft({ ...restored, tags: restored.tags.join(', ') });
          setBase(restored.version);
        }}
      />
      <EventHistory id={current.id} version={current.version} />
    </Stack>
  );
}
