import { describe, expect, it } from 'vitest';
import { parseProblem, problemsAt } from './definition-problem-path.js';

describe('definition problems by path (the form builder shows each at its control)', () => {
  const lines = [
    'forms[3].items[7].codeList: unknown code list "yn2" (bilag-classic-grade, end-of-study-status)',
    'forms[3].items[7]: duplicate item code "x"',
    'forms[3].visitCodes[0]: unknown visit "BASELINE"',
    'forms[13].id: must not be empty',
    '(definition): an amendment is a full study definition, not an empty one',
    'centres: must have at least 1 entry',
  ];
  const problems = lines.map(parseProblem);

  it('reads the path and the message of each line as the API and the CLI write it', () => {
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['forms[3].items[7].codeList', 'unknown code list "yn2" (bilag-classic-grade, end-of-study-status)'],
      ['forms[3].items[7]', 'duplicate item code "x"'],
      ['forms[3].visitCodes[0]', 'unknown visit "BASELINE"'],
      ['forms[13].id', 'must not be empty'],
      ['', '(definition): an amendment is a full study definition, not an empty one'],
      ['centres', 'must have at least 1 entry'],
    ]);
    expect(problems[0]!.line).toBe(lines[0]);
  });

  it('finds the problems at a control, and below it when asked', () => {
    expect(problemsAt(problems, 'forms[3].items[7].codeList')).toEqual([
      'unknown code list "yn2" (bilag-classic-grade, end-of-study-status)',
    ]);
    expect(problemsAt(problems, 'forms[3].items[7]')).toEqual(['duplicate item code "x"']);
    expect(problemsAt(problems, 'forms[3].visitCodes')).toEqual([]);
    expect(problemsAt(problems, 'forms[3].visitCodes', true)).toEqual(['unknown visit "BASELINE"']);
    // forms[1] is not forms[13].
    expect(problemsAt(problems, 'forms[1]', true)).toEqual([]);
    expect(problemsAt(problems, 'forms[13]', true)).toEqual(['must not be empty']);
  });
});
