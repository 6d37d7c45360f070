// The form builder's edit checks (issue #20 "edit checks as data"): the definition's checks on the
// form being built, each added, edited or removed as the schema declares it (core
// protocol/definition-schema.ts editCheckSchema: a range, required-if, compare or cross-visit rule,
// a message and a severity). A check of severity 'query' raises a system query when a save breaks it
// (store/repositories/edit-check-queries.ts); a 'warning' is shown at the item during entry. The draft
// is validated like the rest of the definition: each problem is shown at the control its path names.
import {
  type CompareOperator,
  compareOperatorSchema,
  type EditCheck,
  type EditCheckRule,
  type EligibilityCondition,
  editCheckSeveritySchema,
  type PathProblem,
  problemsAt,
  type StudyDefinition,
} from '@msct/core/protocol';
import { type Edit, Errors, Field, ParsedField, parseNumber, TextFieldAt } from './fields.js';

/** An item the checks of the form may read (the form's own or, for a catalog form, core's). */
export interface CheckableItem {
  code: string;
  label: string;
  type: string;
}

const RULE_LABELS: Record<EditCheckRule['kind'], string> = {
  range: 'Range (plausible minimum / maximum)',
  'required-if': 'Required if (another item has a value)',
  compare: 'Compare (with another item or a number)',
  'cross-visit': 'Cross-visit (change from an earlier visit)',
};
const SEVERITY_LABELS: Record<EditCheck['severity'], string> = {
  query: 'Query: a save that breaks it raises a system query',
  warning: 'Warning: shown at the item during entry, no query',
};
const OP_LABELS: Record<CompareOperator, string> = {
  lt: 'below (<)',
  lte: 'at most (≤)',
  gt: 'above (>)',
  gte: 'at least (≥)',
  eq: 'equal to (=)',
  ne: 'not equal to (≠)',
};

/** A rule of `kind` on `item`, with the fields its schema requires given a first value. */
export function newRule(
  kind: EditCheckRule['kind'],
  item: string,
  items: readonly CheckableItem[],
): EditCheckRule {
  const other = items.find((i) => i.code !== item)?.code ?? '';
  switch (kind) {
    case 'range':
      return { kind, item };
    case 'required-if':
      return { kind, item, condition: { op: 'is', item: other, value: '' } };
    case 'compare':
      return { kind, item, op: 'lt', other };
    case 'cross-visit':
      return { kind, item, referenceVisit: '', maxChangePercent: 10 };
  }
}

/** A condition in words (one the builder does not edit: and/or, numeric comparisons). */
export function conditionText(c: EligibilityCondition): string {
  switch (c.op) {
    case 'all':
    case 'any':
      return c.conditions
        .map((s) => (s.op === 'all' || s.op === 'any' ? `(${conditionText(s)})` : conditionText(s)))
        .join(c.op === 'all' ? ' and ' : ' or ');
    case 'is':
      return `${c.item} is ${JSON.stringify(c.value)}`;
    case 'between':
      return `${c.item} between ${c.min} and ${c.max}${c.unit ? ` ${c.unit}` : ''}`;
    default:
      return `${c.item} ${OP_LABELS[c.op]} ${c.value}${c.unit ? ` ${c.unit}` : ''}`;
  }
}

const formatNumber = (n: number | undefined) => (n === undefined ? '' : String(n));

export function EditChecksEditor({
  form,
  items,
  definition,
  problems,
  edit,
}: {
  /** The form's code: its checks are those whose `form` is it. */
  form: string;
  items: readonly CheckableItem[];
  definition: StudyDefinition;
  problems: readonly PathProblem[];
  edit: Edit;
}) {
  const all = definition.editChecks ?? [];
  const mine = all.flatMap((c, k) => (c.form === form ? [{ check: c, k }] : []));
  const editCheck = (k: number, change: (c: EditCheck) => void) =>
    edit((d) => {
      const copy = structuredClone(d.editChecks![k]!);
      change(copy);
      // An absent field is left out, not stored as undefined (the definition is JSON).
      for (const o of [copy, copy.rule] as Record<string, unknown>[])
        for (const key of Object.keys(o)) if (o[key] === undefined) delete o[key];
      d.editChecks![k] = copy;
    });
  return (
    <section aria-labelledby="builder-checks" className="builder-checks">
      <h3 id="builder-checks">Edit checks of {form || 'this form'}</h3>
      {mine.length === 0 && <p>No edit checks on this form.</p>}
      {mine.map(({ check, k }, n) => (
        <CheckEditor
          // A draft entry has no identity while edited (its id may be blank or repeated): its position is its path.
          key={`${k}-${all.length}`}
          at={`editChecks[${k}]`}
          n={n + 1}
          check={check}
          items={items}
          visits={definition.visits.map((v) => v.code)}
          problems={problems}
          onChange={(change) => editCheck(k, change)}
          onRemove={() =>
            edit((d) => {
              d.editChecks!.splice(k, 1);
              if (d.editChecks!.length === 0) delete d.editChecks;
            })
          }
        />
      ))}
      <button
        type="button"
        disabled={!form || items.length === 0}
        onClick={() =>
          edit((d) => {
            d.editChecks = [
              ...(d.editChecks ?? []),
              { id: '', message: '', severity: 'query', form, rule: newRule('range', items[0]!.code, items) },
            ];
          })
        }
      >
        Add edit check to {form || 'this form'}
      </button>
    </section>
  );
}

function ItemSelect({
  label,
  value,
  items,
  problems,
  onChange,
  none,
}: {
  label: string;
  value: string | undefined;
  items: readonly CheckableItem[];
  problems: readonly string[];
  onChange(code: string | undefined): void;
  /** The label of the empty choice, when the field is optional. */
  none?: string;
}) {
  // An item no longer on the form stays selectable, so the problem at it can be seen and fixed.
  const known = value === undefined || value === '' || items.some((i) => i.code === value);
  return (
    <Field label={label} problems={problems}>
      {(p) => (
        <select {...p} value={value ?? ''} onChange={(e) => onChange(e.target.value || undefined)}>
          {(none !== undefined || !value) && <option value="">{none ?? '(choose an item)'}</option>}
          {!known && <option value={value}>{value} (not on the form)</option>}
          {items.map((i) => (
            <option key={i.code} value={i.code}>
              {i.label} ({i.code})
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

function CheckEditor({
  at,
  n,
  check,
  items,
  visits,
  problems,
  onChange,
  onRemove,
}: {
  at: string;
  n: number;
  check: EditCheck;
  items: readonly CheckableItem[];
  visits: readonly string[];
  problems: readonly PathProblem[];
  onChange(change: (c: EditCheck) => void): void;
  onRemove(): void;
}) {
  const r = check.rule;
  const rp = `${at}.rule`;
  const name = check.id || `check ${n}`;
  const setRule = (patch: Partial<EditCheckRule>) =>
    onChange((c) => {
      c.rule = { ...c.rule, ...patch } as EditCheckRule;
    });
  return (
    <fieldset className="builder-check" data-check={check.id}>
      <legend>
        Edit check {n}
        {check.id ? `: ${check.id}` : ''}
      </legend>
      <Errors messages={problemsAt(problems, at)} id={`${at}-err`} />
      <TextFieldAt
        label="Check id"
        value={check.id}
        onChange={(v) =>
          onChange((c) => {
            c.id = v;
          })
        }
        problems={problemsAt(problems, `${at}.id`)}
      />
      <TextFieldAt
        label={`Message of ${name} (what the site reads)`}
        value={check.message}
        onChange={(v) =>
          onChange((c) => {
            c.message = v;
          })
        }
        problems={problemsAt(problems, `${at}.message`)}
      />
      <Field label={`Severity of ${name}`} problems={problemsAt(problems, `${at}.severity`)}>
        {(p) => (
          <select
            {...p}
            value={check.severity}
            onChange={(e) =>
              onChange((c) => {
                c.severity = editCheckSeveritySchema.parse(e.target.value);
              })
            }
          >
            {editCheckSeveritySchema.options.map((s) => (
              <option key={s} value={s}>
                {SEVERITY_LABELS[s]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={`Rule of ${name}`} problems={problemsAt(problems, `${rp}.kind`)}>
        {(p) => (
          <select
            {...p}
            value={r.kind}
            onChange={(e) => {
              const kind = e.target.value as EditCheckRule['kind'];
              onChange((c) => {
                c.rule = newRule(kind, c.rule.item, items);
              });
            }}
          >
            {(Object.keys(RULE_LABELS) as EditCheckRule['kind'][]).map((k) => (
              <option key={k} value={k}>
                {RULE_LABELS[k]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Errors messages={problemsAt(problems, rp)} id={`${rp}-err`} />
      <ItemSelect
        label={`Item ${name} checks`}
        value={r.item}
        items={items}
        problems={problemsAt(problems, `${rp}.item`)}
        onChange={(item) => setRule({ item: item ?? '' })}
      />
      {r.kind === 'range' && (
        <>
          <ParsedField
            label={`Plausible minimum of ${name}`}
            inputMode="decimal"
            value={r.min}
            format={formatNumber}
            parse={parseNumber}
            onChange={(min) => setRule({ min })}
            problems={problemsAt(problems, `${rp}.min`)}
          />
          <ParsedField
            label={`Plausible maximum of ${name}`}
            inputMode="decimal"
            value={r.max}
            format={formatNumber}
            parse={parseNumber}
            onChange={(max) => setRule({ max })}
            problems={problemsAt(problems, `${rp}.max`)}
          />
          <TextFieldAt
            label={`Unit of the bounds of ${name} (optional)`}
            value={r.unit ?? ''}
            onChange={(v) => setRule({ unit: v === '' ? undefined : v })}
            problems={problemsAt(problems, `${rp}.unit`)}
          />
        </>
      )}
      {r.kind === 'required-if' && (
        <RequiredIf
          name={name}
          at={`${rp}.condition`}
          rule={r}
          items={items}
          problems={problems}
          setRule={setRule}
        />
      )}
      {r.kind === 'compare' && (
        <>
          <Field label={`Comparison of ${name}`} problems={problemsAt(problems, `${rp}.op`)}>
            {(p) => (
              <select
                {...p}
                value={r.op}
                onChange={(e) => setRule({ op: compareOperatorSchema.parse(e.target.value) })}
              >
                {compareOperatorSchema.options.map((o) => (
                  <option key={o} value={o}>
                    {OP_LABELS[o]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <ItemSelect
            label={`Compared with item (${name})`}
            value={r.other}
            items={items}
            none="(a number, below)"
            problems={problemsAt(problems, `${rp}.other`)}
            onChange={(other) => setRule({ other, ...(other ? { value: undefined } : {}) })}
          />
          {!r.other && (
            <ParsedField
              label={`Compared with the number (${name})`}
              inputMode="decimal"
              value={r.value}
              format={formatNumber}
              parse={parseNumber}
              onChange={(value) => setRule({ value })}
              problems={problemsAt(problems, `${rp}.value`)}
            />
          )}
        </>
      )}
      {r.kind === 'cross-visit' && (
        <>
          <Field label={`Reference visit of ${name}`} problems={problemsAt(problems, `${rp}.referenceVisit`)}>
            {(p) => (
              <select
                {...p}
                value={r.referenceVisit}
                onChange={(e) => setRule({ referenceVisit: e.target.value })}
              >
                <option value="">(choose a visit)</option>
                {visits.map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <ItemSelect
            label={`Reference item of ${name}`}
            value={r.referenceItem}
            items={items}
            none="(the same item)"
            problems={problemsAt(problems, `${rp}.referenceItem`)}
            onChange={(referenceItem) => setRule({ referenceItem })}
          />
          <ParsedField
            label={`Largest change in % of ${name}`}
            inputMode="decimal"
            value={r.maxChangePercent as number | undefined}
            format={formatNumber}
            parse={parseNumber}
            onChange={(v) => setRule({ maxChangePercent: v })}
            problems={problemsAt(problems, `${rp}.maxChangePercent`)}
          />
        </>
      )}
      {check.when && (
        <p>
          Applies only when {conditionText(check.when)}{' '}
          <button
            type="button"
            onClick={() =>
              onChange((c) => {
                delete c.when;
              })
            }
          >
            Remove condition of {name}
          </button>
          <Errors messages={problemsAt(problems, `${at}.when`, true)} id={`${at}-when-err`} />
        </p>
      )}
      <TextFieldAt
        label={`Source of ${name} (guideline, protocol section)`}
        value={check.source ?? ''}
        onChange={(v) =>
          onChange((c) => {
            c.source = v === '' ? undefined : v;
          })
        }
        problems={problemsAt(problems, `${at}.source`)}
      />
      <button type="button" aria-label={`Remove edit check ${name}`} onClick={onRemove}>
        Remove
      </button>
    </fieldset>
  );
}

/** Required-if: `item` must be filled in when another item `is` a value (yes/no for a yes/no item). */
function RequiredIf({
  name,
  at,
  rule,
  items,
  problems,
  setRule,
}: {
  name: string;
  at: string;
  rule: Extract<EditCheckRule, { kind: 'required-if' }>;
  items: readonly CheckableItem[];
  problems: readonly PathProblem[];
  setRule(patch: Partial<EditCheckRule>): void;
}) {
  const c = rule.condition;
  if (c.op !== 'is')
    return (
      <p>
        Required when {conditionText(c)}
        <Errors messages={problemsAt(problems, at, true)} id={`${at}-err`} />
      </p>
    );
  const boolean = items.find((i) => i.code === c.item)?.type === 'boolean';
  const set = (item: string, value: string | boolean) => setRule({ condition: { op: 'is', item, value } });
  return (
    <>
      <ItemSelect
        label={`${name}: required when item`}
        value={c.item}
        items={items.filter((i) => i.code !== rule.item)}
        problems={problemsAt(problems, `${at}.item`)}
        onChange={(item) => {
          const type = items.find((i) => i.code === item)?.type;
          set(item ?? '', type === 'boolean' ? true : typeof c.value === 'string' ? c.value : '');
        }}
      />
      {boolean ? (
        <Field label={`${name}: … is`} problems={problemsAt(problems, `${at}.value`)}>
          {(p) => (
            <select {...p} value={String(c.value)} onChange={(e) => set(c.item, e.target.value === 'true')}>
              <option value="true">Yes</option>
              <option value="false">No</option>
            </select>
          )}
        </Field>
      ) : (
        <TextFieldAt
          label={`${name}: … has the value (as stored, e.g. a code)`}
          value={String(c.value)}
          onChange={(v) => set(c.item, v)}
          problems={problemsAt(problems, `${at}.value`)}
        />
      )}
    </>
  );
}
