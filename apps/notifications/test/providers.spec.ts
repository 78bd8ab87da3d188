import { generateKeyPairSync } from 'node:crypto';

import { outboundPolicy } from '@smartbeak/outbound';
import { testInfra, uniqueName } from '@smartbeak/testing';
import webpush from 'web-push';

import { PagerDutyPager } from '../src/alerts/pager';
import { type EmailMessage, SendGridEmailProvider, SesEmailProvider } from '../src/channels/email';
import { PermanentSendError, ProviderChain, TransientSendError } from '../src/channels/provider';
import { DeviceGoneError, FcmPushSender, WebPushSender } from '../src/channels/push';
import { TwilioSmsProvider, twilioSignature, verifyTwilioSignature } from '../src/channels/sms';

/** The provider catcher of the test stack (tools/stack/provider-catcher.js): each API's contract, locally. */
const catcher = () => new URL(testInfra().mailApi).origin;
const policy = outboundPolicy({ allowList: '127.0.0.1', allowHttp: true, timeoutMs: 3000 });

async function control(
  account: string,
  fault: { status: number; times?: number; retryAfter?: number } | null,
) {
  await fetch(`${catcher()}/control/${encodeURIComponent(account)}`, {
    method: fault ? 'PUT' : 'DELETE',
    body: fault ? JSON.stringify(fault) : undefined,
  });
}

async function caught(query: Record<string, string>) {
  return (await (await fetch(`${testInfra().mailApi}?${new URLSearchParams(query)}`)).json()) as {
    provider: string;
    subject: string;
    text: string;
  }[];
}

const mail = (to: string): EmailMessage => ({
  from: 'SmartBeak <notifications@smartbeak.test>',
  to,
  subject: 'Subject',
  html: '<p>Hi</p>',
  text: 'Hi',
  headers: { 'List-Unsubscribe': '<https://app.example/unsub>' },
});

describe('notification providers against their documented contracts (provider catcher)', () => {
  it('SendGrid answering 500 hands the message to SES; it arrives once; SendGrid back after its fault', async () => {
    const key = uniqueName('SG.key');
    const accessKey = uniqueName('AKIA').toUpperCase();
    const sendgrid = new SendGridEmailProvider(`${catcher()}/sendgrid`, key, policy);
    const ses = SesEmailProvider.create({
      region: 'us-east-1',
      endpoint: `${catcher()}/ses`,
      accessKeyId: accessKey,
      secretAccessKey: 'secret',
    });
    const chain = new ProviderChain([sendgrid, ses], 1, 60_000);
    await control(key, { status: 500, times: 1 });
    const to = `${uniqueName('fail')}@example.com`;
    expect(await chain.send(mail(to))).toEqual({
      provider: 'ses',
      messageId: expect.stringMatching(/^ses-/),
    });
    const got = await caught({ to });
    expect(got).toEqual([expect.objectContaining({ provider: 'ses', subject: 'Subject' })]);
    // Fault gone; a fresh chain (closed circuits) uses SendGrid first again.
    const again = await new ProviderChain([sendgrid, ses], 1, 60_000).send(mail(to));
    expect(again.provider).toBe('sendgrid');
  });

  it('SendGrid 429 is transient with its Retry-After; 400 is permanent', async () => {
    const key = uniqueName('SG.key');
    const sendgrid = new SendGridEmailProvider(`${catcher()}/sendgrid`, key, policy);
    await control(key, { status: 429, times: 1, retryAfter: 7 });
    await expect(sendgrid.send(mail('a@example.com'))).rejects.toEqual(
      expect.objectContaining({ name: 'TransientSendError', retryAfterMs: 7000 }),
    );
    await control(key, { status: 400, times: 1 });
    await expect(sendgrid.send(mail('a@example.com'))).rejects.toThrow(PermanentSendError);
  });

  it('Twilio: a valid number is sent (201, a message SID); an invalid one (21211) is permanent and unusable', async () => {
    const sid = `AC${uniqueName('sid').replace(/_/g, '')}`;
    const twilio = new TwilioSmsProvider(
      { baseUrl: `${catcher()}/twilio`, accountSid: sid, authToken: 'token', from: '+15005550006' },
      policy,
    );
    const sent = await twilio.send({ to: '+14155550100', body: 'Hello' });
    expect(sent.messageId).toMatch(/^SM/);
    const refused = await twilio.send({ to: '+15005550001', body: 'Hello' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PermanentSendError);
    expect((refused as PermanentSendError).addressUnusable).toBe(true);
    await control(sid, { status: 503, times: 1 });
    await expect(twilio.send({ to: '+14155550100', body: 'x' })).rejects.toThrow(TransientSendError);
  });

  it("Twilio's webhook signature: HMAC-SHA1 of the URL and the sorted parameters", () => {
    const params = { MessageSid: 'SM1', MessageStatus: 'undelivered', ErrorCode: '30003' };
    const signature = twilioSignature('token', 'https://app.example/hook', params);
    expect(verifyTwilioSignature('token', 'https://app.example/hook', params, signature)).toBe(true);
    expect(
      verifyTwilioSignature('token', 'https://app.example/hook', { ...params, ErrorCode: '1' }, signature),
    ).toBe(false);
    expect(verifyTwilioSignature('other', 'https://app.example/hook', params, signature)).toBe(false);
  });

  it('FCM v1: an OAuth token from the service account, a send; UNREGISTERED means the device is gone', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const fcm = new FcmPushSender(
      {
        project_id: uniqueName('project'),
        client_email: 'svc@project.iam.gserviceaccount.com',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
      { apiUrl: `${catcher()}/fcm`, tokenUrl: `${catcher()}/google/token` },
      policy,
    );
    const message = { title: 'T', body: 'B', url: null, notificationId: 'n1' };
    const sent = await fcm.send(
      { id: 'd1', kind: 'fcm', address: `tok-${uniqueName('a')}`, keys: null },
      message,
    );
    expect(sent.messageId).toMatch(/^projects\/.+\/messages\//);
    await expect(
      fcm.send({ id: 'd2', kind: 'fcm', address: `unregistered-${uniqueName('b')}`, keys: null }, message),
    ).rejects.toThrow(DeviceGoneError);
  });

  it('Web Push with VAPID: encrypted and signed (201); a gone subscription (410) is DeviceGone', async () => {
    const vapid = webpush.generateVAPIDKeys();
    const sender = new WebPushSender({ subject: 'mailto:ops@example.com', ...vapid }, policy);
    // A browser's subscription keys: a P-256 public key and 16 random bytes.
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const p256dh = publicKey.export({ format: 'jwk' }) as { x: string; y: string };
    const raw = Buffer.concat([
      Buffer.from([4]),
      Buffer.from(p256dh.x, 'base64url'),
      Buffer.from(p256dh.y, 'base64url'),
    ]);
    const keys = {
      p256dh: raw.toString('base64url'),
      auth: Buffer.from('0123456789abcdef').toString('base64url'),
    };
    const message = { title: 'T', body: 'B', url: 'https://app.example/x', notificationId: 'n1' };
    const sent = await sender.send(
      { id: 'w1', kind: 'webpush', address: `${catcher()}/webpush/${uniqueName('sub')}`, keys },
      message,
    );
    expect(sent.provider).toBe('webpush');
    await expect(
      sender.send(
        { id: 'w2', kind: 'webpush', address: `${catcher()}/webpush/gone-${uniqueName('sub')}`, keys },
        message,
      ),
    ).rejects.toThrow(DeviceGoneError);
  });

  it('PagerDuty Events v2: a trigger with a dedup key (202)', async () => {
    const routingKey = uniqueName('routing');
    const pager = new PagerDutyPager(`${catcher()}/pagerduty/v2/enqueue`, routingKey, policy);
    const sent = await pager.page({
      dedupKey: 'event-1',
      severity: 'error',
      summary: 'Job dead-lettered',
      details: { a: 1 },
    });
    expect(sent.messageId).toBe('event-1');
    expect(await caught({ to: routingKey, channel: 'pager' })).toEqual([
      expect.objectContaining({ provider: 'pagerduty', subject: 'Job dead-lettered' }),
    ]);
  });
});
