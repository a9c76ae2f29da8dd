import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import type { DecisionExplanation } from '@carepath/dsl'
import { ExplanationView } from './explanation-view.tsx'

const fired = (explanation: DecisionExplanation) =>
  /\(fired: ([^)]*)\)/.exec(renderToStaticMarkup(createElement(ExplanationView, { explanation })))?.[1]

describe('ExplanationView', () => {
  it('names the rules that fired by their names, not their ids', () => {
    const explanation: DecisionExplanation = {
      outcome: 'estimate',
      fired: ['high-copay', 'high-deductible'],
      rules: [
        { id: 'high-copay', name: 'Copay above $50', fired: true, conditions: [] },
        { id: 'high-deductible', name: 'More than $500 of deductible left', fired: true, conditions: [] },
      ],
    }
    expect(fired(explanation)).toBe('Copay above $50, More than $500 of deductible left')
  })

  it('names a table row without a name by its number from 1, and any other nameless rule by its id', () => {
    const explanation: DecisionExplanation = {
      outcome: 'estimate',
      fired: ['high-copay', 'row-02', 'gold-tier'],
      rules: [
        { id: 'high-copay', name: 'Copay above $50', fired: true, conditions: [] },
        { id: 'row-02', fired: true, conditions: [] },
        { id: 'gold-tier', fired: true, conditions: [] },
      ],
    }
    expect(fired(explanation)).toBe('Copay above $50, Row 2, gold-tier')
    const sentences = renderToStaticMarkup(createElement(ExplanationView, { explanation }))
    expect(sentences).toContain('✓ Row 2 matched')
    expect(sentences).not.toContain('row-02')
  })
})
