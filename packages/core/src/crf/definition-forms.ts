// Between a study definition's forms (items name a code list declared once, by id) and the resolved
// forms that entry checks and exports read (items carry their codes): crf/forms.ts `itemFormsFor`
// resolves a definition's forms; `withItems` writes the code catalog's forms into a definition
// (how the built-in trial declares its items, protocol/msct-sle-trial.ts).
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

/**
 * The definition's forms with the catalog's items for each form the catalog holds (by form code),
 * and the code lists those items use. A code list is one of `namedLists` when the item uses that
 * list's very codes, otherwise a list of its own named `<form>.<item>`.
 */
export function withItems(
  forms: readonly FormDefinition[],
  catalog: readonly FormDefinitionItems[],
  namedLists: readonly CodeList[],
): { forms: FormDefinition[]; codeLists: CodeList[] } {
  const codeLists: CodeList[] = [];
  const listOf = (formCode: string, item: ItemDefinition, codes: NonNullable<ItemDefinition['codes']>) => {
    const named = namedLists.find((l) => l.codes === codes);
    const list = named ?? { id: `${formCode}.${item.code}`, codes };
    if (!codeLists.some((l) => l.id === list.id)) codeLists.push(list);
    return list.id;
  };
  const out = forms.map((form): FormDefinition => {
    const items = catalog.find((c) => c.formCode === form.id)?.items;
    if (!items) return form;
    return {
      ...form,
      items: items.map((item): DefinitionItem => {
        const { codes, ...rest } = item;
        return codes ? { ...rest, codeList: listOf(form.id, item, codes) } : rest;
      }),
    };
  });
  return { forms: out, codeLists };
}
