import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { MediaError } from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';

import { type MediaConfig } from '../config/media.config';

export interface StoredObject {
  size: number;
  contentType: string | null;
  etag: string | null;
}

/**
 * The bucket, through the AWS SDK: the same code runs on S3, R2, MinIO and
 * the local server. Checksums only when required: S3-compatible servers that
 * do not speak the SDK's newer checksum headers would otherwise store the
 * chunked wire format instead of the bytes.
 */
export class StorageService {
  readonly client: S3Client;

  constructor(private readonly config: MediaConfig) {
    this.client = new S3Client({
      endpoint: config.S3_ENDPOINT,
      region: config.S3_REGION,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
      credentials:
        config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
          ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY }
          : undefined,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  /**
   * A URL the browser PUTs the bytes to. The Content-Type and the
   * Content-Length (the size declared in the intent) are part of the
   * signature: storage refuses other bytes than those announced.
   */
  async presignPut(
    key: string,
    contentType: string,
    size: number,
    expiresInSeconds: number,
  ): Promise<string> {
    return getSignedUrl(
      this.client,
      new PutObjectCommand({
        Bucket: this.config.S3_BUCKET,
        Key: key,
        ContentType: contentType,
        ContentLength: size,
      }),
      {
        expiresIn: expiresInSeconds,
        signableHeaders: new Set(['content-type', 'content-length']),
      },
    );
  }

  async head(key: string): Promise<StoredObject | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.config.S3_BUCKET, Key: key }));
      return {
        size: Number(head.ContentLength ?? 0),
        contentType: head.ContentType ?? null,
        etag: head.ETag?.replace(/"/g, '') ?? null,
      };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw this.unavailable(error);
    }
  }

  /** The first `length` bytes of an object. */
  async readStart(key: string, length: number): Promise<Buffer> {
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.config.S3_BUCKET, Key: key, Range: `bytes=0-${length - 1}` }),
      );
      return Buffer.from((await object.Body?.transformToByteArray()) ?? []).subarray(0, length);
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.config.S3_BUCKET, Key: key }));
    } catch (error) {
      if (!isNotFound(error)) throw this.unavailable(error);
    }
  }

  /**
   * For /health/ready: a signed HEAD of a key that need not exist — a 404
   * proves the bucket, the credentials and the signature are all right
   * (HeadBucket and listings are missing or differ on some S3 stand-ins).
   */
  async ping(): Promise<void> {
    try {
      await this.client.send(
        new HeadObjectCommand({ Bucket: this.config.S3_BUCKET, Key: '.smartbeak-health' }),
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  private unavailable(error: unknown): DomainError {
    return new DomainError(
      MediaError.STORAGE_UNAVAILABLE,
      `Storage did not answer: ${(error as Error).name ?? 'error'}`,
    );
  }
}

function isNotFound(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.$metadata?.httpStatusCode === 404 || error.name === 'NotFound' || error.name === 'NoSuchKey')
  );
}
