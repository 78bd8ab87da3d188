import { parsePublishableKey } from '@clerk/shared/keys';
import { BaseConfig } from '@smartbeak/config';
import {
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  Validate,
  ValidateIf,
  type ValidationArguments,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';

/** The development key never sits beside a Clerk key, nor in production. */
@ValidatorConstraint({ name: 'devSessionKeyAlone' })
class DevSessionKeyAlone implements ValidatorConstraintInterface {
  validate(_value: unknown, args: ValidationArguments): boolean {
    const config = args.object as GatewayConfig;
    return config.NODE_ENV !== 'production' && !config.CLERK_JWT_KEY && !config.CLERK_SECRET_KEY;
  }
  defaultMessage(): string {
    return 'DEV_SESSION_KEY is for local development only: unset it in production or when a Clerk key (CLERK_JWT_KEY, CLERK_SECRET_KEY) is set';
  }
}

/** A publishable key Clerk would accept, and a way to verify what it signs in. */
@ValidatorConstraint({ name: 'clerkPublishableKey' })
class PublishableKeyRule implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const config = args.object as GatewayConfig;
    return (
      typeof value === 'string' &&
      parsePublishableKey(value) !== null &&
      Boolean(config.CLERK_JWT_KEY || config.CLERK_SECRET_KEY)
    );
  }

  defaultMessage(): string {
    return 'CLERK_PUBLISHABLE_KEY must be a Clerk publishable key (pk_test_… or pk_live_…), set with CLERK_JWT_KEY or CLERK_SECRET_KEY';
  }
}

export class GatewayConfig extends BaseConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  GATEWAY_PORT: number = 3000;

  /** Internal port of `/metrics` (Prometheus), never the public one; 0 takes any free port. */
  @IsInt()
  @Min(0)
  @Max(65535)
  METRICS_PORT: number = 9464;

  /** PEM public key of the Clerk instance: networkless token verification. */
  @ValidateIf((config: GatewayConfig) => !config.CLERK_SECRET_KEY && !config.DEV_SESSION_KEY)
  @IsString({ message: 'set CLERK_JWT_KEY (PEM public key) or CLERK_SECRET_KEY' })
  @Matches(/-----BEGIN PUBLIC KEY-----/, { message: 'CLERK_JWT_KEY must be a PEM public key' })
  CLERK_JWT_KEY?: string;

  /**
   * The local development key (PKCS#8 PEM private key), for a gateway with no
   * Clerk instance (`npm start`): it verifies tokens with its public half and
   * offers `POST /api/dev/session`, the console's dev sign-in. Never with a
   * Clerk key, never in production.
   */
  @ValidateIf((config: GatewayConfig) => config.DEV_SESSION_KEY !== undefined)
  @Matches(/-----BEGIN PRIVATE KEY-----/, { message: 'DEV_SESSION_KEY must be a PKCS#8 PEM private key' })
  @Validate(DevSessionKeyAlone)
  DEV_SESSION_KEY?: string;

  /** The built console (`dist/apps/web`); default: beside the gateway's own build. Served at `/` when present. */
  @IsOptional()
  @IsString()
  WEB_ROOT?: string;

  /** Origins the console may load images from and send to (the media CDN, the storage upload endpoint), comma-separated. */
  @IsOptional()
  @IsString()
  WEB_CSP_ORIGINS?: string;

  /**
   * Clerk's publishable key (`pk_test_…`, `pk_live_…`): the console signs in
   * with Clerk's components (sign-in, organisation switcher) instead of the
   * development sign-in, and its CSP admits the instance's Frontend API. Needs
   * CLERK_JWT_KEY or CLERK_SECRET_KEY, which verify what it signs in.
   */
  @IsOptional()
  @IsString()
  @Validate(PublishableKeyRule)
  CLERK_PUBLISHABLE_KEY?: string;

  /** Clerk secret key: tokens are verified against the instance's JWKS. */
  @IsOptional()
  @IsString()
  CLERK_SECRET_KEY?: string;

  /** Clerk's Backend API (JWKS); only tests and proxies change it. */
  @IsOptional()
  @IsString()
  CLERK_API_URL?: string;

  /**
   * Comma-separated origins accepted in `azp`; empty accepts any — so it is
   * required in production, where a token minted for another app of the same
   * Clerk instance must not open this API.
   */
  @ValidateIf(
    (config: GatewayConfig) =>
      config.NODE_ENV === 'production' || config.CLERK_AUTHORIZED_PARTIES !== undefined,
  )
  @IsString({
    message: 'CLERK_AUTHORIZED_PARTIES is required in production (the web app origins, comma-separated)',
  })
  CLERK_AUTHORIZED_PARTIES?: string;

  /** The Clerk instance's issuer (its Frontend API URL); when set, a token with another `iss` is refused. */
  @IsOptional()
  @IsString()
  CLERK_ISSUER?: string;

  /** Svix signing secret of the Clerk webhook endpoint (`whsec_…`). */
  @IsOptional()
  @IsString()
  CLERK_WEBHOOK_SIGNING_SECRET?: string;

  /**
   * Failed authentications per client address per minute; past it the
   * address is answered 429 before its token is checked. 0 turns it off.
   */
  @IsInt()
  @Min(0)
  AUTH_FAILURE_LIMIT_PER_MINUTE: number = 100;

  /** Requests per user per minute; 0 turns the limit off. */
  @IsInt()
  @Min(0)
  RATE_LIMIT_PER_MINUTE: number = 600;

  /** Largest accepted JSON body; larger ones get a 413. */
  @IsInt()
  @Min(1024)
  @Max(50 * 1024 * 1024)
  BODY_LIMIT_BYTES: number = 1024 * 1024;

  /** How often the usage meter sends its API request counts to analytics; 0 turns the meter off. */
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  USAGE_METER_FLUSH_MS: number = 10_000;

  /** Comma-separated services that /api/health asks. */
  @IsString()
  HEALTH_SERVICES: string = 'control-plane,content,publishing,media,notifications,analytics,seo';

  /** Operator orgs whose `org:admin` may open the queue dashboard (/api/admin/queues); unset: not mounted. */
  @IsOptional()
  @IsString()
  QUEUE_DASHBOARD_ORGS?: string;

  /** Comma-separated browser origins allowed by CORS (the web app). */
  @IsOptional()
  @IsString()
  CORS_ORIGINS?: string;

  /** Express `trust proxy` (e.g. `1` behind one load balancer), so rate limits see client IPs. */
  @IsOptional()
  @IsString()
  TRUST_PROXY?: string;
}
