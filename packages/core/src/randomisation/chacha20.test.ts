import { describe, expect, test } from 'vitest';
import { chiSquareUpperTail } from '../stats/distributions/chi-square.js';
import { chacha20Block, chacha20Stream } from './chacha20.js';
import { fromHex, toHex } from './sha256.js';

/** Serialises a block little-endian, as RFC 8439 prints it. */
function serialise(words: Uint32Array): string {
  const out = new Uint8Array(64);
  const view = new DataView(out.buffer);
  words.forEach((w, i) => {
    view.setUint32(4 * i, w, true);
  });
  return toHex(out);
}

describe('ChaCha20 block function reproduces RFC 8439', () => {
  test('§2.3.2 test vector (key 00..1f, nonce 000000090000004a00000000, counter 1)', () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i);
    const block = chacha20Block(key, 1, fromHex('000000090000004a00000000')!);
    expect(serialise(block)).toBe(
      '10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e' +
        'd2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e',
    );
    // The same vector as the RFC's state words.
    expect([...block.slice(0, 4)].map((w) => w.toString(16))).toEqual([
      'e4e7f110',
      '15593bd1',
      '1fdd0f50',
      'c47120a3',
    ]);
  });
  test('Appendix A.1 test vectors #1 and #2 (zero key and nonce, counters 0 and 1)', () => {
    const key = new Uint8Array(32);
    const nonce = new Uint8Array(12);
    expect(serialise(chacha20Block(key, 0, nonce))).toBe(
      '76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7' +
        'da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586',
    );
    expect(serialise(chacha20Block(key, 1, nonce))).toBe(
      '9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed' +
        '29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f',
    );
  });
  test('the stream is the keystream from block 0, word by word across block boundaries', () => {
    const s = chacha20Stream(new Uint8Array(32));
    const words = Array.from({ length: 32 }, () => s.nextUint32());
    expect(words[0]).toBe(0xade0b876); // bytes 76 b8 e0 ad, little-endian
    expect(words[16]).toBe(0xbee7079f); // first word of block 1: 9f 07 e7 be
    expect(s.wordsDrawn).toBe(32);
  });
});

describe('draws', () => {
  test('uniformInt is unbiased: 60 000 throws of a die pass a chi-square test (fixed key)', () => {
    const s = chacha20Stream(fromHex('11'.repeat(32))!);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[s.uniformInt(6)]!++;
    // Goodness of fit to 10 000 each: X² on 5 df.
    const x2 = counts.reduce((s, o) => s + (o - 10_000) ** 2 / 10_000, 0);
    expect(chiSquareUpperTail(x2, 5)).toBeGreaterThan(0.01);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(60_000);
  });
  test('uniformInt rejects the incomplete last copy: n = 3·2^30 accepts only words below 3·2^30', () => {
    const s = chacha20Stream(new Uint8Array(32));
    const reference = chacha20Stream(new Uint8Array(32));
    const n = 3 * 2 ** 30;
    for (let i = 0; i < 200; i++) {
      const v = s.uniformInt(n);
      let w = reference.nextUint32();
      while (w >= n) w = reference.nextUint32();
      expect(v).toBe(w);
    }
  });
  test('uniformDouble lies in [0, 1) and has mean near ½', () => {
    const s = chacha20Stream(fromHex('22'.repeat(32))!);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) {
      const u = s.uniformDouble();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
    }
    // SD of the mean of 20 000 uniforms is 0.002; 5 SD.
    expect(Math.abs(sum / 20_000 - 0.5)).toBeLessThan(0.01);
  });
  test('bad arguments are programming errors', () => {
    expect(() => chacha20Block(new Uint8Array(31), 0, new Uint8Array(12))).toThrow(RangeError);
    expect(() => chacha20Stream(new Uint8Array(32)).uniformInt(0)).toThrow(RangeError);
  });
});
