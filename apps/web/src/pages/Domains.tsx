import { Badge, Button, Group, Stack, Table, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';

import { api, data } from '../api/client';
import { FormCard } from '../components/FormCard';
import { Listing, usePages } from '../components/Listing';
import { Failed, fieldError } from '../components/States';
import { can, useMe } from '../session';

export default function Domains() {
  const me = useMe();
  const queries = useQueryClient();
  const list = usePages(['domains'], async (cursor) =>
    data(await api.GET('/api/domains', { params: { query: { limit: 50, cursor } } })),
  );
  const [name, setName] = useState('');
  const [hostname, setHostname] = useState('');
  const create = useMutation({
    mutationFn: async () => data(await api.POST('/api/domains', { body: { name, hostname } })),
    onSuccess: () => {
      setName('');
      setHostname('');
      void queries.invalidateQueries({ queryKey: ['domains'] });
    },
  });

  const admin = can(me.data, 'org:admin');
  const setStatus = useMutation({
    mutationFn: async ({ id, suspend }: { id: string; suspend: boolean }) =>
      data(
        suspend
          ? await api.POST('/api/domains/{id}/suspend', { params: { path: { id } } })
          : await api.POST('/api/domains/{id}/resume', { params: { path: { id } } }),
      ),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ['domains'] }),
  });

  return (
    <Stack>
      <Title order={2}>Domains</Title>
      {setStatus.error && <Failed error={setStatus.error} />}
      {can(me.data, 'org:admin') && (
        <FormCard title="Add a domain" error={create.error} onSubmit={() => create.mutate()}>
          <Group align="flex-start">
            <TextInput
              label="Name"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={fieldError(create.error, 'name')}
              required
            />
            <TextInput
              label="Hostname"
              placeholder="blog.example.com"
              value={hostname}
              onChange={(e) => setHostname(e.currentTarget.value)}
              error={fieldError(create.error, 'hostname')}
              required
            />
            <Button type="submit" mt={25} loading={create.isPending}>
              Add domain
            </Button>
          </Group>
        </FormCard>
      )}
      <Listing pages={list} empty="No domains yet.">
        {(domains) => (
          <Table.ScrollContainer minWidth={480}>
            <Table striped highlightOnHover aria-label="Domains">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Hostname</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Added</Table.Th>
                  {admin && <Table.Th />}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {domains.map((d) => (
                  <Table.Tr key={d.id}>
                    <Table.Td>{d.name}</Table.Td>
                    <Table.Td>{d.hostname}</Table.Td>
                    <Table.Td>
                      <Badge color={d.status === 'active' ? 'green' : 'gray'}>{d.status}</Badge>
                    </Table.Td>
                    <Table.Td>{new Date(d.createdAt).toLocaleDateString()}</Table.Td>
                    {admin && (
                      <Table.Td>
                        {/* Suspended: the site takes no new work (drafts, publishing, uploads) until resumed. */}
                        <Button
                          size="xs"
                          variant="default"
                          aria-label={`${d.status === 'active' ? 'Suspend' : 'Resume'} ${d.name}`}
                          onClick={() => setStatus.mutate({ id: d.id, suspend: d.status === 'active' })}
                        >
                          {d.status === 'active' ? 'Suspend' : 'Resume'}
                        </Button>
                      </Table.Td>
                    )}
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
