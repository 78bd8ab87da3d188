import { CommonError } from '@smartbeak/contracts';
import { Type } from 'class-transformer';
import { IsString, Length, ValidateNested } from 'class-validator';

import { DomainError } from './domain-error';
import { parseDto } from './validation';

class InnerDto {
  @IsString()
  @Length(1, 5)
  code!: string;
}

class OuterDto {
  @IsString()
  name!: string;

  @ValidateNested()
  @Type(() => InnerDto)
  inner!: InnerDto;
}

describe(parseDto.name, () => {
  it('returns a DTO instance for valid input', () => {
    const dto = parseDto(OuterDto, { name: 'a', inner: { code: 'xy' } });
    expect(dto).toBeInstanceOf(OuterDto);
    expect(dto.inner).toBeInstanceOf(InnerDto);
  });

  it('names every failing field with a dotted path, unknown ones included', () => {
    try {
      parseDto(OuterDto, { name: 1, inner: { code: 'toolong', extra: 1 }, rogue: true });
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe(CommonError.VALIDATION);
      const fields = (error as DomainError).errors?.map((e) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['name', 'inner.code', 'inner.extra', 'rogue']));
    }
  });

  it.each([null, 'text', [1], 3])('refuses a payload that is not an object (%p)', (input) => {
    expect(() => parseDto(OuterDto, input)).toThrow(DomainError);
  });
});
