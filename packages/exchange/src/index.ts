// Data exchange: CDISC ODM 1.3.2 export and import, SDTM-style domain CSVs, CSV import (long and
// wide), FHIR R4 lab import, each with de-identification options for the statistician's view.
export {
  type CsvDictionaryRow,
  type CsvExportOptions,
  type CsvExportReport,
  type CsvLayout,
  csvDictionary,
  csvDictionaryText,
  exportCsv,
  wideMappingFromDictionary,
} from './csv-export.js';
export { type CsvImportOptions, importCsv, type WideMapping } from './csv-import.js';
export type { CsvSource } from './csv-reader.js';
export {
  definitionDictionaryCsv,
  definitionDictionaryHtml,
  definitionToOdm,
  dictionaryRows,
  explicitForms,
} from './definition-export.js';
export {
  type DefinitionConversion,
  DefinitionFileError,
  parseStudyFrame,
  type StudyFrame,
  studyFrameFrom,
  type UnmappedConstruct,
} from './definition-frame.js';
export {
  type DefinitionFileInput,
  type DefinitionFileResult,
  type DefinitionFormat,
  formatUnmapped,
  readDefinitionFile,
} from './definition-import.js';
export { CATALOG_LAB_LOINC, UCUM_TO_MSCT } from './fhir-codes.js';
export {
  type FhirImportOptions,
  type FhirImportReport,
  importFhir,
  type ObservationAccounting,
} from './fhir-import.js';
export { type FhirMapping, type ResolvedFhirMapping, resolveFhirMapping } from './fhir-mapping.js';
export type { ImportProblem, ImportReport, ImportRule } from './import-check.js';
export { convertOdmMetadata } from './odm-definition.js';
export {
  type DeidentifyOptions,
  exportOdm,
  type OdmExportOptions,
  type OdmExportReport,
} from './odm-export.js';
export {
  type ItemDataAccounting,
  importOdm,
  type OdmImportOptions,
  type OdmImportReport,
  type OdmSource,
} from './odm-import.js';
export { type OdmMapping, type ResolvedOdmMapping, resolveOdmMapping } from './odm-mapping.js';
export { odmMetadataMapping } from './odm-metadata-mapping.js';
export { convertRedcapDictionary } from './redcap-dictionary.js';
export { exportSdtm, type SdtmExportReport } from './sdtm-export.js';
export { loadMetadata, oid } from './study-metadata.js';
