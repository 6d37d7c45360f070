/**
 * A seeded cryptographically secure pseudo-random stream: the ChaCha20 block function
 * (RFC 8439, §2.3; Bernstein, "ChaCha, a variant of Salsa20", 2008) run in counter mode, the
 * construction of OpenBSD's arc4random and of the Linux kernel's random driver. Pure TypeScript
 * (32-bit integer arithmetic only), checked against the RFC 8439 test vectors (§2.3.2, A.1).
 *
 * Why ChaCha20: core may use neither Node's crypto nor a dependency, and the allocation list must
 * be reproducible from its recorded seed on any machine for as long as the trial master file is
 * kept; ChaCha20 is a published standard whose output for a key is fixed forever, small enough to
 * audit, and without the output being predictable to anyone who does not hold the 256-bit key.
 *
 * Draws: uniform integers in [0, n) by rejection on 32-bit words (no modulo bias: a word is
 * rejected when it falls in the incomplete last copy of [0, n)), uniform doubles in [0, 1) from
 * 53 bits.
 */

export interface RandomStream {
  /** The next 32-bit word of the keystream (little-endian words, as RFC 8439 serialises them). */
  nextUint32(): number;
  /** A uniform integer in [0, n), n a positive integer ≤ 2^32. */
  uniformInt(n: number): number;
  /** A uniform double in [0, 1) with 53 random bits. */
  uniformDouble(): number;
  /** How many 32-bit words have been drawn (for audit and replay). */
  readonly wordsDrawn: number;
}

const rotl = (x: number, n: number) => (x << n) | (x >>> (32 - n));

function quarterRound(s: Uint32Array, a: number, b: number, c: number, d: number): void {
  s[a] = s[a]! + s[b]!;
  s[d] = rotl(s[d]! ^ s[a]!, 16);
  s[c] = s[c]! + s[d]!;
  s[b] = rotl(s[b]! ^ s[c]!, 12);
  s[a] = s[a]! + s[b]!;
  s[d] = rotl(s[d]! ^ s[a]!, 8);
  s[c] = s[c]! + s[d]!;
  s[b] = rotl(s[b]! ^ s[c]!, 7);
}

/**
 * One 64-byte ChaCha20 block as 16 little-endian words (RFC 8439 §2.3): key 32 bytes, counter a
 * 32-bit block count, nonce 12 bytes.
 */
export function chacha20Block(key: Uint8Array, counter: number, nonce: Uint8Array): Uint32Array {
  if (key.length !== 32) throw new RangeError(`ChaCha20 key must be 32 bytes, got ${key.length}`);
  if (nonce.length !== 12) throw new RangeError(`ChaCha20 nonce must be 12 bytes, got ${nonce.length}`);
  const kv = new DataView(key.buffer, key.byteOffset, 32);
  const nv = new DataView(nonce.buffer, nonce.byteOffset, 12);
  const init = new Uint32Array(16);
  init[0] = 0x61707865; // "expa"
  init[1] = 0x3320646e; // "nd 3"
  init[2] = 0x79622d32; // "2-by"
  init[3] = 0x6b206574; // "te k"
  for (let i = 0; i < 8; i++) init[4 + i] = kv.getUint32(4 * i, true);
  init[12] = counter >>> 0;
  for (let i = 0; i < 3; i++) init[13 + i] = nv.getUint32(4 * i, true);
  const s = init.slice();
  for (let round = 0; round < 10; round++) {
    quarterRound(s, 0, 4, 8, 12);
    quarterRound(s, 1, 5, 9, 13);
    quarterRound(s, 2, 6, 10, 14);
    quarterRound(s, 3, 7, 11, 15);
    quarterRound(s, 0, 5, 10, 15);
    quarterRound(s, 1, 6, 11, 12);
    quarterRound(s, 2, 7, 8, 13);
    quarterRound(s, 3, 4, 9, 14);
  }
  for (let i = 0; i < 16; i++) s[i] = s[i]! + init[i]!;
  return s;
}

/**
 * The keystream of (key, nonce) from block 0 as a stream of draws. 2^32 blocks of 16 words are
 * far more than any allocation list needs; the stream refuses to wrap the counter.
 */
export function chacha20Stream(key: Uint8Array, nonce: Uint8Array = new Uint8Array(12)): RandomStream {
  let counter = 0;
  let block = chacha20Block(key, counter, nonce);
  let index = 0;
  let drawn = 0;
  const nextUint32 = (): number => {
    if (index === 16) {
      counter++;
      if (counter > 0xffffffff) throw new RangeError('ChaCha20 stream exhausted (2^32 blocks)');
      block = chacha20Block(key, counter, nonce);
      index = 0;
    }
    drawn++;
    return block[index++]!;
  };
  return {
    nextUint32,
    uniformInt(n: number): number {
      if (!Number.isInteger(n) || n < 1 || n > 2 ** 32)
        throw new RangeError(`uniformInt needs an integer n in [1, 2^32], got ${n}`);
      // Accept words below the largest multiple of n that fits in 2^32.
      const limit = 2 ** 32 - (2 ** 32 % n);
      for (;;) {
        const w = nextUint32();
        if (w < limit) return w % n;
      }
    },
    uniformDouble(): number {
      const hi = nextUint32() >>> 5; // 27 bits
      const lo = nextUint32() >>> 6; // 26 bits
      return (hi * 67108864 + lo) / 9007199254740992;
    },
    get wordsDrawn() {
      return drawn;
    },
  };
}
