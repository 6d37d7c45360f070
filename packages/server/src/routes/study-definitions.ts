// POST /api/studies/from-file: a study from a definition file (msct JSON, REDCap data dictionary, ODM
// metadata), and GET /api/studies/:studyId/definition.{odm.xml,csv,html}: its definition exported for
// review (issue #20 "Build without code"). The file is read by the exchange package's one entry
// (readDefinitionFile), as `msct study create` reads it: the same problems, the same unmapped list.
import { DEFINITION_FILE_LIMIT, routes } from '@msct/contract';
import { isAdHocDefinition, storedDefinition } from '@msct/core/protocol';
import {
  DefinitionFileError,
  definitionDictionaryCsv,
  definitionDictionaryHtml,
  definitionToOdm,
  readDefinitionFile,
  studyFrameFrom,
} from '@msct/exchange';
import { createStudy, getStudy } from '@msct/store';
import { enforce } from '../access/guard.js';
import { schemaOf } from '../http/contract.js';
import { HttpProblem } from '../http/problem.js';
import type { App, RouteContext } from '../http/types.js';

const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;

export function registerStudyDefinitionRoutes(app: App, { db }: RouteContext) {
  app.post(
    '/api/studies/from-file',
    {
      schema: schemaOf(routes.createStudyFromFile),
      // The route's own body limit (admins only): its three files may each hold DEFINITION_FILE_LIMIT
      // characters of up to 3 UTF-8 bytes, so a file over its limit is a 400 naming the field, not a
      // 413 for the whole request.
      bodyLimit: 9 * DEFINITION_FILE_LIMIT + 1_048_576,
    },
    async (req, reply) => {
      const p = enforce(req, 'study.manage', {}, 'studies');
      const b = req.body;
      if (b.format === 'msct' && b.frame)
        throw new HttpProblem('MSCT_E_VALIDATION', 'a study frame is for redcap and odm files only', {
          errors: [
            {
              field: 'frame',
              rule: 'not_allowed',
              message: 'a study frame is for redcap and odm files only',
            },
          ],
        });
      let r: Awaited<ReturnType<typeof readDefinitionFile>>;
      try {
        r = await readDefinitionFile({
          format: b.format,
          file: b.file,
          ...(b.events !== undefined ? { events: b.events } : {}),
          ...(b.instrumentEvents !== undefined ? { instrumentEvents: b.instrumentEvents } : {}),
          // Each field's shape here; what is missing, with the whole definition below.
          ...(b.frame ? { frame: studyFrameFrom(b.frame) } : {}),
        });
      } catch (e) {
        if (!(e instanceof DefinitionFileError)) throw e;
        const frame = e.message.startsWith('the study frame');
        throw new HttpProblem(
          'MSCT_E_VALIDATION',
          frame ? e.message : `the ${b.format} file cannot be read: ${e.message}`,
          {
            errors: [
              { field: frame ? 'frame' : 'file', rule: frame ? 'invalid' : 'unreadable', message: e.message },
            ],
          },
        );
      }
      const report = {
        dryRun: b.dryRun === true,
        valid: r.validation.ok,
        problems: r.problems,
        unmapped: r.unmapped,
        study: null,
      };
      if (b.dryRun) return reply.status(200).send(report);
      if (!r.validation.ok)
        throw new HttpProblem(
          'MSCT_E_DEFINITION_INVALID',
          `the study definition has ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}: ${r.problems.join('; ')}`,
          { problems: r.problems, unmapped: r.unmapped },
        );
      const d = r.validation.value;
      const code = b.code ?? d.id;
      if (!CODE.test(code))
        throw new HttpProblem(
          'MSCT_E_VALIDATION',
          `the definition id "${code}" is not a study code (letters, digits, _ . -, max 40): give a code`,
          { errors: [{ field: 'code', rule: 'required', message: 'the definition id is not a study code' }] },
        );
      const s = await createStudy(
        db,
        { id: p.userId, name: p.username },
        { code, title: b.title ?? d.title.slice(0, 200), definition: d },
      );
      return reply.status(201).send({
        ...report,
        study: {
          id: s.id,
          code: s.code,
          title: s.title,
          status: s.status,
          definition: JSON.parse(s.definition_json) as unknown,
          version: s.version,
          definitionVersion: Number(s.definition_version),
        },
      });
    },
  );

  const definitionOf = async (studyId: string) => {
    const s = await getStudy(db, studyId);
    const stored = JSON.parse(s.definition_json) as unknown;
    if (isAdHocDefinition(stored))
      throw new HttpProblem('MSCT_E_NOT_FOUND', `study ${s.code} has no definition (an ad-hoc study)`);
    return { study: { code: s.code, title: s.title }, definition: storedDefinition(stored, s.code) };
  };

  app.get(
    '/api/studies/:studyId/definition.odm.xml',
    { schema: schemaOf(routes.exportDefinitionOdm) },
    async (req, reply) => {
      enforce(req, 'study.read', { studyId: req.params.studyId }, 'study');
      const { study, definition } = await definitionOf(req.params.studyId);
      return reply
        .type('application/xml; charset=utf-8')
        .header('content-disposition', `attachment; filename="${study.code}-definition.odm.xml"`)
        .send(definitionToOdm(definition, study));
    },
  );
  app.get(
    '/api/studies/:studyId/definition.csv',
    { schema: schemaOf(routes.exportDefinitionCsv) },
    async (req, reply) => {
      enforce(req, 'study.read', { studyId: req.params.studyId }, 'study');
      const { study, definition } = await definitionOf(req.params.studyId);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${study.code}-data-dictionary.csv"`)
        .send(definitionDictionaryCsv(definition));
    },
  );
  app.get(
    '/api/studies/:studyId/definition.html',
    { schema: schemaOf(routes.exportDefinitionHtml) },
    async (req, reply) => {
      enforce(req, 'study.read', { studyId: req.params.studyId }, 'study');
      const { study, definition } = await definitionOf(req.params.studyId);
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
        .send(definitionDictionaryHtml(definition, study));
    },
  );
}
