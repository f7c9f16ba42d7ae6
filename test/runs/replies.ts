// The data of a registry reply, or a test failure naming the refusal.
import type { RunReply } from '../../src/runs/index.ts';

/** The reply's data; throws with the code and message when the registry refused. */
export function data<T>(reply: RunReply<T>): T {
  if (!reply.ok) throw new Error(`refused: ${reply.code}: ${reply.message}`);
  return reply.data;
}
