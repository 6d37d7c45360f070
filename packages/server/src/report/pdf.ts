// PDF of the report through headless Chromium's print (issue 5: "a PDF via headless Chromium
// print"). playwright-core drives Debian's /usr/bin/chromium with the flags DESIGN.md lists (without
// the networking flags the closed network makes it stall). Loaded lazily: only `--format pdf` needs it.

export interface PdfOptions {
  executablePath?: string;
  /** A4 by default (a trial report for signature). */
  format?: 'A4' | 'Letter';
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function renderPdf(html: string, path: string, options: PdfOptions = {}): Promise<void> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: options.executablePath ?? process.env.MSCT_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage();
    // The report is self-contained: no network is needed, so 'load' is enough.
    await page.setContent(html, { waitUntil: 'load' });
    await page.pdf({
      path,
      format: options.format ?? 'A4',
      printBackground: true,
      margin: { top: '14mm', bottom: '14mm', left: '12mm', right: '12mm' },
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate:
        '<div style="font-size:8px;width:100%;text-align:center;color:#666"><span class="pageNumber"></span> / <span class="totalPages"></span></div>',
    });
  } finally {
    await browser.close();
  }
}
