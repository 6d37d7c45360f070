// The print page both printed documents share (blank CRFs and the patient casebook, issue #22): one
// self-contained HTML document with an A4 print stylesheet, which headless Chromium prints to PDF
// (report/pdf.ts) exactly as a browser's "Print" would.
import { escapeHtml } from '../report/format.js';

export const h = escapeHtml;

/** What a missing-data code stands for (definition-schema.ts missingDataCodeSchema). */
export const MISSING_CODE_LABELS: Readonly<Record<string, string>> = {
  ND: 'Not done',
  NK: 'Not known',
  NA: 'Not applicable',
};

const STYLE = `
@page{size:A4;margin:14mm 12mm}
*{box-sizing:border-box}
body{font-family:"DejaVu Sans",system-ui,sans-serif;font-size:10pt;color:#000;margin:0}
header.doc{border-bottom:2px solid #000;margin-bottom:4mm;padding-bottom:2mm}
h1{font-size:15pt;margin:0 0 1mm}
h2{font-size:12.5pt;margin:0 0 2mm;border-bottom:1px solid #444}
h3{font-size:11pt;margin:3mm 0 1.5mm}
.meta{color:#333;font-size:9pt}
section.page{break-after:page;page-break-after:always}
section.page:last-of-type{break-after:auto;page-break-after:auto}
table{border-collapse:collapse;width:100%;margin-bottom:3mm}
th,td{border:1px solid #777;padding:1.2mm 1.6mm;text-align:left;vertical-align:top}
th{background:#eee;font-weight:600}
tr{break-inside:avoid;page-break-inside:avoid}
.box{display:inline-block;width:3.4mm;height:3.4mm;border:1px solid #000;margin-right:1.2mm;vertical-align:-0.5mm}
.choice{display:inline-block;margin:0 4mm 1mm 0;white-space:nowrap}
.line{display:inline-block;min-width:45mm;border-bottom:1px solid #000;height:5mm}
.small{font-size:8.5pt;color:#333}
.code{font-family:"DejaVu Sans Mono",monospace;font-size:8.5pt;color:#444}
.sig{border:1px solid #000;padding:2mm;margin:2mm 0}
.unsigned{color:#555;font-style:italic}
.nowrap{white-space:nowrap}
`;

/** A whole printable document: title, a header block and the body's sections. */
export function printDocument(title: string, header: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${h(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header class="doc">${header}</header>
${body}
</body>
</html>
`;
}
