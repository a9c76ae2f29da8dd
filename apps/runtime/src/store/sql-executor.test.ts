import { describe, expect, it } from 'vitest'
import { numberedPlaceholders } from './sql-executor.ts'

describe('numbered placeholders for PostgreSQL', () => {
  it('numbers each ? in order', () => {
    expect(numberedPlaceholders('select * from "runs" where "id" = ? and "status" in (?, ?) limit ?')).toBe(
      'select * from "runs" where "id" = $1 and "status" in ($2, $3) limit $4',
    )
  })

  it('leaves a ? inside quoted text, a quoted name or a comment alone', () => {
    expect(numberedPlaceholders(`select 'why?', "odd?name", 'it''s ?' from t where a = ? -- any?\nand b = ?`)).toBe(
      `select 'why?', "odd?name", 'it''s ?' from t where a = $1 -- any?\nand b = $2`,
    )
  })
})
