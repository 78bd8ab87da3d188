import { cookieRequestAllowed, tokenFromRequest } from './token-verifier';

const APP = ['https://app.smartbeak.example'];
const cookie = { cookie: 'theme=dark; __session=eyJ.token.sig', host: 'api.smartbeak.example' };

describe('cookieRequestAllowed (CSRF): a cookie-authenticated change must come from the app', () => {
  it('lets safe methods and bearer-token requests through from anywhere', () => {
    expect(cookieRequestAllowed('GET', { ...cookie, origin: 'https://evil.example' }, APP)).toBe(true);
    expect(
      cookieRequestAllowed('POST', { authorization: 'Bearer x', origin: 'https://evil.example' }, APP),
    ).toBe(true);
    expect(cookieRequestAllowed('POST', { origin: 'https://evil.example' }, APP)).toBe(true); // no cookie: no session
  });

  it('takes an unsafe request with the cookie only from the app’s origins or this host', () => {
    expect(cookieRequestAllowed('POST', { ...cookie, origin: 'https://app.smartbeak.example' }, APP)).toBe(
      true,
    );
    expect(cookieRequestAllowed('DELETE', { ...cookie, origin: 'https://api.smartbeak.example' }, APP)).toBe(
      true,
    );
    expect(cookieRequestAllowed('POST', { ...cookie, origin: 'https://evil.example' }, APP)).toBe(false);
    expect(cookieRequestAllowed('PUT', { ...cookie, origin: 'null' }, APP)).toBe(false);
    expect(cookieRequestAllowed('POST', { ...cookie, origin: 'not a url' }, APP)).toBe(false);
  });

  it('without an Origin, trusts only the browser’s own same-origin Fetch metadata', () => {
    expect(cookieRequestAllowed('POST', cookie, APP)).toBe(false);
    expect(cookieRequestAllowed('POST', { ...cookie, 'sec-fetch-site': 'same-origin' }, APP)).toBe(true);
    expect(cookieRequestAllowed('POST', { ...cookie, 'sec-fetch-site': 'cross-site' }, APP)).toBe(false);
  });

  it('reads the token from the header first, else the cookie', () => {
    expect(tokenFromRequest({ ...cookie, authorization: 'Bearer abc' })).toBe('abc');
    expect(tokenFromRequest(cookie)).toBe('eyJ.token.sig');
  });
});
