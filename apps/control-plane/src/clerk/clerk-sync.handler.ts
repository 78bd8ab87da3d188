import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ClerkWebhookMessage, Patterns } from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';

import { ApplyOutcome, ClerkSyncService } from './clerk-sync.service';

function assertMessage(value: unknown): ClerkWebhookMessage {
  const message = value as Partial<ClerkWebhookMessage> | null;
  if (
    !message ||
    typeof message.svixId !== 'string' ||
    typeof message.type !== 'string' ||
    typeof message.data !== 'object' ||
    message.data === null
  ) {
    throw DomainError.validation([
      { field: 'payload', message: 'a Clerk event with svixId, type and data is required' },
    ]);
  }
  return message as ClerkWebhookMessage;
}

@Controller()
export class ClerkSyncHandler {
  constructor(private readonly sync: ClerkSyncService) {}

  /** Sent by the gateway after it checked the Svix signature. */
  @MessagePattern(Patterns.controlPlane.clerkWebhook)
  async apply(
    @Payload('payload', { transform: assertMessage }) message: ClerkWebhookMessage,
  ): Promise<{ outcome: ApplyOutcome }> {
    return { outcome: await this.sync.apply(message) };
  }
}
