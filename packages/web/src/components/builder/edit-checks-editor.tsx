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
import { t } from '../../i18n/index.js';
import { type Edit, Errors, Field, ParsedField, parseNumber, TextFieldAt } from './fields.js';

/** An item the checks of the form may read (the form's own or, for a catalog form, core's). */
export interface CheckableItem {
  code: string;
  label: string;
  type: string;
}

const RULE_LABELS: Record<EditCheckRule['kind'], () => string> = {
  range: () => t('editChecks.rule.range'),
  'required-if': () => t('editChecks.rule.requiredIf'),
  compare: () => t('editChecks.rule.compare'),
  'cross-visit': () => t('editChecks.rule.crossVisit'),
};
const SEVERITY_LABELS: Record<EditCheck['severity'], () => string> = {
  query: () => t('editChecks.severity.query'),
  warning: () => t('editChecks.severity.warning'),
};
const OP_LABELS: Record<CompareOperator, () => string> = {
  lt: () => t('editChecks.op.lt'),
  lte: () => t('editChecks.op.lte'),
  gt: () => t('editChecks.op.gt'),
  gte: () => t('editChecks.op.gte'),
  eq: () => t('editChecks.op.eq'),
  ne: () => t('editChecks.op.ne'),
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
        .join(c.op === 'all' ? t('editChecks.cond.and') : t('editChecks.cond.or'));
    case 'is':
      return t('editChecks.cond.is', { item: c.item, value: JSON.stringify(c.value) });
    case 'between':
      return t('editChecks.cond.between', {
        item: c.item,
        min: c.min,
        max: c.max,
        unit: c.unit ?? '',
        hasUnit: c.unit ? 'yes' : 'no',
      });
    default:
      return t('editChecks.cond.compare', {
        item: c.item,
        op: OP_LABELS[c.op](),
        value: c.value,
        unit: c.unit ?? '',
        hasUnit: c.unit ? 'yes' : 'no',
      });
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
      <h3 id="builder-checks">{t('editChecks.title', { form: form || t('editChecks.thisForm') })}</h3>
      {mine.length === 0 && <p>{t('editChecks.none')}</p>}
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
        {t('editChecks.add', { form: form || t('editChecks.thisForm') })}
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
          {(none !== undefined || !value) && <option value="">{none ?? t('editChecks.chooseItem')}</option>}
          {!known && <option value={value}>{t('editChecks.notOnForm', { item: value ?? '' })}</option>}
          {items.map((i) => (
            <option key={i.code} value={i.code}>
              {t('editChecks.itemOption', { label: i.label, code: i.code })}
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
  const name = check.id || t('editChecks.checkN', { n });
  const setRule = (patch: Partial<EditCheckRule>) =>
    onChange((c) => {
      c.rule = { ...c.rule, ...patch } as EditCheckRule;
    });
  return (
    <fieldset className="builder-check" data-check={check.id}>
      <legend>
        {check.id ? t('editChecks.legendId', { n, id: check.id }) : t('editChecks.legend', { n })}
      </legend>
      <Errors messages={problemsAt(problems, at)} id={`${at}-err`} />
      <TextFieldAt
        label={t('editChecks.id')}
        value={check.id}
        onChange={(v) =>
          onChange((c) => {
            c.id = v;
          })
        }
        problems={problemsAt(problems, `${at}.id`)}
      />
      <TextFieldAt
        label={t('editChecks.message', { name })}
        value={check.message}
        onChange={(v) =>
          onChange((c) => {
            c.message = v;
          })
        }
        problems={problemsAt(problems, `${at}.message`)}
      />
      <Field label={t('editChecks.severity', { name })} problems={problemsAt(problems, `${at}.severity`)}>
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
                {SEVERITY_LABELS[s]()}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t('editChecks.ruleOf', { name })} problems={problemsAt(problems, `${rp}.kind`)}>
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
                {RULE_LABELS[k]()}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Errors messages={problemsAt(problems, rp)} id={`${rp}-err`} />
      <ItemSelect
        label={t('editChecks.item', { name })}
        value={r.item}
        items={items}
        problems={problemsAt(problems, `${rp}.item`)}
        onChange={(item) => setRule({ item: item ?? '' })}
      />
      {r.kind === 'range' && (
        <>
          <ParsedField
            label={t('editChecks.min', { name })}
            inputMode="decimal"
            value={r.min}
            format={formatNumber}
            parse={parseNumber}
            onChange={(min) => setRule({ min })}
            problems={problemsAt(problems, `${rp}.min`)}
          />
          <ParsedField
            label={t('editChecks.max', { name })}
            inputMode="decimal"
            value={r.max}
            format={formatNumber}
            parse={parseNumber}
            onChange={(max) => setRule({ max })}
            problems={problemsAt(problems, `${rp}.max`)}
          />
          <TextFieldAt
            label={t('editChecks.unit', { name })}
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
          <Field label={t('editChecks.comparison', { name })} problems={problemsAt(problems, `${rp}.op`)}>
            {(p) => (
              <select
                {...p}
                value={r.op}
                onChange={(e) => setRule({ op: compareOperatorSchema.parse(e.target.value) })}
              >
                {compareOperatorSchema.options.map((o) => (
                  <option key={o} value={o}>
                    {OP_LABELS[o]()}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <ItemSelect
            label={t('editChecks.otherItem', { name })}
            value={r.other}
            items={items}
            none={t('editChecks.aNumber')}
            problems={problemsAt(problems, `${rp}.other`)}
            onChange={(other) => setRule({ other, ...(other ? { value: undefined } : {}) })}
          />
          {!r.other && (
            <ParsedField
              label={t('editChecks.number', { name })}
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
          <Field
            label={t('editChecks.referenceVisit', { name })}
            problems={problemsAt(problems, `${rp}.referenceVisit`)}
          >
            {(p) => (
              <select
                {...p}
                value={r.referenceVisit}
                onChange={(e) => setRule({ referenceVisit: e.target.value })}
              >
                <option value="">{t('editChecks.chooseVisit')}</option>
                {visits.map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <ItemSelect
            label={t('editChecks.referenceItem', { name })}
            value={r.referenceItem}
            items={items}
            none={t('editChecks.sameItem')}
            problems={problemsAt(problems, `${rp}.referenceItem`)}
            onChange={(referenceItem) => setRule({ referenceItem })}
          />
          <ParsedField
            label={t('editChecks.maxChange', { name })}
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
          {t('editChecks.appliesWhen', { condition: conditionText(check.when) })}{' '}
          <button
            type="button"
            onClick={() =>
              onChange((c) => {
                delete c.when;
              })
            }
          >
            {t('editChecks.removeCondition', { name })}
          </button>
          <Errors messages={problemsAt(problems, `${at}.when`, true)} id={`${at}-when-err`} />
        </p>
      )}
      <TextFieldAt
        label={t('editChecks.source', { name })}
        value={check.source ?? ''}
        onChange={(v) =>
          onChange((c) => {
            c.source = v === '' ? undefined : v;
          })
        }
        problems={problemsAt(problems, `${at}.source`)}
      />
      <button type="button" aria-label={t('editChecks.remove', { name })} onClick={onRemove}>
        {t('editChecks.removeButton')}
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
        {t('editChecks.requiredWhen', { condition: conditionText(c) })}
        <Errors messages={problemsAt(problems, at, true)} id={`${at}-err`} />
      </p>
    );
  const boolean = items.find((i) => i.code === c.item)?.type === 'boolean';
  const set = (item: string, value: string | boolean) => setRule({ condition: { op: 'is', item, value } });
  return (
    <>
      <ItemSelect
        label={t('editChecks.requiredWhenItem', { name })}
        value={c.item}
        items={items.filter((i) => i.code !== rule.item)}
        problems={problemsAt(problems, `${at}.item`)}
        onChange={(item) => {
          const type = items.find((i) => i.code === item)?.type;
          set(item ?? '', type === 'boolean' ? true : typeof c.value === 'string' ? c.value : '');
        }}
      />
      {boolean ? (
        <Field label={t('editChecks.whenIs', { name })} problems={problemsAt(problems, `${at}.value`)}>
          {(p) => (
            <select {...p} value={String(c.value)} onChange={(e) => set(c.item, e.target.value === 'true')}>
              <option value="true">{t('editChecks.yes')}</option>
              <option value="false">{t('editChecks.no')}</option>
            </select>
          )}
        </Field>
      ) : (
        <TextFieldAt
          label={t('editChecks.whenValue', { name })}
          value={String(c.value)}
          onChange={(v) => set(c.item, v)}
          problems={problemsAt(problems, `${at}.value`)}
        />
      )}
    </>
  );
}
