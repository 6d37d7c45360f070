// `msct study validate FILE`: a study definition (JSON) checked against core's one schema, the same
// problems, by path and in the same words, as POST /api/studies answers (issue #20).
import { readFile } from 'node:fs/promises';
import { formatDefinitionIssue, validateStudyDefinition } from '@msct/core/protocol';

export interface StudyValidation {
  /** 0 valid, 1 invalid (or unreadable). */
  exitCode: 0 | 1;
  /** What the command prints: one line per problem, or one line naming the valid definition. */
  lines: string[];
}

export async function validateDefinitionFile(file: string): Promise<StudyValidation> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return {
      exitCode: 1,
      lines: [`${file}: cannot be read (${e instanceof Error ? e.message : String(e)})`],
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { exitCode: 1, lines: [`${file}: is not JSON (${e instanceof Error ? e.message : String(e)})`] };
  }
  const r = validateStudyDefinition(json);
  if (!r.ok)
    return {
      exitCode: 1,
      lines: [
        `${file}: ${r.issues.length} problem${r.issues.length === 1 ? '' : 's'}`,
        ...r.issues.map(formatDefinitionIssue),
      ],
    };
  const d = r.value;
  return {
    exitCode: 0,
    lines: [
      `${file}: valid study definition ${d.id} version ${d.version} (${d.visits.length} visits, ${d.forms.length} forms, ${d.eligibility.length} eligibility criteria)`,
    ],
  };
}

export async function studyValidateCommand(file: string): Promise<number> {
  const r = await validateDefinitionFile(file);
  const write = r.exitCode === 0 ? console.log : console.error;
  for (const line of r.lines) write(line);
  return r.exitCode;
}
