import { type PipeTransform } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { type Class, parseDto } from '@smartbeak/errors';

class DtoPipe<T extends object> implements PipeTransform<unknown, T> {
  constructor(private readonly dto: Class<T>) {}

  transform(value: unknown): T {
    return parseDto(this.dto, value ?? {});
  }
}

/**
 * The `payload` of an RPC envelope, validated into `dto`. Messages skip the
 * HTTP pipe, so a service re-validates whatever arrives by Redis.
 */
export const RpcPayload = <T extends object>(dto: Class<T>): ParameterDecorator =>
  Payload('payload', new DtoPipe(dto));
