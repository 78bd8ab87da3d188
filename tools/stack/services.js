// The platform's processes, in start order. One place: the local stack,
// the tests and the benchmarks read it. Ports are local defaults only.
'use strict';

/**
 * @type {{ name: string, httpPort: number, database: string | null,
 *          env?: (infra: { s3: { endpoint: string, bucket: string }, secrets: Record<string, string> }) => Record<string, string> }[]}
 */
const SERVICES = [
  { name: 'control-plane', httpPort: 3101, database: 'control_plane' },
  { name: 'content', httpPort: 3102, database: 'content' },
  {
    name: 'media',
    httpPort: 3103,
    database: 'media',
    env: ({ s3, secrets }) => ({
      S3_ENDPOINT: s3.endpoint,
      S3_REGION: 'us-east-1',
      S3_BUCKET: s3.bucket,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
      CDN_BASE_URL: `${s3.endpoint}/${s3.bucket}`,
      MEDIA_WEBHOOK_SECRET: secrets.mediaWebhook,
    }),
  },
];

const GATEWAY = { name: 'api-gateway', httpPort: 3000 };

module.exports = { SERVICES, GATEWAY };
