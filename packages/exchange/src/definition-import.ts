// One entry for a study definition given as a file, whatever its format (issue #20): msct's own JSON,
// a REDCap data dictionary (with its events and instrument-event mapping), or ODM metadata. The CLI
// (`msct study create`) and the API (POST /api/studies/from-file) both call it, so they report the
// same problems and the same unmapped constructs.
import {
  type DefinitionValidation,
  formatDefinitionIssue,
  validateStudyDefinition,
} from '@msct/core/protocol';
import { DefinitionFileError, type StudyFrame, type UnmappedConstruct } from './definition-frame.js';
import { convertOdmMetadata } from './odm-definition.js';
import { convertRedcapDictionary } from './redcap-dictionary.js';

export type DefinitionFormat = 'msct' | 'redcap' | 'odm';

export interface DefinitionFileInput {
  format: DefinitionFormat;
  /** The definition (msct JSON), data dictionary (redcap) or ODM file. */
  file: Buffer | string;
  /** REDCap only: the events CSV and the instrument-event mapping CSV. */
  events?: Buffer | string;
  instrumentEvents?: Buffer | string;
  /** What the file cannot say (redcap, odm): definition-frame.ts. */
  frame?: StudyFrame;
}

export interface DefinitionFileResult {
  /** The definition as read or converted (valid or not). */
  definition: unknown;
  validation: DefinitionValidation;
  /** The validation's problems, one line each (`forms[3].items[7].codeList: …`). */
  problems: string[];
  unmapped: UnmappedConstruct[];
}

/** Reads and validates a definition file. Throws DefinitionFileError when the file cannot be read at all. */
export async function readDefinitionFile(input: DefinitionFileInput): Promise<DefinitionFileResult> {
  let definition: unknown;
  let unmapped: UnmappedConstruct[] = [];
  if (input.format === 'msct') {
    if (input.frame) throw new DefinitionFileError('a study frame is for redcap and odm files only');
    const text = typeof input.file === 'string' ? input.file : input.file.toString('utf8');
    try {
      definition = JSON.parse(text);
    } catch (e) {
      throw new DefinitionFileError(
        `the definition is not JSON (${e instanceof Error ? e.message : String(e)})`,
      );
    }
  } else {
    if (input.format === 'odm' && (input.events || input.instrumentEvents))
      throw new DefinitionFileError('events and instrument-event mapping CSVs are for redcap files only');
    const r =
      input.format === 'redcap'
        ? await convertRedcapDictionary({
            dictionary: input.file,
            ...(input.events ? { events: input.events } : {}),
            ...(input.instrumentEvents ? { instrumentEvents: input.instrumentEvents } : {}),
            ...(input.frame ? { frame: input.frame } : {}),
          })
        : await convertOdmMetadata({ file: input.file, ...(input.frame ? { frame: input.frame } : {}) });
    definition = r.definition;
    unmapped = r.unmapped;
  }
  const validation = validateStudyDefinition(definition);
  return { definition, validation, problems: validation.issues.map(formatDefinitionIssue), unmapped };
}

/** An unmapped construct as one line: `line 5, pregnant: branching logic "…" — unmapped: why`. */
export const formatUnmapped = (u: UnmappedConstruct): string =>
  `${typeof u.row === 'number' ? `line ${u.row}` : u.row}, ${u.field}: ${u.what} — ${u.kind}: ${u.why}`;
