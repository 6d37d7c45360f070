import { describe, expect, test } from 'vitest';
import { type HistorySpec, history } from '../testing/test-histories.js';
import { adjudicate } from './adjudicate.js';
import { deriveTimeToEvent } from './time-to-event.js';

const tte = (spec: HistorySpec, horizon?: number) => {
  const h = history(spec);
  return deriveTimeToEvent(h, adjudicate(h), horizon === undefined ? {} : { survivalHorizonDay: horizon });
};

describe('time-to-event derivation (days)', () => {
  test('MCR at 6 without relapse: response at day 182, relapse censored at month 12, alive at last contact', () => {
    const t = tte({
      baseline: 'ren:A',
      visits: { M3: 'ren:B', M6: 'ren:C', M9: 'ren:C', M12: 'ren:C' },
      lastContactDay: 400,
    });
    expect(t.firstResponse).toMatchObject({ time: 182, event: 1 });
    expect(t.responseToRelapse).toMatchObject({ time: 183, event: 0 });
    expect(t.overallSurvival).toMatchObject({ time: 400, event: 0 });
  });

  test('MCR → relapse at 9: relapse 91 days after response', () => {
    const t = tte({ baseline: 'ren:A', visits: { M6: 'ren:C', M9: 'ren:A', M12: 'ren:A' } });
    expect(t.responseToRelapse).toMatchObject({ time: 91, event: 1 });
  });

  test('first response uses the earliest confirmed month (PCR at 6, MCR at 9)', () => {
    const h = history({ baseline: 'ren:A', visits: { M6: 'ren:B', M9: 'ren:C', M12: 'ren:C' } });
    const a = adjudicate(h);
    const t = deriveTimeToEvent(h, a);
    expect(a.primary.response?.month).toBe(9);
    expect(t.firstResponse).toMatchObject({ time: 182, event: 1 });
    // Relapse time is measured from the assessment that established the reported response.
    expect(t.responseToRelapse).toMatchObject({ time: 92, event: 0 });
  });

  test('non-responder: response censored at last assessment, no relapse interval', () => {
    const t = tte({ baseline: 'ren:A', visits: { M6: 'ren:A', M9: 'ren:A', M12: 'ren:A' } });
    expect(t.firstResponse).toMatchObject({ time: 365, event: 0 });
    expect(t.responseToRelapse).toBeNull();
    expect(t.overallSurvival).toMatchObject({ time: 365, event: 0 });
  });

  test('death on day 192: survival event, response censored at the last assessment', () => {
    const t = tte({ baseline: 'ren:A', visits: { M3: 'ren:B', M6: 'ren:C' }, deathDay: 192 });
    expect(t.overallSurvival).toEqual({ time: 192, event: 1, reason: 'death on day 192' });
    expect(t.firstResponse).toMatchObject({ time: 182, event: 0 });
  });

  test('no assessment at all: censored at day 0', () => {
    const t = tte({ baseline: 'ren:A', withdrawalDay: 20 });
    expect(t.firstResponse).toMatchObject({ time: 0, event: 0 });
    expect(t.overallSurvival).toMatchObject({ time: 20, event: 0 });
  });

  test('survival horizon censors later deaths', () => {
    const t = tte({ baseline: 'ren:A', visits: { M12: 'ren:A' }, deathDay: 500 }, 379);
    expect(t.overallSurvival).toMatchObject({ time: 379, event: 0 });
  });
});
