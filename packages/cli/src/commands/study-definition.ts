// `msct study create --definition FILE --format msct|redcap|odm [--dry-run]` and
// `msct study export-definition CODE --format odm|csv|html` (issue #20 "Build without code").
// create: prints the definition's problems and every construct of the file that could not be mapped;
// creates the study (audited, as MSCT_IMPORT_USER or the first administrator) only when the
// definition is valid and this is not a dry run. Exit 0 created / valid dry run, 1 otherwise.
import { readFile, writeFile } from 'node:fs/promises';
import { storedDefinition } from '@msct/core/protocol';
import {
  DefinitionFileError,
  type DefinitionFormat,
  definitionDictionaryCsv,
  definitionDictionaryHtml,
  definitionToOdm,
  formatUnmapped,
  parseStudyFrame,
  readDefinitionFile,
} from '@msct/exchange';
import { configFromEnv } from '@msct/server';
import { createStudy, type Db, findStudyByCode, openDatabase } from '@msct/store';
import { importActor } from './exchange.js';

export interface StudyCreateOptions {
  definition: string;
  format: string;
  events?: string;
  instrumentEvents?: string;
  frame?: string;
  code?: string;
  title?: string;
  dryRun?: boolean;
}

export interface StudyCreateResult {
  exitCode: 0 | 1;
  lines: string[];
  errors: string[];
}

const FORMATS: readonly DefinitionFormat[] = ['msct', 'redcap', 'odm'];

/** The work of `msct study create`, on a given database (tests pass theirs). */
export async function createStudyFromFile(db: Db, o: StudyCreateOptions): Promise<StudyCreateResult> {
  const lines: string[] = [];
  const errors: string[] = [];
  const fail = (message: string): StudyCreateResult => ({ exitCode: 1, lines, errors: [...errors, message] });
  if (!FORMATS.includes(o.format as DefinitionFormat))
    return fail(`--format must be one of ${FORMATS.join(', ')}, got "${o.format}"`);
  const read = async (file: string) => {
    try {
      return await readFile(file);
    } catch (e) {
      throw new DefinitionFileError(
        `${file}: cannot be read (${e instanceof Error ? e.message : String(e)})`,
      );
    }
  };
  let result: Awaited<ReturnType<typeof readDefinitionFile>>;
  try {
    result = await readDefinitionFile({
      format: o.format as DefinitionFormat,
      file: await read(o.definition),
      ...(o.events ? { events: await read(o.events) } : {}),
      ...(o.instrumentEvents ? { instrumentEvents: await read(o.instrumentEvents) } : {}),
      ...(o.frame ? { frame: parseStudyFrame((await read(o.frame)).toString('utf8'), o.frame) } : {}),
    });
  } catch (e) {
    if (e instanceof DefinitionFileError) return fail(`${o.definition}: ${e.message}`);
    throw e;
  }
  if (result.unmapped.length > 0) {
    lines.push(`${o.definition}: ${result.unmapped.length} construct(s) not mapped as in the source:`);
    lines.push(...result.unmapped.map((u) => `  ${formatUnmapped(u)}`));
  }
  if (!result.validation.ok) {
    errors.push(
      `${o.definition}: the definition has ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}${o.format === 'msct' ? '' : ' (add what is missing to the study frame, --frame)'}:`,
      ...result.problems.map((p) => `  ${p}`),
    );
    return { exitCode: 1, lines, errors };
  }
  const d = result.validation.value;
  const code = o.code ?? d.id;
  const title = o.title ?? d.title;
  const summary = `${d.visits.length} visits, ${d.forms.length} forms, ${d.forms.reduce((n, f) => n + (f.items?.length ?? 0), 0)} items, ${d.codeLists?.length ?? 0} code lists`;
  if (o.dryRun) {
    lines.push(
      `${o.definition}: valid study definition ${d.id} version ${d.version} (${summary}); dry run, nothing created`,
    );
    return { exitCode: 0, lines, errors };
  }
  if (await findStudyByCode(db, code))
    return fail(`a study with code "${code}" already exists (give another with --code)`);
  const actor = await importActor(db);
  await createStudy(db, { id: actor.id, name: actor.name }, { code, title, definition: d });
  lines.push(`created study ${code} "${title}" from ${o.definition} (${summary})`);
  return { exitCode: 0, lines, errors };
}

export async function studyCreateCommand(o: StudyCreateOptions): Promise<number> {
  const db = openDatabase(configFromEnv().databaseUrl);
  try {
    const r = await createStudyFromFile(db, o);
    for (const l of r.lines) console.log(l);
    for (const l of r.errors) console.error(l);
    return r.exitCode;
  } finally {
    await db.close();
  }
}

export type DefinitionExportFormat = 'odm' | 'csv' | 'html';

/** The definition of a stored study in one of the export formats. */
export async function exportDefinition(db: Db, code: string, format: string): Promise<string> {
  const s = await findStudyByCode(db, code);
  if (!s) throw new Error(`no study with code "${code}"`);
  const definition = storedDefinition(s.definition_json, s.code);
  const study = { code: s.code, title: s.title };
  switch (format) {
    case 'odm':
      return definitionToOdm(definition, study);
    case 'csv':
      return definitionDictionaryCsv(definition);
    case 'html':
      return definitionDictionaryHtml(definition, study);
    default:
      throw new Error(`--format must be one of odm, csv, html, got "${format}"`);
  }
}

export async function studyExportDefinitionCommand(
  code: string,
  o: { format: string; out?: string },
): Promise<number> {
  const db = openDatabase(configFromEnv().databaseUrl);
  try {
    const text = await exportDefinition(db, code, o.format);
    if (o.out) {
      await writeFile(o.out, text);
      console.error(`${o.out}: the definition of ${code} as ${o.format}`);
    } else process.stdout.write(text);
    return 0;
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    return 1;
  } finally {
    await db.close();
  }
}
