import { answerOf, replyText } from './reply-text';

describe('reply text', () => {
  const id = '0b6f7a8e-3c1d-4a57-9a43-5a0e2f6c9d11';

  it("writes an answer id first and response last, and slices the response's text back out", () => {
    const response = { items: [{ title: 'He said "}" and left', body: '\\u0000' }], next: null };
    const text = replyText({ id, response });
    expect(JSON.parse(text)).toEqual({ id, response });
    expect(answerOf(text)).toEqual({ id, text: JSON.stringify(response) });
  });

  it('leaves errors and answers of nothing to be parsed whole', () => {
    const failed = replyText({ id, err: { code: 'COMMON.CONFLICT', message: 'no' } });
    expect(answerOf(failed)).toBeNull();
    expect(JSON.parse(failed)).toEqual({ id, err: { code: 'COMMON.CONFLICT', message: 'no' } });
    expect(answerOf(replyText({ id, response: undefined }))).toBeNull();
    expect(answerOf(replyText({ id, response: null }))).toEqual({ id, text: 'null' });
    const nothing = replyText({ id, response: { toJSON: () => undefined } });
    expect(JSON.parse(nothing)).toEqual({ id });
    expect(answerOf(nothing)).toBeNull();
  });

  it('does not take a message of another shape for an answer', () => {
    expect(answerOf(`{"response":1,"id":"${id}"}`)).toBeNull();
    expect(answerOf(`{"id":"${id}","response":1`)).toBeNull();
    expect(answerOf(`{"id":"a\\"b","response":1}`)).toBeNull();
  });
});
