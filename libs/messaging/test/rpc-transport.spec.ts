import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CommonError } from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { messageKeyring, testInfra, uniqueName } from '@smartbeak/testing';
import { IsInt, Min } from 'class-validator';

import { JsonText, MessageKeys, RedisRpcServer, RpcClient, RpcErrorFilter, RpcPayload } from '../src';

const ring = messageKeyring(['api-gateway', 'echo']);
const keysOf = (signer: string) =>
  MessageKeys.parse(signer, ring.env(signer).MESSAGE_SIGNING_KEY, ring.env(signer).MESSAGE_TRUSTED_KEYS);

class AddDto {
  @IsInt()
  @Min(0)
  a!: number;

  @IsInt()
  @Min(0)
  b!: number;
}

const handledBy: string[] = [];

function echoModule(replica: string) {
  @Controller()
  class EchoHandler {
    @MessagePattern('echo.sum.get')
    sum(@RpcPayload(AddDto) { a, b }: AddDto): { sum: number; replica: string } {
      handledBy.push(replica);
      return { sum: a + b, replica };
    }

    @MessagePattern('echo.slow.get')
    async slow(@Payload('payload') { ms }: { ms: number }): Promise<{ ok: true }> {
      await new Promise((r) => setTimeout(r, ms));
      return { ok: true };
    }

    @MessagePattern('echo.fail.get')
    fail(): never {
      throw new DomainError(CommonError.CONFLICT, 'already there', undefined, { currentVersion: 7 });
    }

    @MessagePattern('echo.crash.get')
    crash(): never {
      throw new Error('SELECT * FROM secrets failed');
    }
  }
  @Module({ controllers: [EchoHandler] })
  class EchoModule {}
  return EchoModule;
}

describe(RedisRpcServer.name, () => {
  const { redisUrl } = testInfra();
  const prefix = uniqueName('rpc');
  const replicas: INestMicroservice[] = [];
  let client: RpcClient;

  async function startReplica(name: string): Promise<INestMicroservice> {
    const app = await NestFactory.createMicroservice(echoModule(name), {
      strategy: new RedisRpcServer({
        redisUrl,
        prefix,
        service: 'echo',
        concurrency: 8,
        keys: keysOf('echo'),
      }),
      logger: false,
    });
    app.useGlobalFilters(new RpcErrorFilter());
    await app.listen();
    replicas.push(app);
    return app;
  }

  beforeAll(async () => {
    await startReplica('a');
    await startReplica('b');
    // The client speaks as the gateway: it mints the user context of each request.
    client = new RpcClient({ redisUrl, prefix, timeoutMs: 2_000, keys: keysOf('api-gateway') });
    await client.connect();
  });

  afterAll(async () => {
    await client.close();
    await Promise.all(replicas.map((app) => app.close()));
  });

  const envelope = (payload: object) => ({
    ctx: { userId: 'u', orgId: 'o', requestId: 'r', permissions: [], domainId: null },
    payload,
  });

  it('answers each request exactly once, spread over the replicas', async () => {
    handledBy.length = 0;
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        client.send<{ sum: number }>('echo.sum.get', envelope({ a: i, b: 1 })),
      ),
    );
    expect(results.map((r) => r.sum)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(handledBy).toHaveLength(200);
    expect(handledBy.filter((r) => r === 'a').length).toBeGreaterThan(0);
    expect(handledBy.filter((r) => r === 'b').length).toBeGreaterThan(0);
  });

  it('gives an answer as the JSON text the service wrote when asked to (sendForText)', async () => {
    const answer = await client.sendForText<{ sum: number }>('echo.sum.get', envelope({ a: 2, b: 3 }));
    expect(answer).toBeInstanceOf(JsonText);
    expect(JSON.parse(answer.text)).toEqual({ sum: 5, replica: expect.stringMatching(/^[ab]$/) });
    // An error is still an error, not text.
    await expect(client.sendForText('echo.fail.get', envelope({}))).rejects.toMatchObject({
      code: CommonError.CONFLICT,
      extras: { currentVersion: 7 },
    });
  });

  it('validates the payload on the service side', async () => {
    await expect(client.send('echo.sum.get', envelope({ a: -1, b: 'x', c: 3 }))).rejects.toMatchObject({
      code: CommonError.VALIDATION,
      errors: expect.arrayContaining([
        expect.objectContaining({ field: 'a' }),
        expect.objectContaining({ field: 'b' }),
        expect.objectContaining({ field: 'c', message: 'property c should not exist' }),
      ]),
    });
  });

  it('carries a domain error back with its code and extras', async () => {
    await expect(client.send('echo.fail.get', envelope({}))).rejects.toMatchObject({
      code: CommonError.CONFLICT,
      message: 'already there',
      extras: { currentVersion: 7 },
    });
  });

  it('turns an unexpected error into INTERNAL without leaking its text', async () => {
    const error = await client.send('echo.crash.get', envelope({})).catch((e: DomainError) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(CommonError.INTERNAL);
    expect((error as DomainError).message).not.toMatch(/secrets/);
  });

  it('gives up after the timeout with SERVICE_TIMEOUT while replicas are alive', async () => {
    const started = Date.now();
    await expect(client.send('echo.slow.get', envelope({ ms: 1_500 }), 300)).rejects.toMatchObject({
      code: CommonError.SERVICE_TIMEOUT,
    });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('answers SERVICE_UNAVAILABLE at once for a service with no replica', async () => {
    await expect(client.send('nobody.thing.get', envelope({}), 5_000)).rejects.toMatchObject({
      code: CommonError.SERVICE_UNAVAILABLE,
    });
  });

  it('loses no request when a replica stops under a steady stream of them', async () => {
    const leaving = await startReplica('c');
    replicas.splice(replicas.indexOf(leaving), 1);
    let sent = 0;
    const stream = (async () => {
      const answers: Promise<unknown>[] = [];
      // A few at a time, so the replicas' request loops are always mid-pop, never idle or full.
      while (sent < 1_500) {
        answers.push(client.send('echo.sum.get', envelope({ a: sent, b: 1 }), 4_000));
        sent++;
        if (sent % 3 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      return Promise.allSettled(answers);
    })();
    while (sent < 300) await new Promise((resolve) => setTimeout(resolve, 1));
    await leaving.close();
    const settled = await stream;
    expect(settled.filter((result) => result.status === 'rejected')).toEqual([]);
  });

  it('keeps serving when one replica stops', async () => {
    const [first] = replicas.splice(0, 1);
    await first.close();
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        client.send<{ replica: string }>('echo.sum.get', envelope({ a: 1, b: 2 })),
      ),
    );
    expect(new Set(results.map((r) => r.replica))).toEqual(new Set(['b']));
  });
});
