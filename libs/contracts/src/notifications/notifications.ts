import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

import { Events } from '../events';
import { PageQueryDto } from '../pagination';

export const NOTIFICATION_CHANNELS = ['email', 'sms', 'push', 'in_app'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];
/** Channels that leave the platform (each has a delivery row and a queue). */
export type OutboundChannel = Exclude<NotificationChannel, 'in_app'>;
export const OUTBOUND_CHANNELS: readonly OutboundChannel[] = ['email', 'sms', 'push'];

export type ChannelSwitches = Record<NotificationChannel, boolean>;

export interface NotificationTypeInfo {
  /** Critical types skip quiet hours and digests, and keep at least one channel on. */
  critical: boolean;
  /** What a user gets before choosing. */
  defaults: ChannelSwitches;
  /** One line for the preferences page. */
  description: string;
}

const on = (email: boolean, sms: boolean, push: boolean): ChannelSwitches => ({
  email,
  sms,
  push,
  in_app: true,
});

/**
 * Every notification type: the event that makes it, whether it is critical,
 * its default channels. Recipients are decided by the notifications service
 * from control-plane's memberships (docs/architecture.md § Notifications).
 */
export const NOTIFICATION_TYPES = {
  [Events.publishing.jobFailed]: {
    critical: true,
    defaults: on(true, true, true),
    description: 'A publishing job failed',
  },
  [Events.publishing.jobCompleted]: {
    critical: false,
    defaults: on(false, false, true),
    description: 'A publishing job completed',
  },
  [Events.publishing.targetUnconfirmed]: {
    critical: true,
    defaults: on(true, false, true),
    description: 'A destination did not confirm a post: decide whether it went out',
  },
  [Events.publishing.jobDeadLettered]: {
    critical: true,
    defaults: on(true, false, false),
    description: 'A publishing job gave up and needs an operator or an admin',
  },
  [Events.content.submitted]: {
    critical: false,
    defaults: on(true, false, true),
    description: 'An item was submitted for your review',
  },
  [Events.content.published]: {
    critical: false,
    defaults: on(false, false, true),
    description: 'Your item was published',
  },
  [Events.content.lockRevoked]: {
    critical: false,
    defaults: on(true, false, false),
    description: 'An admin broke your edit lock',
  },
  [Events.media.assetRejected]: {
    critical: false,
    defaults: on(false, false, false),
    description: 'An upload failed its checks',
  },
  [Events.seo.keywordDropped]: {
    critical: false,
    defaults: on(true, false, true),
    description: 'A keyword lost ranking positions week over week',
  },
  [Events.seo.keywordLeftTop10]: {
    critical: false,
    defaults: on(true, false, true),
    description: 'A keyword fell out of the top 10',
  },
  [Events.seo.keywordEnteredTop10]: {
    critical: false,
    defaults: on(false, false, true),
    description: 'A keyword entered the top 10',
  },
  [Events.seo.keywordUrlChanged]: {
    critical: false,
    defaults: on(false, false, true),
    description: 'Another page ranks for a keyword (possible cannibalisation)',
  },
  [Events.seo.pageClicksDropped]: {
    critical: false,
    defaults: on(true, false, true),
    description: 'A page lost search clicks week over week',
  },
  [Events.seo.ingestionFailed]: {
    critical: false,
    defaults: on(true, false, true),
    description: 'An SEO data import failed (credentials, quota or budget)',
  },
} as const satisfies Record<string, NotificationTypeInfo>;

export type NotificationType = keyof typeof NOTIFICATION_TYPES;
export const NOTIFICATION_TYPE_NAMES = Object.keys(NOTIFICATION_TYPES) as NotificationType[];

export function isNotificationType(value: string): value is NotificationType {
  return Object.prototype.hasOwnProperty.call(NOTIFICATION_TYPES, value);
}

export const DIGEST_MODES = ['off', 'hourly', 'daily'] as const;
export type DigestMode = (typeof DIGEST_MODES)[number];

export const DEVICE_KINDS = ['fcm', 'webpush'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** Unread notifications are counted up to this many; past it the badge says "1000+". */
export const UNREAD_COUNT_CAP = 1000;

export class UnreadCountDto {
  @ApiProperty({ description: `Unread notifications, counted up to ${UNREAD_COUNT_CAP}` }) count!: number;
  @ApiProperty({ description: `True when there are more than ${UNREAD_COUNT_CAP} (count is then the cap)` })
  capped!: boolean;
}

export class NotificationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: NOTIFICATION_TYPE_NAMES }) type!: string;
  @ApiProperty() title!: string;
  @ApiProperty() body!: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'A path in the console' }) link!:
    string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'uuid' }) domainId!: string | null;
  @ApiProperty() critical!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) readAt!: string | null;
  /** Its position in the user's stream (the SSE event id). */
  @ApiProperty() seq!: string;
}

export class ListNotificationsQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  unread?: boolean;
}

export class NotificationIdDto {
  @IsString()
  @MaxLength(100)
  id!: string;
}

export class ChannelSwitchesDto {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() email?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() sms?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() push?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() in_app?: boolean;
}

export class PreferenceItemDto {
  @ApiProperty({ enum: NOTIFICATION_TYPE_NAMES })
  @IsIn(NOTIFICATION_TYPE_NAMES, { message: 'type must be a known notification type' })
  type!: string;

  @ApiProperty({ type: ChannelSwitchesDto })
  @IsObject()
  @ValidateNested()
  @Type(() => ChannelSwitchesDto)
  channels!: ChannelSwitchesDto;
}

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

export class QuietHoursDto {
  @ApiProperty({ example: 'Europe/Berlin', description: 'An IANA time zone' })
  @IsString()
  @MaxLength(64)
  timeZone!: string;

  @ApiProperty({ example: '22:00' })
  @Matches(HH_MM, { message: 'start must be HH:MM' })
  start!: string;

  @ApiProperty({ example: '07:00' })
  @Matches(HH_MM, { message: 'end must be HH:MM' })
  end!: string;
}

export class PreferencesDto {
  @ApiProperty({ type: [PreferenceItemDto] }) items!: {
    type: string;
    critical: boolean;
    description: string;
    channels: ChannelSwitches;
  }[];
  @ApiPropertyOptional({ type: QuietHoursDto, nullable: true }) quietHours!: QuietHoursDto | null;
  @ApiProperty({ enum: DIGEST_MODES }) digest!: DigestMode;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '+14155550123',
    description: 'E.164, for SMS',
  })
  phone!: string | null;
}

export class UpdatePreferencesDto {
  @ApiPropertyOptional({ type: [PreferenceItemDto] })
  @IsOptional()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => PreferenceItemDto)
  items?: PreferenceItemDto[];

  @ApiPropertyOptional({ type: QuietHoursDto, nullable: true, description: 'null turns quiet hours off' })
  @IsOptional()
  @ValidateNested()
  @Type(() => QuietHoursDto)
  quietHours?: QuietHoursDto | null;

  @ApiPropertyOptional({ enum: DIGEST_MODES })
  @IsOptional()
  @IsIn(DIGEST_MODES)
  digest?: DigestMode;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '+14155550123',
    description: 'E.164; null removes it',
  })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  phone?: string | null;
}

export class WebPushKeysDto {
  @IsString() @MinLength(16) @MaxLength(200) @Matches(/^[A-Za-z0-9_=-]+$/) p256dh!: string;
  @IsString() @MinLength(8) @MaxLength(100) @Matches(/^[A-Za-z0-9_=-]+$/) auth!: string;
}

export class WebPushSubscriptionDto {
  @ApiProperty({ example: 'https://fcm.googleapis.com/fcm/send/…' })
  @IsUrl({ protocols: ['https', 'http'], require_tld: false, require_protocol: true })
  @MaxLength(1000)
  endpoint!: string;

  @ApiProperty()
  @ValidateNested()
  @Type(() => WebPushKeysDto)
  keys!: WebPushKeysDto;
}

export class RegisterDeviceDto {
  @ApiProperty({ enum: DEVICE_KINDS })
  @IsIn(DEVICE_KINDS)
  kind!: DeviceKind;

  @ApiPropertyOptional({ description: 'An FCM registration token (kind fcm)' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_:.-]{20,4096}$/, { message: 'token must be an FCM registration token' })
  token?: string;

  @ApiPropertyOptional({ type: WebPushSubscriptionDto, description: 'A PushSubscription (kind webpush)' })
  @IsOptional()
  @ValidateNested()
  @Type(() => WebPushSubscriptionDto)
  subscription?: WebPushSubscriptionDto;
}

export class DeviceIdDto {
  @IsString()
  @MaxLength(100)
  id!: string;
}

export class StreamSinceDto {
  @IsOptional()
  @IsString()
  @Matches(/^\d{1,18}$/, { message: 'after must be an event id of this stream' })
  after?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  limit?: number;
}

export class UnsubscribeDto {
  @IsString()
  @MaxLength(1000)
  token!: string;
}

/** A Twilio webhook as the gateway received it: the signature is checked by notifications. */
export class TwilioWebhookDto {
  @IsString() @MaxLength(2000) url!: string;
  @IsString() @MaxLength(200) signature!: string;
  @IsObject() params!: Record<string, string>;
}

/** A delivery that ran out of attempts (every provider of its channel failing). */
export class DeliveryDeadLetterDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) deliveryId!: string;
  @ApiProperty({ format: 'uuid' }) notificationId!: string;
  @ApiProperty({ enum: OUTBOUND_CHANNELS }) channel!: string;
  @ApiProperty() userId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() error!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) redrivenAt!: string | null;
}

export class ListDeliveryDeadLettersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only those not re-driven yet' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  pending?: boolean;
}
