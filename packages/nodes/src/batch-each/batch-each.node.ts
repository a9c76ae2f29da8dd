import { z } from 'zod'
import { defineNodeType, NodeError, type ConfigProblem, type JsonValue } from '@carepath/dsl'
import { factPathSchema } from '../fact-path.schema.ts'
import { csvRows } from './csv-rows.ts'

export const batchEachConfigSchema = z
  .object({
    list: factPathSchema.describe('The fact holding the list (a FHIR search’s matches) or the CSV text to go through.'),
    format: z
      .enum(['list', 'csv'])
      .default('list')
      .describe('list: a list fact; csv: the text of a CSV file whose first line names the columns.'),
    item: factPathSchema.describe('Where the current item goes (a CSV line as a record with its line number).'),
    position: factPathSchema.describe(
      'Where the batch keeps its place: the current item’s position, counted from 1 (absent before the first).',
    ),
    limit: z
      .number()
      .int()
      .min(1)
      .max(1_000)
      .default(100)
      .describe('The most items one run may go through; a longer list leaves by error and nothing is processed.'),
  })
  .strict()
export type BatchEachConfig = z.infer<typeof batchEachConfigSchema>

/** The items of the list fact, refused when they are more than the limit (so a run stays bounded). */
function itemsOf(value: JsonValue | undefined, config: BatchEachConfig): readonly JsonValue[] {
  if (value === undefined || value === null) return []
  let items: readonly JsonValue[]
  if (config.format === 'csv') {
    if (typeof value !== 'string') throw new NodeError(`The fact ${config.list} holds no CSV text.`)
    items = csvRows(value)
  } else {
    if (!Array.isArray(value)) throw new NodeError(`The fact ${config.list} holds no list to go through.`)
    items = value
  }
  if (items.length > config.limit) {
    throw new NodeError(
      `The list in ${config.list} has ${items.length} items, more than this step's limit of ${config.limit}; none was processed.`,
      { code: 'batch-too-long' },
    )
  }
  return items
}

function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`)
}

/**
 * Goes through a bounded list one item at a time: each visit puts the next item in `item` and
 * leaves by `item`; the flow comes back here after handling it, and once every item is done the
 * step leaves by `done`. Its place is a fact, so every step of the batch is in the run's log and a
 * replay walks the same items in the same order. The loop back needs a maxVisits of at least the
 * limit plus one, which the validator asks for on every loop.
 */
export const batchEach = defineNodeType({
  type: 'batch.each',
  typeVersion: 1,
  title: 'For each item',
  description: 'Goes through a list (a FHIR search page, the lines of a CSV file) one item at a time, up to a limit.',
  category: 'Flow',
  icon: '↻',
  keywords: ['batch', 'loop', 'each', 'iterate', 'list', 'csv', 'nightly', 'reconciliation'],
  config: batchEachConfigSchema,
  defaults: { list: 'items', format: 'list', item: 'item', position: 'batch.position', limit: 100 },
  ports: () => [
    { name: 'item', required: true, title: 'Next item' },
    { name: 'done', required: true, title: 'All done' },
    { name: 'error', required: false, title: 'List refused' },
  ],
  reads: (config) => [config.list, config.position],
  writes: (config) => [config.item, config.position],
  phi: [], // moves items within the run; never shows or sends them
  connectors: [], // calls no connector
  check(config) {
    const problems: ConfigProblem[] = []
    const paths: [string, string][] = [
      ['list', config.list],
      ['item', config.item],
      ['position', config.position],
    ]
    paths.forEach(([name, path], index) => {
      const clash = paths.slice(index + 1).find(([, other]) => overlaps(path, other))
      if (clash !== undefined) {
        problems.push({
          code: 'invalid-config',
          path: clash[0],
          message: `The ${clash[0]} fact must be apart from the ${name} fact (${path}).`,
        })
      }
    })
    return problems
  },
  execute(ctx, config) {
    const items = itemsOf(ctx.get(config.list), config)
    const place = ctx.get(config.position)
    const done = typeof place === 'number' && Number.isInteger(place) && place > 0 ? place : 0
    if (done >= items.length) return { kind: 'next', port: 'done' }
    return {
      kind: 'next',
      port: 'item',
      set: { [config.item]: structuredClone(items[done] ?? null), [config.position]: done + 1 },
    }
  },
})
