import type { ReactNode } from 'react';

/**
 * A table that scrolls sideways inside itself when the screen is narrower than it (a phone, issue
 * #22), so the page never does. The region is named and focusable, so a keyboard user can scroll it
 * (WCAG 2.1.1; axe-core `scrollable-region-focusable`).
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus to be scrolled by keyboard (WCAG 2.1.1).
    <section className="table-scroll" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}
