import { type RpcReply } from './keys';

/**
 * A JSON document kept as its text: an RPC answer the gateway sends on to
 * its HTTP client as it came, neither parsed nor serialised again (a page of
 * twenty items cost the gateway ~120 µs of CPU doing both). `T` is what the
 * text holds, for readers of the code; nothing checks it here.
 */
export class JsonText<T = unknown> {
  declare readonly holds?: T;

  constructor(readonly text: string) {}
}

/**
 * A reply as sent on the reply channel. An answer is written id first and
 * response last (`{"id":…,"response":…}`), so a client may slice the
 * response's text out without parsing it (`answerOf`); an error, or an answer
 * of nothing, is plain JSON.
 */
export function replyText(reply: RpcReply): string {
  const response = reply.err === undefined ? JSON.stringify(reply.response) : undefined;
  // JSON has no text for undefined (nor for a function, or what a toJSON turns into nothing).
  if (response === undefined) return JSON.stringify(reply);
  return `{"id":${JSON.stringify(reply.id)},"response":${response}}`;
}

const ANSWER_HEAD = /^\{"id":"([A-Za-z0-9-]{1,64})","response":/;

/** The id and the response's text of a reply written by `replyText`, or null when it is not an answer. */
export function answerOf(message: string): { id: string; text: string } | null {
  const head = ANSWER_HEAD.exec(message);
  const id = head?.[1];
  if (!head || !id || !message.endsWith('}')) return null;
  return { id, text: message.slice(head[0].length, -1) };
}
