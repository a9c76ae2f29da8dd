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

  it('falls back to the id for a rule without a name', () => {
    const explanation: DecisionExplanation = {
      outcome: 'estimate',
      fired: ['high-copay', 'row-02'],
      rules: [
        { id: 'high-copay', name: 'Copay above $50', fired: true, conditions: [] },
        { id: 'row-02', fired: true, conditions: [] },
      ],
    }
    expect(fired(explanation)).toBe('Copay above $50, row-02')
  })
})
