// The status vocabulary in the user's language (issue 22: one status vocabulary, and every word
// through the catalogue). The codes are core's (protocol/record-status.ts); a code the catalogue
// does not know is shown with core's words, so a new status still reads.
import {
  type FormStatusCode,
  formStatusLabel,
  type SubjectStatusCode,
  subjectStatusLabel,
} from '@msct/core/protocol';
import { t } from './index.js';

const FORM: Record<FormStatusCode, () => string> = {
  incomplete: () => t('status.form.incomplete'),
  complete: () => t('status.form.complete'),
  signed: () => t('status.form.signed'),
  locked: () => t('status.form.locked'),
};

const SUBJECT: Record<SubjectStatusCode, () => string> = {
  screening: () => t('status.subject.screening'),
  enrolled: () => t('status.subject.enrolled'),
  completed: () => t('status.subject.completed'),
  withdrawn: () => t('status.subject.withdrawn'),
  died: () => t('status.subject.died'),
  screen_failed: () => t('status.subject.screenFailed'),
};

export const formStatusText = (code: string): string =>
  Object.hasOwn(FORM, code) ? FORM[code as FormStatusCode]() : formStatusLabel(code);

export const subjectStatusText = (code: string): string =>
  Object.hasOwn(SUBJECT, code) ? SUBJECT[code as SubjectStatusCode]() : subjectStatusLabel(code);

const STUDY: Record<string, () => string> = { active: () => t('status.study.active') };

/** A study's status in words (the store writes 'active'; another code is shown as it is). */
export const studyStatusText = (code: string): string => (Object.hasOwn(STUDY, code) ? STUDY[code]!() : code);
