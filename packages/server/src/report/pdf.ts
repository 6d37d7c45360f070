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
  await printPdf(html, path, options);
}

type Browser = Awaited<ReturnType<typeof import('playwright-core')['chromium']['launch']>>;

const launch = async (options: PdfOptions): Promise<Browser> => {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: options.executablePath ?? process.env.MSCT_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
};

/**
 * A printer for a long-running server (blank CRFs, casebooks): one headless Chromium, launched on
 * the first document and kept (a launch costs a second or more; a page a few hundred ms), launched
 * again if it died; `close()` ends it with the server.
 */
export function pdfPrinter(options: PdfOptions = {}) {
  let browser: Promise<Browser> | undefined;
  const current = () => {
    if (!browser) {
      const b = launch(options);
      browser = b;
      b.then(
        (x) =>
          x.on('disconnected', () => {
            if (browser === b) browser = undefined;
          }),
        () => {
          if (browser === b) browser = undefined;
        },
      );
    }
    return browser;
  };
  return {
    async print(html: string): Promise<Buffer> {
      const page = await (await current()).newPage();
      try {
        return await pagePdf(page, html, undefined, options);
      } finally {
        await page.close();
      }
    },
    async close(): Promise<void> {
      const b = browser;
      browser = undefined;
      if (b) await (await b.catch(() => undefined))?.close();
    },
  };
}
export type PdfPrinter = ReturnType<typeof pdfPrinter>;

type Page = Awaited<ReturnType<Browser['newPage']>>;

async function pagePdf(
  page: Page,
  html: string,
  path: string | undefined,
  options: PdfOptions,
): Promise<Buffer> {
  // The report is self-contained: no network is needed, so 'load' is enough.
  await page.setContent(html, { waitUntil: 'load' });
  return page.pdf({
    ...(path ? { path } : {}),
    format: options.format ?? 'A4',
    printBackground: true,
    margin: { top: '14mm', bottom: '14mm', left: '12mm', right: '12mm' },
    displayHeaderFooter: true,
    headerTemplate: '<span></span>',
    footerTemplate:
      '<div style="font-size:8px;width:100%;text-align:center;color:#666"><span class="pageNumber"></span> / <span class="totalPages"></span></div>',
  });
}

async function printPdf(html: string, path: string, options: PdfOptions): Promise<Buffer> {
  const browser = await launch(options);
  try {
    const page = await browser.newPage();
    return await pagePdf(page, html, path, options);
  } finally {
    await browser.close();
  }
}
