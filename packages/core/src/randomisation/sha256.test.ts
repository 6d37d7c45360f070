import { describe, expect, test } from 'vitest';
import { fromHex, sha256, toHex, utf8 } from './sha256.js';

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);

describe('sha256 (FIPS 180-4)', () => {
  test.each([
    // FIPS 180-2 Appendix B.1, B.2 and B.3.
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    [
      'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    ],
    ['a'.repeat(1_000_000), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ])('FIPS example %#', (message, digest) => {
    expect(toHex(sha256(utf8(message)))).toBe(digest);
  });
  // Padding boundaries (55, 56, 63, 64, 65, 119 bytes 00 01 02 …), digests from GNU coreutils sha256sum.
  test.each([
    [55, '463eb28e72f82e0a96c0a4cc53690c571281131f672aa229e0d45ae59b598b59'],
    [56, 'da2ae4d6b36748f2a318f23e7ab1dfdf45acdc9d049bd80e59de82a60895f562'],
    [63, '29af2686fd53374a36b0846694cc342177e428d1647515f078784d69cdb9e488'],
    [64, 'fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108'],
    [65, '4bfd2c8b6f1eec7a2afeb48b934ee4b2694182027e6d0fc075074f2fabb31781'],
    [119, 'da18797ed7c3a777f0847f429724a2d8cd5138e6ed2895c3fa1a6d39d18f7ec6'],
  ])('%i bytes across the padding boundary', (n, digest) => {
    expect(toHex(sha256(bytes(n)))).toBe(digest);
  });
  test('hex round trip and refusal of malformed hex', () => {
    expect(toHex(fromHex('00ff10Ab')!)).toBe('00ff10ab');
    expect(fromHex('abc')).toBeNull();
    expect(fromHex('zz')).toBeNull();
  });
});
