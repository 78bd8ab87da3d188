import {
  Alert,
  Badge,
  Card,
  FileButton,
  Group,
  Image,
  Progress,
  SimpleGrid,
  Stack,
  Text,
  Title,
  Button,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';

import { api, ApiProblem, data } from '../api/client';
import { DomainSelect, useTargetDomain } from '../components/DomainSelect';
import { Listing, usePages } from '../components/Listing';
import { can, useCurrentDomain, useMe } from '../session';

/** PUTs the file to the pre-signed URL with the headers it was signed with, reporting progress (fetch cannot). */
function putWithProgress(
  url: string,
  headers: Record<string, string>,
  file: File,
  onProgress: (percent: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [name, value] of Object.entries(headers)) {
      // The browser sets Content-Length itself (it is signed; the file's size is what was declared).
      if (name.toLowerCase() !== 'content-length') xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300
        ? (onProgress(100), resolve())
        : reject(new Error(`Storage refused the upload (${xhr.status})`));
    xhr.onerror = () => reject(new Error('The upload did not reach storage'));
    xhr.send(file);
  });
}

export default function Media() {
  const me = useMe();
  const [domainId] = useCurrentDomain();
  const queries = useQueryClient();
  const [progress, setProgress] = useState<number | null>(null);
  const [chosenDomain, setChosenDomain] = useState<string | null>(null);
  const uploadDomain = useTargetDomain(chosenDomain);
  const list = usePages(['media', { domainId }], async (cursor) =>
    data(
      await api.GET('/api/media', {
        params: { query: { domainId: domainId ?? undefined, limit: 48, cursor } },
      }),
    ),
  );
  const upload = useMutation({
    mutationFn: async (file: File) => {
      setProgress(0);
      const intent = data(
        await api.POST('/api/media/upload-intents', {
          body: {
            filename: file.name,
            contentType: file.type || 'application/octet-stream',
            size: file.size,
            domainId: uploadDomain ?? undefined,
          },
        }),
      );
      await putWithProgress(intent.upload.url, intent.upload.headers, file, setProgress);
      return data(await api.POST('/api/media/{id}/complete', { params: { path: { id: intent.asset.id } } }));
    },
    onSettled: () => void queries.invalidateQueries({ queryKey: ['media'] }),
  });
  const refusal =
    upload.error instanceof ApiProblem
      ? upload.error.fields.map((f) => f.message).join('; ') || upload.error.detail
      : (upload.error as Error | null)?.message;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Media</Title>
        {can(me.data, 'media:write') && (
          <Group align="flex-end">
            <DomainSelect value={uploadDomain} onChange={setChosenDomain} />
            <FileButton
              onChange={(file) => file && upload.mutate(file)}
              accept="image/*,video/mp4,application/pdf"
            >
              {(props) => (
                <Button {...props} loading={upload.isPending}>
                  Upload a file
                </Button>
              )}
            </FileButton>
          </Group>
        )}
      </Group>
      {progress !== null && (
        <Stack gap={4}>
          <Text size="sm">
            {upload.isSuccess ? 'Uploaded' : upload.isError ? 'Upload failed' : 'Uploading…'}
          </Text>
          <Progress
            value={progress}
            aria-label="Upload progress"
            color={upload.isError ? 'red' : undefined}
          />
        </Stack>
      )}
      {refusal && (
        <Alert color="red" title="That file was refused" role="alert">
          {refusal}
        </Alert>
      )}
      <Listing pages={list} empty="No media yet: upload an image to use it in a post.">
        {(assets) => (
          <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }}>
            {assets.map((asset) => (
              <Card key={asset.id} withBorder padding="xs">
                <Card.Section>
                  {asset.cdnUrl && asset.contentType.startsWith('image/') ? (
                    <Image src={asset.cdnUrl} alt={asset.filename} h={120} fit="cover" />
                  ) : (
                    <Text p="md" size="sm" c="dimmed">
                      {asset.contentType}
                    </Text>
                  )}
                </Card.Section>
                <Text size="sm" mt="xs" truncate>
                  {asset.filename}
                </Text>
                <Badge
                  color={asset.status === 'ready' ? 'green' : asset.status === 'failed' ? 'red' : 'gray'}
                >
                  {asset.status}
                </Badge>
              </Card>
            ))}
          </SimpleGrid>
        )}
      </Listing>
    </Stack>
  );
}
