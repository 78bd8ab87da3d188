import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Paper,
  PasswordInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

import { api, data } from '../api/client';
import type { components } from '../api/schema';
import { DomainSelect, useTargetDomain } from '../components/DomainSelect';
import { FormCard } from '../components/FormCard';
import { Listing, usePages } from '../components/Listing';
import { Failed, fieldError } from '../components/States';
import { can, useCurrentDomain, useMe } from '../session';

type TargetType = components['schemas']['TargetDto']['type'];
type Job = components['schemas']['JobDto'];

const CONFIG_FIELDS: Record<TargetType, { key: string; label: string; secret?: boolean; list?: boolean }[]> =
  {
    wordpress: [
      { key: 'baseUrl', label: 'Site URL' },
      { key: 'username', label: 'Username' },
      { key: 'applicationPassword', label: 'Application password', secret: true },
    ],
    linkedin: [
      { key: 'authorUrn', label: 'Author URN' },
      { key: 'accessToken', label: 'Access token', secret: true },
    ],
    email: [
      { key: 'from', label: 'From address' },
      { key: 'to', label: 'Recipients (comma-separated)', list: true },
    ],
  };
const OPEN: Job['state'][] = ['pending', 'queued', 'active', 'retrying'];
const STATE_COLOR: Record<string, string> = {
  completed: 'green',
  succeeded: 'green',
  failed: 'red',
  unconfirmed: 'orange',
  retrying: 'yellow',
};

function NewDestination() {
  const queries = useQueryClient();
  const [chosenDomain, setChosenDomain] = useState<string | null>(null);
  const domainId = useTargetDomain(chosenDomain);
  const [type, setType] = useState<TargetType>('email');
  const [name, setName] = useState('');
  const [config, setConfig] = useState<Record<string, string>>({});
  const create = useMutation({
    mutationFn: async () => {
      const values = Object.fromEntries(
        CONFIG_FIELDS[type].map((f) => [
          f.key,
          f.list
            ? (config[f.key] ?? '')
                .split(',')
                .map((v) => v.trim())
                .filter(Boolean)
            : (config[f.key] ?? ''),
        ]),
      );
      return data(
        await api.POST('/api/publishing/targets', {
          body: { type, name, config: values, domainId: domainId ?? undefined },
        }),
      );
    },
    onSuccess: () => {
      setName('');
      setConfig({});
      void queries.invalidateQueries({ queryKey: ['targets'] });
    },
  });
  return (
    <FormCard title="Add a destination" error={create.error} onSubmit={() => create.mutate()}>
      <Group align="flex-start">
        <DomainSelect
          value={domainId}
          onChange={setChosenDomain}
          error={fieldError(create.error, 'domainId')}
        />
        <Select
          label="Type"
          data={[
            { value: 'email', label: 'Email list' },
            { value: 'wordpress', label: 'WordPress' },
            { value: 'linkedin', label: 'LinkedIn' },
          ]}
          value={type}
          onChange={(value) => value && (setType(value as TargetType), setConfig({}))}
          allowDeselect={false}
        />
        <TextInput
          label="Destination name"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={fieldError(create.error, 'name')}
          required
        />
        {CONFIG_FIELDS[type].map((f) => {
          const Input = f.secret ? PasswordInput : TextInput;
          return (
            <Input
              key={f.key}
              label={f.label}
              value={config[f.key] ?? ''}
              onChange={(e) => setConfig({ ...config, [f.key]: e.currentTarget.value })}
              error={fieldError(create.error, `config.${f.key}`)}
              required
            />
          );
        })}
      </Group>
      <Button type="submit" mt="sm" loading={create.isPending}>
        Add destination
      </Button>
    </FormCard>
  );
}

export default function Publishing() {
  const me = useMe();
  const [domainId] = useCurrentDomain();
  const queries = useQueryClient();
  const targets = useQuery({
    queryKey: ['targets', { domainId }],
    queryFn: async () =>
      data(await api.GET('/api/publishing/targets', { params: { query: { limit: 100 } } })).items.filter(
        (t) => !domainId || t.domainId === domainId,
      ),
  });
  const items = useQuery({
    queryKey: ['content', 'publishable', { domainId }],
    queryFn: async () =>
      data(
        await api.GET('/api/content', { params: { query: { domainId: domainId ?? undefined, limit: 100 } } }),
      ).items,
  });
  const live = useJobStream();
  const jobs = usePages(
    ['jobs', { domainId }],
    async (cursor) =>
      data(await api.GET('/api/publishing/jobs', { params: { query: { limit: 25, cursor } } })),
    // The stream says when a job moves; without it (or as a safety net) the list looks by itself.
    {
      refetchInterval: (query) =>
        live
          ? 30_000
          : query.state.data?.pages.some((p) => p.items.some((j) => OPEN.includes(j.state)))
            ? 1_500
            : 5_000,
    },
  );
  const tested = useMutation({
    mutationFn: async (id: string) =>
      data(await api.POST('/api/publishing/targets/{id}/test', { params: { path: { id } } })),
  });
  const [contentId, setContentId] = useState<string | null>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  const [featured, setFeatured] = useState<string | null>(null);
  const itemDomain = items.data?.find((item) => item.id === contentId)?.domainId;
  // Ready images of the item's site: WordPress gets the one picked as the post's featured image.
  const images = useQuery({
    queryKey: ['media', 'ready-images', itemDomain],
    enabled: !!itemDomain,
    queryFn: async () =>
      data(
        await api.GET('/api/media', {
          params: { query: { domainId: itemDomain, status: 'ready', limit: 100 } },
        }),
      ).items.filter((asset) => asset.contentType.startsWith('image/')),
  });
  const publish = useMutation({
    mutationFn: async () =>
      data(
        await api.POST('/api/publishing/jobs', {
          body: { contentId: contentId!, targetIds: chosen, featuredMediaId: featured ?? undefined },
        }),
      ),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ['jobs'] }),
  });
  const retry = useMutation({
    mutationFn: async (id: string) =>
      api.POST('/api/publishing/jobs/{id}/retry', { params: { path: { id } } }),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ['jobs'] }),
  });
  const resolve = useMutation({
    mutationFn: async (v: { jobId: string; targetId: string; action: 'mark-succeeded' | 'retry' }) =>
      data(
        await api.POST('/api/publishing/jobs/{id}/targets/{targetId}/resolve', {
          params: { path: { id: v.jobId, targetId: v.targetId } },
          body: { action: v.action },
        }),
      ),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ['jobs'] }),
  });
  const writer = can(me.data, 'publishing:write');
  const publisher = can(me.data, 'content:publish');
  const nameOf = (id: string) => targets.data?.find((t) => t.id === id)?.name ?? id.slice(0, 8);

  return (
    <Stack>
      <Title order={2}>Publishing</Title>
      {writer && <NewDestination />}
      <Paper withBorder p="md">
        <Title order={3} size="h5" mb="sm">
          Destinations
        </Title>
        {!targets.data?.length ? (
          <Text c="dimmed">No destinations yet.</Text>
        ) : (
          <Stack gap="xs">
            {targets.data.map((t) => (
              <Group key={t.id} justify="space-between">
                <Text>
                  {t.name} <Badge color="gray">{t.type}</Badge>
                </Text>
                {writer && (
                  <Button
                    size="xs"
                    variant="default"
                    onClick={() => tested.mutate(t.id)}
                    loading={tested.isPending && tested.variables === t.id}
                  >
                    Test connection
                  </Button>
                )}
              </Group>
            ))}
            {tested.data && (
              <Alert color={tested.data.ok ? 'green' : 'red'} role="status">
                {tested.data.ok ? 'Connected: ' : 'Not connected: '}
                {tested.data.detail}
              </Alert>
            )}
          </Stack>
        )}
      </Paper>
      {can(me.data, 'content:publish') && (
        <FormCard title="Publish now" error={publish.error} onSubmit={() => publish.mutate()}>
          <Stack gap="sm">
            <Select
              label="Item"
              placeholder="Pick an item"
              searchable
              data={(items.data ?? []).map((i) => ({ value: i.id, label: `${i.title} (${i.status})` }))}
              value={contentId}
              onChange={setContentId}
              error={fieldError(publish.error, 'contentId')}
              required
            />
            <Select
              label="Featured image"
              placeholder={images.data?.length ? 'None' : 'No ready images on this site'}
              data={(images.data ?? []).map((asset) => ({ value: asset.id, label: asset.filename }))}
              value={featured}
              onChange={setFeatured}
              error={fieldError(publish.error, 'featuredMediaId')}
              clearable
            />
            <Checkbox.Group
              label="To"
              value={chosen}
              onChange={setChosen}
              error={fieldError(publish.error, 'targetIds')}
            >
              <Group mt={6}>
                {(targets.data ?? []).map((t) => (
                  <Checkbox key={t.id} value={t.id} label={t.name} />
                ))}
              </Group>
            </Checkbox.Group>
            <Button
              type="submit"
              w="fit-content"
              loading={publish.isPending}
              disabled={!contentId || !chosen.length}
            >
              Publish
            </Button>
          </Stack>
        </FormCard>
      )}
      <Title order={3} size="h4">
        Jobs
      </Title>
      <Listing pages={jobs} empty="No publishing jobs yet.">
        {(list) => (
          <Table.ScrollContainer minWidth={560}>
            <Table aria-label="Publishing jobs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Job</Table.Th>
                  <Table.Th>State</Table.Th>
                  <Table.Th>Destinations</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((job) => (
                  <Table.Tr key={job.id}>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        {job.featuredImageUrl && (
                          <img src={job.featuredImageUrl} alt="Featured image" width={32} height={32} />
                        )}
                        <div>
                          <Text size="sm">{job.title}</Text>
                          <Text size="xs" c="dimmed">
                            {new Date(job.createdAt).toLocaleString()}
                          </Text>
                        </div>
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={STATE_COLOR[job.state] ?? 'blue'}>{job.state}</Badge>
                    </Table.Td>
                    <Table.Td>
                      <Stack gap={2}>
                        {job.targets.map((t) => (
                          <Stack key={t.targetId} gap={4}>
                            <Text size="sm">
                              {nameOf(t.targetId)}:{' '}
                              <Badge color={STATE_COLOR[t.state] ?? 'blue'}>{t.state}</Badge>
                              {t.lastError && ` ${t.lastError}`}
                            </Text>
                            {t.state === 'unconfirmed' && publisher && (
                              // The request went out but its outcome is unknown: the member checks the site and says.
                              <Group gap="xs">
                                <Button
                                  size="compact-xs"
                                  variant="default"
                                  onClick={() =>
                                    resolve.mutate({
                                      jobId: job.id,
                                      targetId: t.targetId,
                                      action: 'mark-succeeded',
                                    })
                                  }
                                >
                                  It is published
                                </Button>
                                <Button
                                  size="compact-xs"
                                  variant="default"
                                  onClick={() =>
                                    resolve.mutate({ jobId: job.id, targetId: t.targetId, action: 'retry' })
                                  }
                                >
                                  Send again
                                </Button>
                              </Group>
                            )}
                          </Stack>
                        ))}
                      </Stack>
                    </Table.Td>
                    <Table.Td>
                      {job.state === 'failed' && writer && (
                        <Button size="xs" variant="default" onClick={() => retry.mutate(job.id)}>
                          Retry
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Listing>
      {writer && <DeadLetters />}
    </Stack>
  );
}

/**
 * The org's job changes as they happen (`GET /api/publishing/jobs/stream`,
 * SSE): each one refreshes the job list. True while the stream is open.
 */
function useJobStream(): boolean {
  const queries = useQueryClient();
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const source = new EventSource('/api/publishing/jobs/stream');
    source.onopen = () => setOpen(true);
    source.onerror = () => setOpen(false); // the browser reconnects by itself; polling covers the gap
    source.addEventListener('job', () => void queries.invalidateQueries({ queryKey: ['jobs'] }));
    return () => source.close();
  }, [queries]);
  return open;
}

/** Jobs that ran out of tries or could not be sent (validation, system errors): why, and a re-drive. */
function DeadLetters() {
  const queries = useQueryClient();
  const letters = usePages(['publishing-dead-letters'], async (cursor) =>
    data(await api.GET('/api/publishing/dead-letters', { params: { query: { limit: 25, cursor } } })),
  );
  const redrive = useMutation({
    mutationFn: async (id: string) =>
      data(await api.POST('/api/publishing/dead-letters/{id}/redrive', { params: { path: { id } } })),
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ['publishing-dead-letters'] });
      void queries.invalidateQueries({ queryKey: ['jobs'] });
    },
  });
  return (
    <>
      <Title order={3} size="h4">
        Dead letters
      </Title>
      {redrive.error && <Failed error={redrive.error} />}
      <Listing pages={letters} empty="No dead letters: every job ended completed or failed on its own.">
        {(list) => (
          <Table.ScrollContainer minWidth={560}>
            <Table aria-label="Dead letters">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>When</Table.Th>
                  <Table.Th>Error</Table.Th>
                  <Table.Th>Tries</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((letter) => (
                  <Table.Tr key={letter.id}>
                    <Table.Td>{new Date(letter.failedAt).toLocaleString()}</Table.Td>
                    <Table.Td>
                      <Badge color="gray">{letter.errorType}</Badge>{' '}
                      <Text span size="sm">
                        {letter.errorMessage}
                      </Text>
                    </Table.Td>
                    <Table.Td>{letter.retryCount}</Table.Td>
                    <Table.Td>
                      {letter.redrivenAt ? (
                        <Text size="sm" c="dimmed">
                          Re-driven {new Date(letter.redrivenAt).toLocaleString()}
                        </Text>
                      ) : (
                        <Button size="xs" variant="default" onClick={() => redrive.mutate(letter.id)}>
                          Re-drive
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Listing>
    </>
  );
}
