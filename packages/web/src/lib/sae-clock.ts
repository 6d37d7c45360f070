// The expedited-reporting clock in words (computed by the server with core/safety/expedited-reporting.ts).
import type { ResponseOf, RouteOf } from '@msct/contract';
import { t } from '../i18n/index.js';

export type SaeClock = ResponseOf<RouteOf<'GET', '/api/adverse-events/:aeId'>>['clock'];

/** One line for the listing: the expedited report's state, then the site's notice when it is late. */
export function clockSummary(c: SaeClock): string {
  const parts: string[] = [];
  if (c.expedited) {
    const d = (state: string) => t('saeClock.report', { days: c.deadlineDays ?? '', state });
    const date = c.reportDueDate ?? '';
    if (c.report === 'pending') parts.push(d(t('saeClock.pending')));
    else if (c.report === 'due') parts.push(d(t('saeClock.due', { count: c.daysLeft ?? 0, date })));
    else if (c.report === 'overdue')
      parts.push(d(t('saeClock.overdue', { count: -(c.daysLeft ?? 0), date })));
    else if (c.report === 'on_time') parts.push(d(t('saeClock.onTime')));
    else if (c.report === 'late') parts.push(d(t('saeClock.late', { date })));
  } else if (c.serious) parts.push(t('saeClock.noExpedited'));
  if (c.siteNotice === 'overdue') parts.push(t('saeClock.noticeOverdue'));
  else if (c.siteNotice === 'late') parts.push(t('saeClock.noticeLate'));
  else if (c.siteNotice === 'due') parts.push(t('saeClock.noticeDue', { at: c.siteNoticeDueAt ?? '' }));
  else if (c.siteNotice === 'pending') parts.push(t('saeClock.noticePending'));
  return parts.join(t('saeClock.join'));
}
