// A foreign ODM file imported whole: its metadata became the study (`msct study create --format odm`,
// POST /api/studies/from-file, odm-definition.ts), and its ClinicalData follows through the OIDs that
// conversion gave each item and event (ItemOID → `form.item`, StudyEventOID → visit code, FormData
// outside any event → the classic project's one visit). A mapping given beside it wins per OID.
import { convertOdmMetadata } from './odm-definition.js';

/** The OID map of a file's ClinicalData onto the definition its own metadata converts to. */
export async function odmMetadataMapping(file: Buffer | string): Promise<Record<string, string>> {
  return (await convertOdmMetadata({ file })).oidMap ?? {};
}
