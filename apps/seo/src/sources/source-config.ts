import { AHREFS_MODES, type FieldError, type SeoSourceType } from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { type GoogleCredentials, GoogleCredentialsError, parseGoogleCredentials } from '@smartbeak/outbound';

/** What is shown (settings) and what is sealed (secret), per source type. */
export type SourceConfig =
  | {
      type: 'gsc';
      external: string;
      settings: { property: string; credentialsType: string; clientEmail?: string };
      secret: { credentials: GoogleCredentials };
    }
  | {
      type: 'ahrefs';
      external: string;
      settings: { target: string; mode: string; country?: string; monthlyUnitBudget: number };
      secret: { apiKey: string };
    };

const HOSTNAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;
/** Ahrefs API keys are long opaque tokens of letters, digits, `-` and `_`. */
const AHREFS_KEY = /^[A-Za-z0-9_-]{20,200}$/;
const COUNTRY = /^[a-z]{2}$/;

/** `sc-domain:example.com` (a domain property) or `https://www.example.com/` (a URL-prefix property, with its slash). */
export function isGscProperty(property: string): boolean {
  const domain = /^sc-domain:(.+)$/.exec(property);
  if (domain) return HOSTNAME.test(domain[1] as string);
  try {
    const url = new URL(property);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      HOSTNAME.test(url.hostname) &&
      property.endsWith('/') &&
      !url.search &&
      !url.hash &&
      !url.username
    );
  } catch {
    return false;
  }
}

/** A domain (`example.com`) or a URL (`https://example.com/blog/`). */
function isAhrefsTarget(target: string): boolean {
  if (HOSTNAME.test(target.toLowerCase())) return true;
  try {
    const url = new URL(target);
    return (url.protocol === 'https:' || url.protocol === 'http:') && HOSTNAME.test(url.hostname);
  } catch {
    return false;
  }
}

function unknownFields(config: Record<string, unknown>, allowed: string[]): FieldError[] {
  return Object.keys(config)
    .filter((key) => !allowed.includes(key))
    .map((key) => ({ field: `config.${key}`, message: 'is not a setting of this source type' }));
}

/**
 * Checks a source's config and splits it into what may be shown and what is
 * sealed. Every problem is a 400 naming its field; no message repeats a
 * secret.
 */
export function parseSourceConfig(
  type: SeoSourceType,
  config: Record<string, unknown>,
  defaults: { monthlyUnitBudget: number },
): SourceConfig {
  const errors: FieldError[] = [];
  if (type === 'gsc') {
    errors.push(...unknownFields(config, ['property', 'credentials']));
    const property = config['property'];
    if (typeof property !== 'string' || !isGscProperty(property)) {
      errors.push({
        field: 'config.property',
        message:
          'must be a domain property (sc-domain:example.com) or a URL-prefix property ending in / (https://www.example.com/)',
      });
    }
    let credentials: GoogleCredentials | undefined;
    try {
      credentials = parseGoogleCredentials(config['credentials']);
    } catch (error) {
      if (!(error instanceof GoogleCredentialsError)) throw error;
      errors.push({ field: 'config.credentials', message: error.message });
    }
    if (errors.length || !credentials)
      throw DomainError.validation(errors, 'The GSC source config is not valid');
    return {
      type,
      external: property as string,
      settings: {
        property: property as string,
        credentialsType: credentials.type,
        ...(credentials.type === 'service_account' ? { clientEmail: credentials.client_email } : {}),
      },
      secret: { credentials },
    };
  }
  errors.push(...unknownFields(config, ['target', 'apiKey', 'mode', 'country', 'monthlyUnitBudget']));
  const {
    target,
    apiKey,
    mode = 'subdomains',
    country,
    monthlyUnitBudget = defaults.monthlyUnitBudget,
  } = config;
  if (typeof target !== 'string' || !isAhrefsTarget(target)) {
    errors.push({ field: 'config.target', message: 'must be a domain (example.com) or an http(s) URL' });
  }
  if (typeof apiKey !== 'string' || !AHREFS_KEY.test(apiKey)) {
    errors.push({
      field: 'config.apiKey',
      message: 'must be an Ahrefs API key (20–200 letters, digits, - or _)',
    });
  }
  if (typeof mode !== 'string' || !(AHREFS_MODES as readonly string[]).includes(mode)) {
    errors.push({ field: 'config.mode', message: `must be one of ${AHREFS_MODES.join(', ')}` });
  }
  if (country !== undefined && (typeof country !== 'string' || !COUNTRY.test(country))) {
    errors.push({ field: 'config.country', message: 'must be a two-letter country code, lower case' });
  }
  if (
    typeof monthlyUnitBudget !== 'number' ||
    !Number.isInteger(monthlyUnitBudget) ||
    monthlyUnitBudget < 50 ||
    monthlyUnitBudget > 100_000_000
  ) {
    errors.push({
      field: 'config.monthlyUnitBudget',
      message: 'must be a whole number of units, 50 to 100,000,000',
    });
  }
  if (errors.length) throw DomainError.validation(errors, 'The Ahrefs source config is not valid');
  const normalisedTarget = HOSTNAME.test((target as string).toLowerCase())
    ? (target as string).toLowerCase()
    : (target as string);
  return {
    type,
    external: normalisedTarget,
    settings: {
      target: normalisedTarget,
      mode: mode as string,
      ...(country ? { country: country as string } : {}),
      monthlyUnitBudget: monthlyUnitBudget as number,
    },
    secret: { apiKey: apiKey as string },
  };
}
