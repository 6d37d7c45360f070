// One problem of a study definition, with the path to the offending value (validate-definition.ts).

export type DefinitionIssueCode =
  | 'required'
  | 'invalid_type'
  | 'invalid_value'
  | 'unknown_key'
  | 'duplicate'
  | 'unknown_reference'
  | 'out_of_order'
  | 'overlap';

export interface DefinitionIssue {
  path: Array<string | number>;
  code: DefinitionIssueCode;
  message: string;
}
