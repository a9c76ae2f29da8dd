import { describe, expect, it } from 'vitest'
import { diffFlows, describeNodeChange, summarizeDiff } from './diff.ts'
import type { FlowDocument } from './flow.schema.ts'
import { nodeTitle, placeInConfig, plainProblem, plainSentence, ruleLabel, typeWords } from './plain-words.ts'

const document: FlowDocument = {
  dsl: 'carepath.flow/1',
  id: 'refill',
  version: 1,
  title: 'Medication refill',
  facts: { type: 'object', properties: { copay: { type: 'number', 'x-phi': 'financial' } } },
  roles: {},
  start: 'trigger-api-1',
  nodes: {
    'trigger-api-1': {
      type: 'trigger.api',
      typeVersion: 1,
      title: 'Refill request',
      config: { requiredInputs: ['copay'] },
      next: { default: 'decision-table-1' },
    },
    'decision-table-1': {
      type: 'decision.table',
      typeVersion: 1,
      title: 'Copay check',
      config: {
        inputs: [{ fact: 'drug.class' }, { fact: 'copay', label: 'Copay' }],
        outputs: [{ name: 'outcome', label: 'Route' }],
        rows: [
          { cells: ['-', '> 50'], outputs: ['review'] },
          { id: 'cheap', cells: ['-', '<= 50'], outputs: ['approve'] },
        ],
        hitPolicy: 'first',
      },
      next: {},
    },
    'decision-rules-1': {
      type: 'decision.rules',
      typeVersion: 1,
      config: {
        rules: [
          {
            id: 'high-copay',
            name: 'Copay above $50',
            conditions: { all: [{ fact: 'copay', operator: 'greaterThan', value: 50 }] },
            event: { type: 'review' },
          },
        ],
      },
      next: {},
    },
  },
}

describe('rules and table rows in plain words', () => {
  it('names a rule by its name, a nameless table row by its number from 1, anything else by its id', () => {
    expect(ruleLabel({ id: 'high-copay', name: 'Copay above $50' })).toBe('Copay above $50')
    expect(ruleLabel({ id: 'row-03' })).toBe('Row 3')
    expect(ruleLabel({ id: 'row-12', name: ' ' })).toBe('Row 12')
    expect(ruleLabel({ id: 'gold-tier' })).toBe('gold-tier')
    expect(ruleLabel({ id: 'row-x' })).toBe('row-x')
  })
})

describe('problems in plain words', () => {
  it('names the node by title, the table cell by row number from 1 and column header; the path is the details', () => {
    const plain = plainProblem(
      {
        code: 'invalid-config',
        severity: 'error',
        nodeId: 'decision-table-1',
        path: 'nodes.decision-table-1.config.rows.1.cells.1',
        message: '"nodes.decision-table-1.config.rows.1.cells.1" must be a string.',
      },
      document,
    )
    expect(plain).toEqual({
      subject: 'Copay check',
      message: '“Copay check”, row 2, column “Copay” must be a string.',
      details: 'nodes.decision-table-1.config.rows.1.cells.1',
    })
  })

  it('says a config list item as a field and item number, and replaces quoted node ids by titles', () => {
    expect(
      plainProblem(
        {
          code: 'unknown-fact-path',
          severity: 'error',
          nodeId: 'trigger-api-1',
          path: 'nodes.trigger-api-1.config.requiredInputs.0',
          message: '"trigger-api-1" reads the fact "visit.kind", which the facts schema does not define.',
        },
        document,
      ).message,
    ).toBe('“Refill request” reads the fact "visit.kind", which the facts schema does not define.')
    expect(
      plainProblem(
        {
          code: 'invalid-config',
          severity: 'error',
          nodeId: 'trigger-api-1',
          path: 'nodes.trigger-api-1.config.requiredInputs.0',
          message: '"nodes.trigger-api-1.config.requiredInputs.0" cannot be empty.',
        },
        document,
      ).message,
    ).toBe('“Refill request”, required inputs, item 1 cannot be empty.')
  })

  it('names rules by name and conditions by number; an untitled node by its type and number', () => {
    const config = document.nodes['decision-rules-1']?.config
    expect(placeInConfig(config, ['rules', '0', 'conditions', 'all', '0', 'value'])).toBe(
      'rule “Copay above $50”, condition 1, value',
    )
    expect(placeInConfig(config, ['rules', 'high-copay', 'event', 'type'])).toBe('rule “Copay above $50”, type')
    expect(
      plainProblem(
        {
          code: 'unreachable-node',
          severity: 'error',
          nodeId: 'decision-rules-1',
          path: 'nodes.decision-rules-1',
          message: 'x',
        },
        document,
      ).subject,
    ).toBe('Decision rules 1')
  })

  it('never shows the id of a node with a default title: its type in words and its number', () => {
    const doc: FlowDocument = structuredClone(document)
    doc.nodes['notify-1'] = { type: 'notify', typeVersion: 1, config: {}, next: {} }
    doc.nodes['notify-3'] = { type: 'notify', typeVersion: 1, title: '  ', config: {}, next: {} }
    doc.nodes['ask'] = { type: 'task.form', typeVersion: 1, config: {}, next: {} }
    doc.nodes['confirm'] = { type: 'task.form', typeVersion: 1, config: {}, next: {} }
    expect(['notify-1', 'notify-3', 'ask', 'confirm', 'trigger-api-1'].map((id) => nodeTitle(doc, id))).toEqual([
      'Notify 1',
      'Notify 3',
      'Task form 1',
      'Task form 2',
      'Refill request',
    ])
    expect(typeWords('trigger.api')).toBe('Trigger API')
    expect(typeWords('fhir.search')).toBe('FHIR search')
    const plain = plainProblem(
      {
        code: 'missing-required-port',
        severity: 'error',
        nodeId: 'notify-1',
        path: 'nodes.notify-1.next.sent',
        message: 'The "sent" outcome of "notify-1" leads nowhere.',
      },
      doc,
    )
    expect(plain).toEqual({
      subject: 'Notify 1',
      message: 'The "sent" outcome of “Notify 1” leads nowhere.',
      details: 'nodes.notify-1.next.sent',
    })
    expect(JSON.stringify([plain.subject, plain.message])).not.toMatch(/notify-1/)
    expect(plainSentence('No answer for the human step "notify-3"; the run stops there ("as written").', doc)).toBe(
      'No answer for the human step “Notify 3”; the run stops there ("as written").',
    )
  })
})

describe('diffs in plain words', () => {
  it('names the node, the row and the column of a changed cell; the path stays for details', () => {
    const after = structuredClone(document)
    const table = after.nodes['decision-table-1']
    if (!table) throw new Error('fixture')
    table.config = {
      ...table.config,
      rows: [
        { cells: ['-', '> 60'], outputs: ['review'] },
        { id: 'cheap', cells: ['-', '<= 60'], outputs: ['approve'] },
      ],
    }
    const diff = diffFlows(document, after)
    const change = diff.changed[0]?.changes[0]
    if (!change) throw new Error('expected a change')
    expect(describeNodeChange('decision-table-1', change, { before: document, after })).toEqual({
      text: '“Copay check”: row 1, column “Copay” changed from "> 50" to "> 60".',
      details: 'config.rows.0.cells.1',
    })
    expect(summarizeDiff(diff, { before: document, after })).toContain(
      '“Copay check”: row 2, column “Copay” changed from "<= 50" to "<= 60".',
    )
  })

  it('names a removed row by its number in the version it was removed from', () => {
    const after = structuredClone(document)
    const table = after.nodes['decision-table-1']
    if (!table) throw new Error('fixture')
    const rows = (table.config as { rows: unknown[] }).rows
    table.config = { ...table.config, rows: rows.slice(0, 1) }
    const lines = summarizeDiff(diffFlows(document, after), { before: document, after })
    expect(lines).toEqual([expect.stringMatching(/^“Copay check”: row 2 was removed \(was /)])
    expect(lines.join('\n')).not.toMatch(/NaN|row “/)
  })

  it('names rewired nodes by title', () => {
    const after = structuredClone(document)
    const trigger = after.nodes['trigger-api-1']
    if (!trigger) throw new Error('fixture')
    trigger.next = { default: 'decision-rules-1' }
    expect(summarizeDiff(diffFlows(document, after), { before: document, after })).toEqual([
      'The "default" port of “Refill request” now leads to “Decision rules 1” instead of “Copay check”.',
    ])
  })
})
