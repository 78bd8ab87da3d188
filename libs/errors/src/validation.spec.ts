import { CommonError } from '@smartbeak/contracts';
import { Type } from 'class-transformer';
import { IsString, Length, registerDecorator, ValidateNested } from 'class-validator';

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

describe('remembered rule lookups', () => {
  class BaseDto {
    @IsString()
    name!: string;
  }
  class ChildDto extends BaseDto {
    @Length(1, 3)
    code!: string;
  }

  it('keeps applying inherited rules, validation after validation', () => {
    for (let i = 0; i < 3; i++) {
      expect(() => parseDto(ChildDto, { name: 7, code: 'ab' })).toThrow(DomainError);
      expect(parseDto(ChildDto, { name: 'n', code: 'ab' })).toBeInstanceOf(ChildDto);
    }
  });

  it('sees a rule declared after the class was first validated', () => {
    class LateDto {
      @IsString()
      title!: string;
    }
    expect(parseDto(LateDto, { title: 'anything' })).toBeInstanceOf(LateDto);
    registerDecorator({
      name: 'notForbidden',
      target: LateDto,
      propertyName: 'title',
      validator: { validate: (value: unknown) => value !== 'forbidden' },
      options: { message: 'title must not be forbidden' },
    });
    expect(() => parseDto(LateDto, { title: 'forbidden' })).toThrow(DomainError);
    expect(parseDto(LateDto, { title: 'fine' })).toBeInstanceOf(LateDto);
  });
});
