import { type OutboundPolicy, outboundPolicy } from '@smartbeak/outbound';

import { type PublishingConfig } from '../config/publishing.config';

export function outboundPolicyOf(config: PublishingConfig): OutboundPolicy {
  return outboundPolicy({
    allowList: config.OUTBOUND_ALLOWLIST,
    allowHttp: config.OUTBOUND_ALLOW_HTTP,
    timeoutMs: config.OUTBOUND_TIMEOUT_MS,
  });
}
