import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as ts from 'typescript';

const ROOT = join(__dirname, '../../..');
const FIXTURE = join(__dirname, 'fixtures/scope-types.ts');

/** Type-checks the fixture (optionally with its `@ts-expect-error` lines stripped); the diagnostics. */
function diagnostics(stripExpectations: boolean): string[] {
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.base.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const host = ts.createCompilerHost({ ...options, noEmit: true });
  const read = host.readFile.bind(host);
  host.readFile = (file) => {
    const text = read(file);
    if (stripExpectations && file === FIXTURE && text)
      return text.replace(/^\s*\/\/ @ts-expect-error.*$/gm, '');
    return text;
  };
  const program = ts.createProgram([FIXTURE], { ...options, noEmit: true }, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === FIXTURE)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('tenant scopes in the type', () => {
  const expected = (readFileSync(FIXTURE, 'utf8').match(/^\s*\/\/ @ts-expect-error/gm) ?? []).length;

  it('compiles scoped calls, and every unscoped one is refused where the fixture expects it', () => {
    // An unused `@ts-expect-error` (a call that compiled after all) is itself an error.
    expect(diagnostics(false)).toEqual([]);
  });

  it('refuses each of the unscoped calls (the expectations are not vacuous)', () => {
    expect(expected).toBe(5);
    expect(diagnostics(true)).toHaveLength(expected);
  });
});
