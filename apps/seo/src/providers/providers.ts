import { Inject, Injectable } from '@nestjs/common';
import { type GoogleCredentials, type OutboundPolicy, outboundPolicyOf } from '@smartbeak/outbound';
import { SERVICE_CONFIG } from '@smartbeak/runtime';

import { type SeoConfig } from '../config/seo.config';
import { AhrefsClient, type AhrefsTarget } from './ahrefs.client';
import { GscClient } from './gsc.client';
import { type RetryPolicy } from './provider-error';

/** Makes the provider clients from the service's settings (base URLs, paging, retries, outbound guard). */
@Injectable()
export class Providers {
  private readonly policy: OutboundPolicy;
  private readonly retry: RetryPolicy;

  constructor(@Inject(SERVICE_CONFIG) private readonly config: SeoConfig) {
    // A full GSC page (25,000 rows of date, query and page) runs to several megabytes.
    this.policy = { ...outboundPolicyOf(config), maxResponseBytes: 64 * 1024 * 1024 };
    this.retry = {
      retries: config.SEO_RETRIES,
      baseMs: config.SEO_RETRY_BASE_MS,
      maxMs: config.SEO_RETRY_MAX_MS,
    };
  }

  gsc(property: string, credentials: GoogleCredentials, retry: RetryPolicy = this.retry): GscClient {
    return new GscClient(
      credentials,
      property,
      {
        apiBaseUrl: this.config.GSC_API_BASE_URL,
        tokenUrl: this.config.GOOGLE_OAUTH_TOKEN_URL,
        pageRows: this.config.GSC_PAGE_ROWS,
        minIntervalMs: this.config.GSC_MIN_INTERVAL_MS,
        retry,
      },
      this.policy,
    );
  }

  ahrefs(apiKey: string, target: AhrefsTarget, retry: RetryPolicy = this.retry): AhrefsClient {
    return new AhrefsClient(
      apiKey,
      target,
      { apiBaseUrl: this.config.AHREFS_API_BASE_URL, pageRows: this.config.AHREFS_PAGE_ROWS, retry },
      this.policy,
    );
  }

  /** A user waiting on a test or a create gets an answer soon: one retry, short waits. */
  readonly interactive: RetryPolicy = { retries: 1, baseMs: 500, maxMs: 2_000 };
}
