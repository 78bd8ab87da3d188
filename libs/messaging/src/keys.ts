import { type Seal } from './signing';

/** Redis keys of the RPC transport, in one place so client and server agree. */
export const rpcKeys = {
  requests: (prefix: string, service: string) => `${prefix}:rpc:${service}:requests`,
  replicas: (prefix: string, service: string) => `${prefix}:rpc:${service}:replicas`,
  replies: (prefix: string, clientId: string) => `${prefix}:rpc:reply:${clientId}`,
};

/** What the client pushes onto a service's request list (see envelope.ts). */
export interface RpcRequest {
  id: string;
  pattern: string;
  /** The JSON text of `{ ctx | as, payload }`, kept as text so its digest is the one signed. */
  body: string;
  /** Channel the answer is published on; absent for fire-and-forget events. */
  replyTo?: string;
  /** Epoch ms after which the caller has given up: the server drops it unanswered. */
  deadline: number;
  /** The sender's signature over id, pattern, deadline, reply channel and the body's digest. */
  seal: Seal;
}

export interface RpcReply {
  id: string;
  response?: unknown;
  err?: unknown;
}

/** A replica announces itself this often, and counts as gone after the TTL. */
export const HEARTBEAT_MS = 1_000;
export const HEARTBEAT_TTL_MS = 3_500;
