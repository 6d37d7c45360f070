// The expedited-reporting clock in words (computed by the server with core/safety/expedited-reporting.ts).
import type { ResponseOf, RouteOf } from '@msct/contract';

export type SaeClock = ResponseOf<RouteOf<'GET', '/api/adverse-events/:aeId'>>['clock'];

/** One line for the listing: the expedited report's state, then the site's notice when it is late. */
export function clockSummary(c: SaeClock): string {
  const parts: string[] = [];
  if (c.expedited) {
    const d = `${c.deadlineDays}-day report`;
    if (c.report === 'pending') parts.push(`${d}: clock starts when the sponsor is notified`);
    else if (c.report === 'due')
      parts.push(`${d}: ${c.daysLeft} day${c.daysLeft === 1 ? '' : 's'} left (due ${c.reportDueDate})`);
    else if (c.report === 'overdue')
      parts.push(
        `${d}: OVERDUE by ${-(c.daysLeft ?? 0)} day${c.daysLeft === -1 ? '' : 's'} (due ${c.reportDueDate})`,
      );
    else if (c.report === 'on_time') parts.push(`${d}: reported on time`);
    else if (c.report === 'late') parts.push(`${d}: reported late (due ${c.reportDueDate})`);
  } else if (c.serious) parts.push('no expedited report');
  if (c.siteNotice === 'overdue') parts.push('24 h site notice OVERDUE');
  else if (c.siteNotice === 'late') parts.push('24 h site notice late');
  else if (c.siteNotice === 'due') parts.push(`24 h site notice due by ${c.siteNoticeDueAt}`);
  else if (c.siteNotice === 'pending') parts.push('site awareness not recorded');
  return parts.join('; ');
}
