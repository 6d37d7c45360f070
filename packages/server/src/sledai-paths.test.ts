// Issue #18 acceptance (endpoints.md Clarification 5): the same SLEDAI-2K data give the same score
// whichever path they take. REDCap-style 0/1 values imported from CSV (long and wide) and the same
// values saved through the form's API are scored identically; a stored 0 is absent (it never
// vetoes a lab rule), only the explicit attribution item vetoes, and fever is derived from the
// visit's temperature (> 38 °C). Real server on loopback, on SQLite and PostgreSQL.
import { SLEDAI2K_DESCRIPTOR_IDS } from '@msct/core/instruments';
import { msctSleTrial } from '@msct/core/protocol';
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  createTestTrial,
  startTestServer,
  type TestServer,
  type TestTrial,
} from './testing/test-server.js';

type Value = [value: string, unit?: string];
interface VisitData {
  code: string;
  date: string;
  sledai2k: Record<string, Value>;
  labs: Record<string, Value>;
  vitals: Record<string, Value>;
  /** Expected SLEDAI-2K total, hand-summed from the instruments.md §1.2 weights. */
  score: number;
}

/** REDCap style: every descriptor 1 or 0. */
const zeroOne = (present: string[], extra: Record<string, Value> = {}): Record<string, Value> => ({
  ...Object.fromEntries(SLEDAI2K_DESCRIPTOR_IDS.map((id) => [id, [present.includes(id) ? '1' : '0']])),
  ...extra,
});

const VISITS: VisitData[] = [
  {
    // arthritis 4 + rash 2 entered; low complement 2 (C3 0.6 < LLN 0.9, stored 0), pyuria 4
    // (20/hpf > 5, stored 0), fever 1 (38.4 °C > 38, stored 0): 13 — the 0s veto nothing.
    code: 'M1',
    date: '2024-02-10',
    sledai2k: zeroOne(['arthritis', 'rash']),
    labs: { c3: ['0.6', 'g/L'], c3_lln: ['0.9', 'g/L'], urine_wbc_hpf: ['20', '/hpf'] },
    vitals: { temperature: ['38.4', '°C'] },
    score: 13,
  },
  {
    // arthritis 4; low complement 2 (stored 0); pyuria 25/hpf and fever 101.3 °F attributed to a
    // urinary infection (explicit attribution items): 6.
    code: 'M3',
    date: '2024-04-10',
    sledai2k: zeroOne(['arthritis'], { pyuria_not_sle: ['1'], fever_not_sle: ['1'] }),
    labs: { c3: ['0.6', 'g/L'], c3_lln: ['0.9', 'g/L'], urine_wbc_hpf: ['25', '/hpf'] },
    vitals: { temperature: ['101.3', '°F'] },
    score: 6,
  },
];

const FORMS = [
  ['sledai2k', 'sledai2k'],
  ['labs', 'labs'],
  ['vital-signs', 'vitals'],
] as const;

for (const dialect of TEST_DIALECTS)
  describe(`SLEDAI-2K through every input path on ${dialect} (issue #18, Clarification 5)`, () => {
    let server: TestServer;
    let trial: TestTrial;
    let coord: ApiClient;
    let admin: ApiClient;

    beforeAll(async () => {
      server = await startTestServer(dialect);
      trial = await createTestTrial(server.db, { definition: msctSleTrial });
      coord = new ApiClient(server.baseUrl);
      await coord.login('coordinator');
      admin = new ApiClient(server.baseUrl);
      await admin.login('admin');
    }, 60_000);
    afterAll(async () => server?.close());

    /** A subject with the visits created (same dates on every path); visit ids by code. */
    async function subjectWithVisits(): Promise<{
      id: string;
      code: string;
      visits: Record<string, string>;
    }> {
      const s = await coord.post<{ id: string; subjectCode: string }>(
        `/api/studies/${trial.studyId}/subjects`,
        {
          siteId: trial.siteA,
        },
      );
      expect(s.status).toBe(201);
      const visits: Record<string, string> = {};
      for (const v of VISITS) {
        const r = await coord.post<{ id: string }>(`/api/subjects/${s.body.id}/visits`, {
          visitCode: v.code,
          visitDate: v.date,
        });
        expect(r.status).toBe(201);
        visits[v.code] = r.body.id;
      }
      return { id: s.body.id, code: s.body.subjectCode, visits };
    }

    async function scores(visits: Record<string, string>) {
      const out: Record<string, { score: number; explanation: string[] }> = {};
      for (const v of VISITS) {
        const r = await coord.get<{ sledai2k: { value: { score: number }; explanation: string[] } }>(
          `/api/visits/${visits[v.code]}/scores`,
        );
        expect(r.status).toBe(200);
        out[v.code] = { score: r.body.sledai2k.value.score, explanation: r.body.sledai2k.explanation };
      }
      return out;
    }

    let viaForm: Awaited<ReturnType<typeof scores>>;

    it('the form (API save) scores each visit as hand-summed', async () => {
      const s = await subjectWithVisits();
      for (const v of VISITS)
        for (const [form, key] of FORMS) {
          const r = await coord.put(`/api/visits/${s.visits[v.code]}/forms/${form}`, {
            items: Object.entries(v[key]).map(([itemCode, [value, unit]]) => ({
              itemCode,
              value,
              ...(unit ? { unit } : {}),
            })),
          });
          expect(r.status, `${v.code} ${form}`).toBe(200);
        }
      viaForm = await scores(s.visits);
      // The patient page's source states which BILAG drives the endpoints (issue #18 item 13).
      const course = await coord.get<{
        endpointBilag: string;
        visits: { visitCode: string; sledai: number | null; bilag2004Provisional: string[] }[];
      }>(`/api/subjects/${s.id}/endpoints`);
      expect(course.body.endpointBilag).toMatch(/classic BILAG system grades \(verified\)/);
      expect(course.body.visits.every((v) => v.bilag2004Provisional.length === 0)).toBe(true);
      // The analysis path (stored dataset → deriveSubject) scores the same, fever included.
      expect(course.body.visits.map((v) => [v.visitCode, v.sledai])).toEqual(
        VISITS.map((v) => [v.code, v.score]),
      );
      for (const v of VISITS) expect(viaForm[v.code]!.score, v.code).toBe(v.score);
      expect(viaForm.M1!.explanation.join('\n')).toMatch(/fever: temperature 38.4 °C > 38 °C/);
      expect(viaForm.M3!.explanation.join('\n')).toMatch(/pyuria: .*present but not due to SLE \(0\)/);
    });

    it('a long CSV import of the same 0/1 data gives identical scores and traces', async () => {
      const s = await subjectWithVisits();
      const rows = ['subject,visit,form,item,value,unit'];
      for (const v of VISITS)
        for (const [form, key] of FORMS)
          for (const [item, [value, unit]] of Object.entries(v[key]))
            rows.push(`${s.code},${v.code},${form},${item},${value},${unit ?? ''}`);
      const r = await admin.request<{ written: boolean }>(
        'POST',
        `/api/studies/${trial.studyId}/import.csv`,
        `${rows.join('\n')}\n`,
        { 'content-type': 'text/csv' },
      );
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(await scores(s.visits)).toEqual(viaForm);
    });

    it('a wide (REDCap-export layout) CSV import of the same data gives identical scores', async () => {
      const s = await subjectWithVisits();
      const columns: Record<string, string | { item: string; unit: string }> = {};
      const header = new Set<string>();
      for (const v of VISITS)
        for (const [form, key] of FORMS)
          for (const [item, [, unit]] of Object.entries(v[key])) {
            const col = `${form.replace('-', '_')}__${item}`;
            header.add(col);
            columns[col] = unit ? { item: `${form}.${item}`, unit } : `${form}.${item}`;
          }
      // One unit per column: the two visits' temperatures differ in unit, so M3 gets its own column.
      columns.vital_signs__temperature = { item: 'vital-signs.temperature', unit: '°C' };
      columns.vital_signs__temperature_f = { item: 'vital-signs.temperature', unit: '°F' };
      const cols = [...header, 'vital_signs__temperature_f'];
      const lines = [['record_id', 'redcap_event_name', ...cols].join(',')];
      for (const v of VISITS) {
        const cell = (col: string) => {
          if (col === 'vital_signs__temperature')
            return v.vitals.temperature![1] === '°C' ? v.vitals.temperature![0] : '';
          if (col === 'vital_signs__temperature_f')
            return v.vitals.temperature![1] === '°F' ? v.vitals.temperature![0] : '';
          const [form, item] = col.split('__') as [string, string];
          const data = form === 'sledai2k' ? v.sledai2k : form === 'labs' ? v.labs : v.vitals;
          return data[item]?.[0] ?? '';
        };
        lines.push([s.code, v.code, ...cols.map(cell)].join(','));
      }
      const mapping = { subject: 'record_id', visit: 'redcap_event_name', columns };
      const r = await admin.request(
        'POST',
        `/api/studies/${trial.studyId}/import.csv?format=wide&mapping=${encodeURIComponent(JSON.stringify(mapping))}`,
        `${lines.join('\n')}\n`,
        { 'content-type': 'text/csv' },
      );
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(await scores(s.visits)).toEqual(viaForm);
    });

    it('an ODM import (another system, through an OID map) of the same data gives identical scores', async () => {
      const s = await subjectWithVisits();
      const units = new Map<string, string>();
      const oidMap: Record<string, string> = {};
      const events = VISITS.map((v) => {
        oidMap[`EV_${v.code}`] = v.code;
        const items = FORMS.flatMap(([form, key]) =>
          Object.entries(v[key]).map(([item, [value, unit]]) => {
            const oid = `${form.replace('-', '_').toUpperCase()}.${item.toUpperCase()}`;
            oidMap[oid] = `${form}.${item}`;
            if (unit && !units.has(unit)) units.set(unit, `U${units.size + 1}`);
            return `<ItemData ItemOID="${oid}" Value="${value}">${
              unit ? `<MeasurementUnitRef MeasurementUnitOID="${units.get(unit)}"/>` : ''
            }</ItemData>`;
          }),
        );
        return `<StudyEventData StudyEventOID="EV_${v.code}"><FormData FormOID="CRF"><ItemGroupData ItemGroupOID="IG">${items.join('')}</ItemGroupData></FormData></StudyEventData>`;
      });
      const odm = `<?xml version="1.0"?>
<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" ODMVersion="1.3.2" FileType="Snapshot" FileOID="x" CreationDateTime="2024-01-01T00:00:00">
  <Study OID="OTHER"><GlobalVariables><StudyName>x</StudyName><StudyDescription>x</StudyDescription><ProtocolName>x</ProtocolName></GlobalVariables>
    <BasicDefinitions>${[...units]
      .map(
        ([name, oid]) =>
          `<MeasurementUnit OID="${oid}" Name="${name}"><Symbol><TranslatedText>${name}</TranslatedText></Symbol></MeasurementUnit>`,
      )
      .join('')}</BasicDefinitions>
  </Study>
  <ClinicalData StudyOID="OTHER" MetaDataVersionOID="v1"><SubjectData SubjectKey="${s.code}">${events.join('')}</SubjectData></ClinicalData>
</ODM>`;
      const r = await admin.request(
        'POST',
        `/api/studies/${trial.studyId}/import.odm?oidMap=${encodeURIComponent(JSON.stringify(oidMap))}`,
        odm,
        { 'content-type': 'application/xml' },
      );
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(await scores(s.visits)).toEqual(viaForm);
    });
  });
