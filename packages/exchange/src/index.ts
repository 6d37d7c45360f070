// Data exchange: CDISC ODM 1.3.2 export and import, SDTM-style domain CSVs, CSV import (long and
// wide), each with de-identification options for the statistician's view.
export { type CsvImportOptions, importCsv, type WideMapping } from './csv-import.js';
export type { CsvSource } from './csv-reader.js';
export type { ImportProblem, ImportReport, ImportRule } from './import-check.js';
export {
  type DeidentifyOptions,
  exportOdm,
  type OdmExportOptions,
  type OdmExportReport,
} from './odm-export.js';
export { importOdm, type OdmImportOptions, type OdmImportReport, type OdmSource } from './odm-import.js';
export { type OdmMapping, type ResolvedOdmMapping, resolveOdmMapping } from './odm-mapping.js';
export { exportSdtm, type SdtmExportReport } from './sdtm-export.js';
export { oid } from './study-metadata.js';
