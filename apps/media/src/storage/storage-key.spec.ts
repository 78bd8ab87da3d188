import { keyPrefix, safeFilename, storageKey } from './storage-key';

describe(storageKey.name, () => {
  const prefix = keyPrefix('org_1', '6f1c3a5e-0000-4000-8000-000000000001');

  it.each([
    ['hero image.png', 'hero-image.png'],
    ['Résumé Final.PDF', 'Resume-Final.pdf'],
    ['../../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\win.ini', 'win.ini'],
    ['..', 'file'],
    ['....', 'file'],
    ['.htaccess', 'htaccess'],
    ['a'.repeat(300) + '.png', 'a'.repeat(100)],
    ['what?*<>|.jpg', 'what-.jpg'],
  ])('%s → %s', (input, expected) => {
    expect(safeFilename(input)).toBe(expected);
  });

  it('always lands under org/<org>/domain/<domain>/<asset>/ with one more segment', () => {
    for (const name of ['../../x', '/abs/path.png', 'a/../../../../b', '%2e%2e%2fx', '\u202e.png', '']) {
      const key = storageKey('org_1', '6f1c3a5e-0000-4000-8000-000000000001', 'asset-1', name);
      expect(key.startsWith(`${prefix}asset-1/`)).toBe(true);
      expect(key.split('/')).toHaveLength(6);
      expect(key).not.toMatch(/\.\.|\/\.|\\/);
    }
  });

  it('cleans an org id too', () => {
    expect(keyPrefix('../org', 'd')).toBe('org/org/domain/d/');
  });
});
