// Between a study definition's forms (items name a code list declared once, by id) and the resolved
// forms that entry checks and exports read (items carry their codes): crf/forms.ts `itemFormsFor`
// resolves a definition's forms (the built-in trial declares its items in protocol/studies/msct-sle.json).
import type { CodeList, DefinitionItem, FormDefinition } from '../protocol/study-definition.js';
import type { FormDefinitionItems, ItemDefinition } from './item-definition.js';

/** A definition form's items with each code list's codes in place of its id. */
export function resolveDefinitionForm(
  form: Pick<FormDefinition, 'id' | 'title'> & { items: readonly DefinitionItem[] },
  codeLists: readonly CodeList[],
): FormDefinitionItems {
  return {
    formCode: form.id,
    title: form.title,
    items: form.items.map((item): ItemDefinition => {
      const { codeList, ...rest } = item;
      if (codeList === undefined) return rest;
      // An unknown list (refused by validateStudyDefinition) leaves the item without codes: every
      // value is then refused at entry rather than accepted unchecked.
      const codes = codeLists.find((l) => l.id === codeList)?.codes;
      return codes ? { ...rest, codes } : rest;
    }),
  };
}
