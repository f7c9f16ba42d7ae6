// A watch of a whole KV bucket that heals itself. The client's watcher is an ordered consumer
// that resets itself on gaps; should its iterator end anyway (the consumer deleted under it, a
// cluster that lost it), a fresh watch replays the current values, which every reader here takes
// as no more than a repeat (it keeps the newest revision of each key). And a watch's consumer
// lives on one server: when that server dies the client notices only after two missed
// heartbeats of 30 s, and its attempts to recreate the consumer can land on the dead server
// again, so the watch goes quiet without ending while the bucket moves on. So the bucket's last
// sequence is compared with what the watch delivered; a watch behind it at two checks in a row
// is opened again.
import type { KV, KvWatchEntry } from '@nats-io/kv';

/** How often a watch is compared with its bucket's last sequence. */
const WATCH_CHECK_MS = 2_000;
/** Pause before a watch whose iterator ended is opened again. */
const REOPEN_MS = 250;

/** Watches every key of `kv` (current values first, then changes) until the returned stop is called. */
export async function watchBucket(kv: KV, take: (e: KvWatchEntry) => void, onError?: (err: unknown) => void): Promise<() => void> {
  let stopped = false;
  let delivered = 0;
  let current = await kv.watch();
  void (async () => {
    for (;;) {
      try {
        for await (const e of current) {
          delivered = Math.max(delivered, e.revision);
          take(e);
        }
      } catch (err) {
        onError?.(err);
      }
      if (stopped) return;
      await new Promise((resolve) => setTimeout(resolve, REOPEN_MS));
      if (stopped) return;
      try {
        current = await kv.watch();
      } catch (err) {
        onError?.(err);
      }
    }
  })();
  let behindAt = 0;
  const check = setInterval(() => {
    void kv
      .status()
      .then((st) => {
        const last = st.streamInfo.state.last_seq;
        if (last <= delivered) {
          behindAt = 0;
        } else if (behindAt !== 0 && delivered < behindAt) {
          behindAt = 0;
          current.stop();
        } else {
          behindAt = last;
        }
      })
      .catch(() => undefined);
  }, WATCH_CHECK_MS);
  check.unref();
  return () => {
    stopped = true;
    clearInterval(check);
    current.stop();
  };
}
