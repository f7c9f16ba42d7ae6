// Event ids: 48-bit millisecond time + 80 random bits in Crockford base32 (ULID layout), so
// ids sort by creation time. Time and randomness are arguments: the core reads neither.

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A sortable unique id from a millisecond timestamp and at least 10 random bytes. */
export function makeEventId(nowMs: number, random: Uint8Array): string {
  if (random.length < 10) throw new RangeError('makeEventId needs 10 random bytes');
  let time = '';
  let t = Math.floor(nowMs);
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let rand = '';
  // 80 bits = 16 base32 characters, taken 5 bits at a time from the byte string.
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < 10; i++) {
    acc = (acc << 8) | (random[i] as number);
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      rand += ALPHABET[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return time + rand;
}
