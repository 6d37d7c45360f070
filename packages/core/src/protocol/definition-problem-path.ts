// Validation problems of a study definition, one line each as the API, the CLI and the admin page
// list them (formatDefinitionIssue: `forms[3].items[7].codeList: unknown code list "yn2"`), read
// back into their path so the form builder can show each problem at the control it concerns.

export interface PathProblem {
  /** `forms[3].items[7].codeList`; '' for the definition as a whole. */
  path: string;
  message: string;
  line: string;
}

const PATH = /^((?:[A-Za-z_$][\w$]*|\[\d+\])(?:\.[A-Za-z_$][\w$]*|\[\d+\])*): (.*)$/s;

export function parseProblem(line: string): PathProblem {
  const m = PATH.exec(line);
  return m ? { path: m[1]!, message: m[2]!, line } : { path: '', message: line, line };
}

/**
 * The messages of the problems at `path` itself or below it when `below`: an item's row shows its
 * own problems (`forms[0].items[2]: …`), each field its field's.
 */
export function problemsAt(problems: readonly PathProblem[], path: string, below = false): string[] {
  return problems
    .filter(
      (p) => p.path === path || (below && (p.path.startsWith(`${path}.`) || p.path.startsWith(`${path}[`))),
    )
    .map((p) => p.message);
}
