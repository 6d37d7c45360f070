// The web app's one message catalogue (issue 22, "Languages"). Every user-facing text is a keyed
// message in `locales/en.json`; a translation is one more file beside it (`locales/zh.json` with
// the same keys), a data change: it is found by the glob below and chosen when the user's setting
// or the browser's language asks for it. Keys missing from a translation fall back to English.
// The locale is chosen once, when the app loads: the user's setting (`localStorage` `msct.locale`,
// written by the language choice), else the first of `navigator.languages` with a catalogue, else
// English. The pseudo-locale `x-pseudo` (every message wrapped in ⟦…⟧) is chosen only by that
// setting: e2e/catalogue.test.ts uses it to prove that no text on screen bypasses the catalogue.
// Dates do not change with the locale: they keep the one ISO format of lib/dates.ts.

import { formatMessage, type MessageParams, PSEUDO_LOCALE, pseudoMessage } from './format.js';
import en from './locales/en.json';

export type MessageKey = keyof typeof en;
export type { MessageParams };

const LOCALE_SETTING = 'msct.locale';

/** Every catalogue under locales/, by locale (file name without `.json`). */
const catalogues: Record<string, Partial<Record<MessageKey, string>>> = Object.fromEntries(
  Object.entries(
    import.meta.glob<Partial<Record<MessageKey, string>>>('./locales/*.json', {
      eager: true,
      import: 'default',
    }),
  ).map(([path, messages]) => [path.replace(/^.*\/([^/]+)\.json$/, '$1'), messages]),
);

/** The locales the user can choose (English first). */
export const LOCALES: readonly string[] = [
  'en',
  ...Object.keys(catalogues)
    .filter((l) => l !== 'en')
    .sort(),
];

function storedSetting(): string | null {
  try {
    return globalThis.localStorage?.getItem(LOCALE_SETTING) ?? null;
  } catch {
    return null;
  }
}

/** The catalogue locale that serves `wanted` (`zh-CN` → `zh`), or undefined. */
function available(wanted: string): string | undefined {
  if (wanted === PSEUDO_LOCALE) return wanted;
  const lower = wanted.toLowerCase();
  return LOCALES.find((l) => l.toLowerCase() === lower) ?? LOCALES.find((l) => l === lower.split('-')[0]);
}

function chooseLocale(): string {
  const setting = storedSetting();
  if (setting) {
    const l = available(setting);
    if (l) return l;
  }
  for (const wanted of globalThis.navigator?.languages ?? []) {
    const l = available(wanted);
    if (l) return l;
  }
  return 'en';
}

export const locale: string = chooseLocale();
if (typeof document !== 'undefined') document.documentElement.lang = locale === PSEUDO_LOCALE ? 'en' : locale;

/** Saves the user's language and reloads the app in it. */
export function chooseLanguage(next: string): void {
  globalThis.localStorage?.setItem(LOCALE_SETTING, next);
  globalThis.location?.reload();
}

/** The message `key` in the user's language with its parameters. */
export function t(key: MessageKey, params?: MessageParams): string {
  if (locale === PSEUDO_LOCALE) return formatMessage(locale, pseudoMessage(en[key]), params);
  const pattern = catalogues[locale]?.[key] ?? en[key];
  return formatMessage(locale, pattern, params);
}
