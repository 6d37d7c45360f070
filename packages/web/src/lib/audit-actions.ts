// The audit trail's actions in words for the "What" column of a history (issue 22: labels, not
// codes), from the message catalogue. An action not listed here is shown as its code with the dots
// as spaces, so a new one added by the store still reads and is never hidden.
import { t } from '../i18n/index.js';

const WORDS: Record<string, () => string> = {
  'item.enter': () => t('audit.action.itemEntered'),
  'item.change': () => t('audit.action.itemChanged'),
  'item.update': () => t('audit.action.itemChanged'),
  'item.create': () => t('audit.action.itemEntered'),
  'item.reinterpret': () => t('audit.action.itemReread'),
  'item.delete': () => t('audit.action.itemDeleted'),
  'item.verify': () => t('audit.action.itemVerified'),
  'item.verify.clear': () => t('audit.action.itemVerifyCleared'),
  'form.create': () => t('audit.action.formCreated'),
  'form.delete': () => t('audit.action.formDeleted'),
  'form.sign': () => t('audit.action.formSigned'),
  'form.verify.clear': () => t('audit.action.formVerifyCleared'),
  'visit.create': () => t('audit.action.visitOpened'),
  'visit.update': () => t('audit.action.visitChanged'),
  'visit.delete': () => t('audit.action.visitDeleted'),
  'subject.create': () => t('audit.action.subjectEnrolled'),
  'subject.update': () => t('audit.action.subjectChanged'),
  'subject.randomise': () => t('audit.action.subjectRandomised'),
  'subject.unblind': () => t('audit.action.subjectUnblinded'),
  'query.raise': () => t('audit.action.queryRaised'),
  'query.close': () => t('audit.action.queryClosed'),
  'unlock.request': () => t('audit.action.unlockRequested'),
  'adverse_event.follow_up': () => t('audit.action.aeFollowUp'),
};

export function actionText(action: string): string {
  const words = Object.hasOwn(WORDS, action) ? WORDS[action] : undefined;
  return words
    ? words()
    : t('audit.action.other', { words: action.replaceAll('.', ' ').replaceAll('_', ' ') });
}
