// REDCap branching logic read into `showIf` (redcap-branching.ts): the simple forms are read, with
// `and` binding before `or`; everything else is refused (the importer lists it as unmapped).
import { showIfHolds } from '@msct/core/crf';
import { describe, expect, it } from 'vitest';
import { parseBranching } from './redcap-branching.js';

describe('REDCap branching logic → showIf', () => {
  it.each([
    ["[sex] = '0'", { op: 'is', item: 'sex', value: '0' }],
    ['[sex]="1"', { op: 'is', item: 'sex', value: '1' }],
    ['[age] <> 18', { op: 'isNot', item: 'age', value: '18' }],
    ["[race(6)] = '1'", { op: 'is', item: 'race___6', value: '1' }],
    ["[a] != ''", { op: 'isNot', item: 'a', value: '' }],
    [
      "[a] = '1' and [b] = '2' or [c] = '3'",
      {
        op: 'any',
        conditions: [
          {
            op: 'all',
            conditions: [
              { op: 'is', item: 'a', value: '1' },
              { op: 'is', item: 'b', value: '2' },
            ],
          },
          { op: 'is', item: 'c', value: '3' },
        ],
      },
    ],
    [
      "[a] = '1' AND ([b] = '2' OR [c] <> '3')",
      {
        op: 'all',
        conditions: [
          { op: 'is', item: 'a', value: '1' },
          {
            op: 'any',
            conditions: [
              { op: 'is', item: 'b', value: '2' },
              { op: 'isNot', item: 'c', value: '3' },
            ],
          },
        ],
      },
    ],
  ])('%s', (logic, expected) => {
    expect(parseBranching(logic)).toEqual(expected);
  });

  it.each([
    '[age] > 18',
    "datediff([dob], 'today', 'y') >= 18",
    "[enrollment_arm_1][sex] = '1'",
    "[a] = '1' and",
    "([a] = '1'",
    "[a] = '1' [b] = '2'",
    '[a] + [b] = 3',
    "[user-name] = 'x'",
    '',
  ])('not simple: %s', (logic) => {
    expect(parseBranching(logic)).toBeUndefined();
  });

  it('the parsed condition decides as REDCap does on stored codes', () => {
    const c = parseBranching("[sex] = '0' and ([preg] = '1' or [preg] = '')")!;
    expect(showIfHolds(c, new Map([['sex', '0']]))).toBe(true);
    expect(
      showIfHolds(
        c,
        new Map([
          ['sex', '0'],
          ['preg', '1'],
        ]),
      ),
    ).toBe(true);
    expect(
      showIfHolds(
        c,
        new Map([
          ['sex', '0'],
          ['preg', '0'],
        ]),
      ),
    ).toBe(false);
    expect(showIfHolds(c, new Map([['sex', '1']]))).toBe(false);
    expect(showIfHolds(parseBranching("[x] <> '1'")!, new Map())).toBe(true);
  });
});
