// The analysis report: HTML (inline CSS + SVG), CSV per table, and PDF through headless Chromium.

export { analysisOptionsOf, analyzeStudy } from './analyze-study.js';
export { resultsToCsv, toCsv } from './csv.js';
export { atPath, formatNumber, type NumberFormat } from './format.js';
export { type ReportMeta, renderReportHtml, reportHtmlChunks } from './html.js';
export { type PdfOptions, type PdfPrinter, pdfPrinter, renderPdf } from './pdf.js';
export { describeSoftware, softwareIdentity, softwareVersion, withSoftware } from './software-version.js';
