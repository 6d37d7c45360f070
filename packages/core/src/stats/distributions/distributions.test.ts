import { afterAll, describe, expect, test } from 'vitest';
import fixture from '../fixtures/distributions.json' with { type: 'json' };
import { expectClose, worstReport } from '../fixtures/expect-close.js';
import { betaQuantile, incompleteBeta } from './beta.js';
import { chiSquareCdf, chiSquareUpperTail } from './chi-square.js';
import { normalCdf, normalQuantile } from './normal.js';
import { studentTCdf, studentTQuantile, studentTTwoSided } from './student-t.js';

const f = fixture.cases[0] as unknown as Record<
  'pnorm' | 'qnorm' | 'pt' | 'qt' | 'pchisq' | 'pbeta' | 'qbeta',
  number[][]
>;
const F = 'distributions';
const rel = 1e-9;
const tiny = 1e-300;

describe('distribution functions agree with R', () => {
  afterAll(() => console.log(worstReport(F)));
  test('at least 20 points per function', () => {
    for (const rows of Object.values(f)) expect(rows.length).toBeGreaterThanOrEqual(20);
  });
  test('pnorm', () => {
    for (const [z, lo, up] of f.pnorm) {
      expectClose(F, `pnorm(${z})`, normalCdf(z!), lo, rel, tiny);
      expectClose(F, `pnorm(${z}, upper)`, normalCdf(z!, false), up, rel, tiny);
    }
  });
  test('qnorm', () => {
    for (const [p, q] of f.qnorm) expectClose(F, `qnorm(${p})`, normalQuantile(p!), q, rel);
  });
  test('pt', () => {
    for (const [t, df, two, lo] of f.pt) {
      expectClose(F, `2pt(-|${t}|, ${df})`, studentTTwoSided(t!, df!), two, rel, tiny);
      expectClose(F, `pt(${t}, ${df})`, studentTCdf(t!, df!), lo, rel, tiny);
    }
  });
  test('qt', () => {
    for (const [p, df, q] of f.qt) expectClose(F, `qt(${p}, ${df})`, studentTQuantile(p!, df!), q, rel);
  });
  test('pchisq', () => {
    for (const [x, df, up, lo] of f.pchisq) {
      expectClose(F, `pchisq(${x}, ${df}, upper)`, chiSquareUpperTail(x!, df!), up, rel, tiny);
      expectClose(F, `pchisq(${x}, ${df})`, chiSquareCdf(x!, df!), lo, rel, tiny);
    }
  });
  test('pbeta', () => {
    for (const [x, a, b, lo, up] of f.pbeta) {
      const t = incompleteBeta(x!, 1 - x!, a!, b!);
      expectClose(F, `pbeta(${x}, ${a}, ${b})`, t.lower, lo, rel, tiny);
      expectClose(F, `pbeta(${x}, ${a}, ${b}, upper)`, t.upper, up, rel, tiny);
    }
  });
  test('qbeta', () => {
    for (const [p, a, b, q] of f.qbeta)
      expectClose(F, `qbeta(${p}, ${a}, ${b})`, betaQuantile(p!, a!, b!), q, rel);
  });
});
