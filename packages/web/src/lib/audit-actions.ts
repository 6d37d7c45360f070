// The audit trail's actions in words for the "What" column of a history (issue 22: labels, not
// codes). An action not listed here is shown as its code with the dots as spaces, so a new one
// added by the store still reads and is never hidden.
const WORDS: Record<string, string> = {
  'item.enter': 'Item entered',
  'item.change': 'Item changed',
  'item.update': 'Item changed',
  'item.create': 'Item entered',
  'item.reinterpret': 'Item re-read under an amended definition',
  'item.delete': 'Item deleted',
  'item.verify': 'Item source-verified',
  'item.verify.clear': 'Source verification withdrawn',
  'form.create': 'Form created',
  'form.delete': 'Form deleted',
  'form.sign': 'Form signed',
  'form.verify.clear': 'Form verification withdrawn',
  'visit.create': 'Visit opened',
  'visit.update': 'Visit changed',
  'visit.delete': 'Visit deleted',
  'subject.create': 'Subject enrolled',
  'subject.update': 'Subject changed',
  'subject.randomise': 'Subject randomised',
  'subject.unblind': 'Subject unblinded',
  'query.raise': 'Query raised',
  'query.close': 'Query closed',
  'unlock.request': 'Unlock requested',
  'adverse_event.follow_up': 'Adverse event follow-up',
};

export function actionText(action: string): string {
  return WORDS[action] ?? action.replaceAll('.', ' ').replaceAll('_', ' ');
}
