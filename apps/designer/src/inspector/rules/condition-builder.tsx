// The condition builder: all/any/not groups of "fact operator value" rows, with the fact picked
// from the flow's facts schema and the value input fitted to the fact's type.
import { factAt, type FactSchema } from '@carepath/dsl'
import { FactPathBadge } from '../fact-path-badge.tsx'
import {
  OPERATORS,
  factKind,
  groupItems,
  groupKind,
  isLeaf,
  newLeaf,
  parseValue,
  showValue,
  withItems,
  type Cond,
  type Group,
  type Leaf,
} from './rule-model.ts'

interface Ctx {
  facts: FactSchema
  paths: readonly string[]
}

export function GroupEditor({
  group,
  onChange,
  ctx,
  testId,
  onRemove,
}: {
  group: Group
  onChange(g: Group): void
  ctx: Ctx
  testId: string
  onRemove?: () => void
}) {
  const kind = groupKind(group)
  const items = groupItems(group)
  const setItem = (index: number, next: Cond) =>
    onChange(
      withItems(
        kind,
        items.map((c, i) => (i === index ? next : c)),
      ),
    )
  const removeItem = (index: number) =>
    onChange(
      withItems(
        kind,
        items.filter((_, i) => i !== index),
      ),
    )
  return (
    <div className={`cp-group cp-group-${kind}`} data-testid={testId}>
      <div className="cp-group-head">
        <select
          className="cp-input small"
          value={kind}
          onChange={(e) => onChange(withItems(e.target.value as 'all', items))}
          data-testid={`${testId}-kind`}
          aria-label="Which conditions must hold"
        >
          <option value="all">All of</option>
          <option value="any">Any of</option>
          <option value="not">Not</option>
        </select>
        {kind !== 'not' && (
          <>
            <button
              type="button"
              className="cp-btn small"
              onClick={() => onChange(withItems(kind, [...items, newLeaf(ctx.facts, ctx.paths)]))}
              data-testid={`${testId}-add-condition`}
            >
              + condition
            </button>
            <button
              type="button"
              className="cp-btn small"
              onClick={() => onChange(withItems(kind, [...items, { all: [newLeaf(ctx.facts, ctx.paths)] }]))}
              data-testid={`${testId}-add-group`}
            >
              + group
            </button>
          </>
        )}
        {onRemove && (
          <button type="button" className="cp-btn small ghost" onClick={onRemove} aria-label="Remove group">
            ✕
          </button>
        )}
      </div>
      {items.length === 0 && (
        <p className="cp-empty small">No conditions: {kind === 'all' ? 'always true' : 'never true'}.</p>
      )}
      {items.map((item, index) =>
        isLeaf(item) ? (
          <LeafEditor
            key={index}
            leaf={item}
            ctx={ctx}
            testId={`${testId}-${index}`}
            onChange={(next) => setItem(index, next)}
            onRemove={() => removeItem(index)}
          />
        ) : (
          <GroupEditor
            key={index}
            group={item}
            ctx={ctx}
            testId={`${testId}-${index}`}
            onChange={(next) => setItem(index, next)}
            onRemove={() => removeItem(index)}
          />
        ),
      )}
    </div>
  )
}

function LeafEditor({
  leaf,
  onChange,
  onRemove,
  ctx,
  testId,
}: {
  leaf: Leaf
  onChange(l: Leaf): void
  onRemove(): void
  ctx: Ctx
  testId: string
}) {
  const kind = factKind(ctx.facts, leaf.fact)
  const schema = factAt(ctx.facts, leaf.fact)
  const operators = OPERATORS.filter((o) => o.for.includes('any') || o.for.includes(kind) || o.name === leaf.operator)
  const unary = leaf.operator === 'exists' || leaf.operator === 'missing'
  const known = ctx.paths.includes(leaf.fact)
  return (
    <div className="cp-leaf" data-testid={testId}>
      <select
        className={`cp-input small fact ${known ? '' : 'invalid'}`}
        value={leaf.fact}
        onChange={(e) => onChange({ ...leaf, fact: e.target.value })}
        data-testid={`${testId}-fact`}
        aria-label="Fact"
      >
        {!known && <option value={leaf.fact}>{leaf.fact || '— pick a fact —'}</option>}
        {ctx.paths.map((p) => (
          <option key={p} value={p} disabled={factAt(ctx.facts, p)?.type === 'object'}>
            {p}
          </option>
        ))}
      </select>
      <FactPathBadge path={leaf.fact} />
      <select
        className="cp-input small op"
        value={leaf.operator}
        onChange={(e) =>
          onChange({
            ...leaf,
            operator: e.target.value,
            ...(e.target.value === 'exists' || e.target.value === 'missing' ? { value: true } : {}),
          })
        }
        data-testid={`${testId}-operator`}
        aria-label="Operator"
      >
        {operators.map((o) => (
          <option key={o.name} value={o.name}>
            {o.label}
          </option>
        ))}
      </select>
      {!unary &&
        (kind === 'boolean' ? (
          <select
            className="cp-input small value"
            value={String(leaf.value)}
            onChange={(e) => onChange({ ...leaf, value: e.target.value === 'true' })}
            data-testid={`${testId}-value`}
            aria-label="Value"
          >
            <option value="true">true</option>
            <option value="false">false</option>
          </select>
        ) : schema?.enum && (leaf.operator === 'equal' || leaf.operator === 'notEqual') ? (
          <select
            className="cp-input small value"
            value={showValue(leaf.value)}
            onChange={(e) => onChange({ ...leaf, value: parseValue(e.target.value, kind) })}
            data-testid={`${testId}-value`}
            aria-label="Value"
          >
            {!schema.enum.map(String).includes(showValue(leaf.value)) && (
              <option value={showValue(leaf.value)}>{showValue(leaf.value) || '—'}</option>
            )}
            {schema.enum.map((v) => (
              <option key={String(v)} value={String(v)}>
                {String(v)}
              </option>
            ))}
          </select>
        ) : (
          <input
            className="cp-input small value"
            value={showValue(leaf.value)}
            onChange={(e) => onChange({ ...leaf, value: parseValue(e.target.value, kind) })}
            placeholder={kind === 'number' ? '0' : 'value'}
            data-testid={`${testId}-value`}
            aria-label="Value"
          />
        ))}
      <button type="button" className="cp-btn small ghost" onClick={onRemove} aria-label="Remove condition">
        ✕
      </button>
    </div>
  )
}
